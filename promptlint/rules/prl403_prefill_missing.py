from __future__ import annotations

import re

import libcst as cst

from promptlint.edits import FixProposal
from promptlint.findings import Safety
from promptlint.resolve.intent import Structured, demands_structure
from promptlint.resolve.requests import Request
from promptlint.rules.base import Rule

_PARSES_JSON = re.compile(
    r"\b(?:json|orjson|ujson|simplejson)\.loads?\(|\bloads\(|model_validate_json\(|parse_raw\(|"
    r"literal_eval\(|json_repair")
_PARSES_XML = re.compile(
    r"\bre\.(?:search|findall|match|finditer|fullmatch)\(|fromstring\(|BeautifulSoup\(|"
    r"\.split\(\s*[\"']<|\.find\(\s*[\"']<|\.index\(\s*[\"']<")


class PrefillMissing(Rule):
    code = "PRL403"
    name = "prefill-missing"
    message = (
        "The request asks for {kind} and the code parses the answer, but nothing constrains the "
        "output (no prefill, output_config.format or forced tool): {advice}"
    )
    fix_title = "{advice}"
    severity = "warning"
    fix_availability = "display-only"

    def check_request(self, req: Request) -> None:
        model = self.model_info(req)
        if req.method == "count_tokens" or req.open or model is None or model.prefill is None:
            return
        wanted = demands_structure(req.prompt())
        if wanted is None or self._constrained(req):
            return
        if not self._parsed_nearby(req, wanted):
            return
        thinking = req.arg("thinking")
        config = thinking.as_dict() if thinking is not None else None
        kind = config.items.get("type") if config is not None else None
        thinking_on = thinking is not None and (kind is None or kind.known_str() != "disabled")
        if thinking is None and model.thinking_default_on is not False:
            thinking_on = bool(model.thinking_default_on)
        # prefill works only without thinking; forced tools are rejected on some models
        advice = self._advice(req, wanted, model.prefill and not thinking_on,
                              model.forced_tool_choice is True and not thinking_on)
        self.report(
            req.report_node("messages"),
            fix=FixProposal(Safety.DISPLAY_ONLY, advice),
            kind="JSON" if wanted.kind == "json" else f"XML in {wanted.opening} tags",
            advice=advice,
        )

    @staticmethod
    def _constrained(req: Request) -> bool:
        output = req.arg("output_config")
        config = output.as_dict() if output is not None else None
        if output is not None and (config is None or config.open or "format" in config.items):
            return True
        if req.has("output_format"):
            return True
        choice = req.arg("tool_choice")
        choice_config = choice.as_dict() if choice is not None else None
        if choice is not None:
            kind = choice_config.items.get("type") if choice_config is not None else None
            if kind is None or kind.known_str() in ("any", "tool", None):
                return True
        messages = req.messages()
        if messages is None or messages.open:
            return True  # a prefill may be appended where we cannot see
        last = req.last_message()
        role = last.items.get("role") if last is not None else None
        return role is not None and role.known_str() == "assistant"

    @staticmethod
    def _parsed_nearby(req: Request, wanted: Structured) -> bool:
        """The response is parsed in the function that makes the request (or, for a call of
        a wrapper, in the caller or the wrapper)."""
        pattern = _PARSES_JSON if wanted.kind == "json" else _PARSES_XML
        scopes = [req.scope] + ([req.standalone.scope] if req.standalone is not None else [])
        for scope in scopes:
            node = scope.node
            if isinstance(node, cst.FunctionDef):
                code = cst.Module(body=[]).code_for_node(node)
            elif isinstance(node, cst.Module):
                code = node.code
            else:
                continue
            if pattern.search(code):
                return True
        return False

    @staticmethod
    def _advice(req: Request, wanted: Structured, prefill: bool, forced_tool: bool) -> str:
        if prefill:
            return ('prefill the answer with a final {"role": "assistant", "content": "'
                    + wanted.opening + '"} message (and prepend it before parsing)')
        why = f"{req.model_id()} rejects prefill" if not req.has("thinking") else (
            "prefill does not work with thinking")
        schema = 'output_config={"format": {"type": "json_schema", "schema": ...}}'
        tool = " or force a tool with tool_choice" if forced_tool else ""
        if wanted.kind == "json":
            return f"{why}: pass {schema}{tool}"
        return f"{why}: ask for JSON with {schema}{tool}"
