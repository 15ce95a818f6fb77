from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.intent import Structured
    from promptlint.resolve.requests import Request


class PrefillMissing(Rule):
    code = "PRL403"
    name = "prefill-missing"
    message = (
        "The request asks for {kind} and the code parses the answer, but nothing constrains the "
        "output (no prefill, output_config.format or forced tool): {advice}"
    )
    fix_title = "{advice}"
    severity = "warning"
    fix_availability = FixAvailability.DISPLAY_ONLY

    def check_request(self, req: Request) -> None:
        model, judged = self.facts_model(req, "prefill")
        if req.method == "count_tokens" or req.open or model is None or model.prefill is None:
            return
        from promptlint.resolve.intent import demands_structure
        from promptlint.resolve.usage import parsed_by_caller, parsed_nearby

        wanted = demands_structure(req.prompt())
        if wanted is None or self._constrained(req):
            return
        if not parsed_nearby(req, wanted.kind) and not parsed_by_caller(req, wanted.kind):
            return
        thinking_on = req.thinking.on(model)
        # prefill works only without thinking; forced tools are rejected on some models
        advice = self._advice(req, wanted, model.prefill and not thinking_on,
                              model.forced_tool_choice is True and not thinking_on)
        self.report(
            req.at("messages"),
            fix=self.advice(advice),
            kind="JSON" if wanted.kind == "json" else f"XML in {wanted.opening} tags",
            advice=advice,
            suffix=judged,
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
        return req.prefill is not None

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
