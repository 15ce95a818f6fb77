from __future__ import annotations

import libcst as cst

from promptlint.edits import FixProposal
from promptlint.findings import Safety
from promptlint.resolve.requests import Request
from promptlint.resolve.scope import Scope
from promptlint.resolve.text import Segment
from promptlint.rules.base import Rule

_SET_OPERATORS = (cst.BitOr, cst.BitAnd, cst.Subtract, cst.BitXor)
_KEEP_ORDER = {"list", "tuple", "iter", "reversed"}  # these keep a set's (hash) order
MAX_HOPS = 4


class UnorderedCollectionInPrompt(Rule):
    code = "PRL505"
    name = "unordered-collection-in-prompt"
    message = (
        "`{expr}` writes the strings of a set into the cached {section} in hash order, which "
        "differs from process to process (string hashing is randomized): each worker and each "
        "restart sends other bytes and writes a cache entry of its own"
    )
    fix_title = "Sort the items before writing them into the prompt (sorted(...))"
    severity = "warning"
    fix_availability = "display-only"

    def check_request(self, req: Request) -> None:
        if req.method == "count_tokens":
            return
        prompt = req.prompt()
        last = prompt.last_cached()
        if last is None:
            return  # nothing is cached
        seen: set[int] = set()
        for block in prompt.blocks[: last + 1]:
            for hole in block.text.holes:
                culprit = self._unordered(req, hole)
                if culprit is None or id(culprit) in seen:
                    continue
                seen.add(id(culprit))
                section = {"tools": "tools", "system": "system prompt",
                           "messages": "first user message"}[block.section]
                node = hole.node
                assert node is not None
                at = req.at(block.section, "the set is written out here", node=node,
                            source=culprit, path=hole.path)
                self.report(at,
                            fix=FixProposal(Safety.DISPLAY_ONLY, self.fix_title),
                            expr=_code(culprit), section=section)

    def _unordered(self, req: Request, hole: Segment) -> cst.CSTNode | None:
        """The expression that writes a set of strings out as text, when the hole's value is
        provably one: ``", ".join(S)``, ``json.dumps(list(S))``, ``str(S)``."""
        if hole.node is None or hole.path is not None or not isinstance(
                hole.node, cst.BaseExpression):
            return None
        expr = _follow(req.scope, hole.node)
        if expr is None:
            return None
        if isinstance(expr, cst.Call):
            func = expr.func
            args = [a.value for a in expr.args if a.keyword is None and not a.star]
            if isinstance(func, cst.Attribute) and func.attr.value == "join" and len(args) == 1:
                return expr if _string_set(req, args[0]) else None
            name = _dotted(func)
            if name in ("json.dumps", "dumps", "str", "repr") and args:
                return expr if _string_set(req, args[0]) else None
        return None


def _code(node: cst.CSTNode) -> str:
    text = cst.Module(body=[]).code_for_node(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _dotted(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return f"{func.value.value}.{func.attr.value}"
    return None


def _follow(scope: Scope, expr: cst.CSTNode, hops: int = 0) -> cst.BaseExpression | None:
    """The expression a name stands for, through single assignments."""
    while isinstance(expr, cst.Name) and hops < MAX_HOPS:
        owner, bindings = scope.lookup(expr.value)
        if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None:
            return None
        expr, scope, hops = bindings[0].value, owner, hops + 1
    return expr if isinstance(expr, cst.BaseExpression) else None


def _string_set(req: Request, expr: cst.BaseExpression, depth: int = 0) -> bool:
    """Whether iterating ``expr`` yields strings in a set's order."""
    if depth > MAX_HOPS:
        return False
    followed = _follow(req.scope, expr)
    if followed is None:
        return False
    expr = followed
    if isinstance(expr, cst.Set):
        return bool(expr.elements) and all(
            isinstance(e, cst.Element) and _is_string(req, e.value) for e in expr.elements)
    if isinstance(expr, cst.SetComp):
        return _is_string(req, expr.elt)
    if isinstance(expr, (cst.GeneratorExp, cst.ListComp)):
        loop = expr.for_in
        return loop.inner_for_in is None and _string_set(req, loop.iter, depth + 1) and (
            isinstance(loop.target, cst.Name) and isinstance(expr.elt, cst.Name)
            and expr.elt.value == loop.target.value or _is_string(req, expr.elt))
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, _SET_OPERATORS):
        return _string_set(req, expr.left, depth + 1) and _string_set(req, expr.right, depth + 1)
    if isinstance(expr, cst.Call):
        name = _dotted(expr.func)
        args = [a.value for a in expr.args if a.keyword is None and not a.star]
        if len(args) != 1 or len(expr.args) != 1:
            return False
        if name in ("set", "frozenset"):
            return _strings(req, args[0], depth + 1)
        if name in _KEEP_ORDER:
            return _string_set(req, args[0], depth + 1)
    return False


def _strings(req: Request, expr: cst.BaseExpression, depth: int) -> bool:
    """Whether ``expr`` is a known collection of strings (the argument of set())."""
    if _string_set(req, expr, depth):
        return True
    value = req.resolver_value(expr)
    listed = value.as_list() if value is not None else None
    if listed is None or listed.open or not listed.items:
        return False
    return all(item.known_str() is not None for item in listed.items)


def _is_string(req: Request, expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if isinstance(expr, cst.Call) and _dotted(expr.func) == "str":
        return True
    value = req.resolver_value(expr)
    return value is not None and value.known_str() is not None
