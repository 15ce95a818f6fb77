"""Loops around a request: whether it runs once per item of a collection, each run
independent of the others (the shape the Message Batches API serves at half the price).

Read from the loops the scope builder records around each call (innermost last): a ``for``
statement or a comprehension whose item the request's arguments use, where nothing the
request uses besides the item is carried from one iteration to the next and no result can
end the loop early. ``while`` loops usually carry state, and are never per item.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from promptlint.syntax.walk import FastVisitor


def per_item_loop(loops: Sequence[cst.CSTNode], args: Sequence[cst.Arg]
                  ) -> cst.BaseExpression | None:
    """The iterable of the innermost loop when the call with ``args`` runs once per item of
    it, independently; else None."""
    if not loops:
        return None
    loop = loops[-1]
    if isinstance(loop, cst.For):
        targets = _names(loop.target)
        iterable = loop.iter
        body: cst.CSTNode = loop.body
    elif isinstance(loop, (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)):
        targets = _names(loop.for_in.target)
        iterable = loop.for_in.iter
        body = loop
    else:
        return None  # while loops usually carry state from one request to the next
    used: set[str] = set()
    for arg in args:
        used |= _names(arg.value)
    item_names = targets | _derived_from(body, targets)
    if not used & item_names:
        return None  # the request does not depend on the item: not one request per item
    if (used - item_names) & _mutated(body):
        return None  # results (or history) feed the next iteration: a conversation
    if _stops_early(body):
        return None  # a result can end the loop (first match, fallback): not independent
    return iterable


def _names(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Collector(FastVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    Collector().walk(node)
    return found


def _derived_from(body: cst.CSTNode, targets: set[str]) -> set[str]:
    """Names assigned in the loop from the item (``prompt = f"...{doc}"``), transitively."""
    assignments: list[tuple[set[str], set[str]]] = []

    class Collector(FastVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            names: set[str] = set()
            for target in node.targets:
                names |= _root_names(target.target)
            assignments.append((names, _names(node.value)))

    Collector().walk(body)
    derived: set[str] = set()
    changed = True
    while changed:
        changed = False
        for names, sources in assignments:
            if sources & (targets | derived) and not names <= derived:
                derived |= names
                changed = True
    return derived


def _mutated(body: cst.CSTNode) -> set[str]:
    """Names that carry state from one iteration to the next: augmented (+=), or mutated by a
    method call (append, extend, update, ...)."""
    found: set[str] = set()

    class Collector(FastVisitor):
        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            found.update(_root_names(node.target))

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in (
                    "append", "extend", "insert", "update", "add", "setdefault"):
                found.update(_root_names(func.value))

    Collector().walk(body)
    return found


def _root_names(node: cst.CSTNode) -> set[str]:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    if isinstance(node, cst.Name):
        return {node.value}
    if isinstance(node, (cst.Tuple, cst.List)):
        out: set[str] = set()
        for element in node.elements:
            out |= _root_names(element.value)
        return out
    return set()


def _stops_early(body: cst.CSTNode) -> bool:
    """A `break` or `return` in the loop means a result can stop it: items are not independent."""
    found = False

    class Collector(FastVisitor):
        def visit_Break(self, node: cst.Break) -> None:
            nonlocal found
            found = True

        def visit_Return(self, node: cst.Return) -> None:
            nonlocal found
            found = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False  # a return inside a nested function does not end the loop

    Collector().walk(body)
    return found
