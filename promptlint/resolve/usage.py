"""How the code around a request uses the answer: whether it parses it as JSON or XML, in the
function that makes the request or in a caller of that function in the same module."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from promptlint.syntax.scope import Scope, dotted_name
from promptlint.syntax.walk import walk

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request

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


def parsed_by_caller(req: Request, kind: str) -> bool:
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


def parsed_nearby(req: Request, kind: str) -> bool:
    """The response is parsed in the function that makes the request (or, for a call of
    a wrapper, in the caller or the wrapper)."""
    scopes = [req.scope] + ([req.standalone.scope] if req.standalone is not None else [])
    for scope in scopes:
        for node in walk(scope.node):
            if isinstance(node, cst.Call) and _parses(node, kind):
                return True
    return False
