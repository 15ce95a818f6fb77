"""Whether a prompt's dynamic part writes out the strings of a set in hash order (which
differs from process to process: string hashing is randomized).

Followed through single assignments: ``", ".join(S)``, ``json.dumps(list(S))``, ``str(S)``
where ``S`` is a set display, a set comprehension, ``set(...)`` of known strings, a set
operation of such sets, or an order-keeping view of one (``list(S)``, ``sorted`` is not).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from promptlint.resolve.text import Segment
from promptlint.syntax.scope import Scope

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request

_SET_OPERATORS = (cst.BitOr, cst.BitAnd, cst.Subtract, cst.BitXor)
_KEEP_ORDER = {"list", "tuple", "iter", "reversed"}  # these keep a set's (hash) order
MAX_HOPS = 4


def unordered_culprit(req: Request, hole: Segment) -> cst.CSTNode | None:
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


def code_of(node: cst.CSTNode) -> str:
    """The expression's code, shortened to 60 characters."""
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
