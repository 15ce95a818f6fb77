from __future__ import annotations

import libcst as cst

from promptlint.edits import FixProposal
from promptlint.findings import Safety
from promptlint.resolve.intent import Structured, demands_structure
from promptlint.resolve.requests import Request
from promptlint.resolve.scope import Scope, dotted_name
from promptlint.resolve.walk import walk
from promptlint.rules.base import Rule

# calls that parse a model's answer (matched on the callee's last name, or its dotted name)
_PARSES_JSON = {"loads", "load", "model_validate_json", "parse_raw", "literal_eval",
                "repair_json"}
_PARSES_XML = {"re.search", "re.findall", "re.match", "re.finditer", "re.fullmatch",
               "fromstring", "BeautifulSoup", "XML"}
_SPLITS = {"split", "find", "index", "partition"}  # str methods given a "<tag" literal


def _parses(call: cst.Call, kind: str) -> bool:
    name = dotted_name(call.func) or ""
    last = name.rsplit(".", 1)[-1]
    if kind == "json":
        return last in _PARSES_JSON
    if name in _PARSES_XML or last in _PARSES_XML:
        return True
    if last in _SPLITS and call.args:
        first = call.args[0].value
        return isinstance(first, cst.SimpleString) and "<" in first.value
    return False


def _callee(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    return func.attr.value if isinstance(func, cst.Attribute) else None


def _unwrap(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.expression if isinstance(expr, cst.Await) else expr


def _functions(scope: Scope) -> list[Scope]:
    out = []
    for child in scope.children:
        if child.kind == "function" and isinstance(child.node, cst.FunctionDef):
            out.append(child)
        out.extend(_functions(child))
    return out


def _parsed_by_caller(req: Request, kind: str) -> bool:
    """The function that makes the request returns the reply to code of this module that parses
    it: ``json.loads(ask(...))``, ``load(ask(...))`` where ``load`` parses, or
    ``raw = ask(...)`` followed by such a call on ``raw``."""
    scope = req.scope
    if scope.kind != "function" or not isinstance(scope.node, cst.FunctionDef):
        return False
    name = scope.node.name.value
    root = scope
    while root.parent is not None:
        root = root.parent
    functions = _functions(root)
    parsers = {s.node.name.value for s in functions  # type: ignore[attr-defined]
               if s is not scope and any(isinstance(n, cst.Call) and _parses(n, kind)
                                         for n in walk(s.node))}

    def parsing(call: cst.Call) -> bool:
        return _parses(call, kind) or (_callee(call) in parsers and _callee(call) != name)

    def of_request(expr: cst.BaseExpression) -> bool:
        inner = _unwrap(expr)
        return isinstance(inner, cst.Call) and _callee(inner) == name

    for other in [root, *functions]:
        if other is scope:
            continue
        nodes = list(walk(other.node))
        results = set()  # names the reply is assigned to in this function
        if other is not root:
            for node in nodes:
                if isinstance(node, cst.Assign) and of_request(node.value) and len(
                        node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                    results.add(node.targets[0].target.value)
        for node in nodes:
            if not isinstance(node, cst.Call) or not parsing(node):
                continue
            for arg in node.args:
                value = _unwrap(arg.value)
                if of_request(value) or (isinstance(value, cst.Name) and value.value in results):
                    return True
    return False


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
        model, judged = self.facts_model(req, "prefill")
        if req.method == "count_tokens" or req.open or model is None or model.prefill is None:
            return
        wanted = demands_structure(req.prompt())
        if wanted is None or self._constrained(req):
            return
        if not self._parsed_nearby(req, wanted) and not _parsed_by_caller(req, wanted.kind):
            return
        thinking_on = req.thinking.on(model)
        # prefill works only without thinking; forced tools are rejected on some models
        advice = self._advice(req, wanted, model.prefill and not thinking_on,
                              model.forced_tool_choice is True and not thinking_on)
        self.report(
            req.at("messages"),
            fix=FixProposal(Safety.DISPLAY_ONLY, advice),
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
    def _parsed_nearby(req: Request, wanted: Structured) -> bool:
        """The response is parsed in the function that makes the request (or, for a call of
        a wrapper, in the caller or the wrapper)."""
        scopes = [req.scope] + ([req.standalone.scope] if req.standalone is not None else [])
        for scope in scopes:
            for node in walk(scope.node):
                if isinstance(node, cst.Call) and _parses(node, wanted.kind):
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
