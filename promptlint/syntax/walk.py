"""A fast read-only traversal of libcst trees.

libcst's own visitor machinery rebuilds every node while it walks (it is built for
transformers), which costs several times the parse itself. promptlint only reads the tree, so it
walks the dataclass fields directly and skips the fields that hold only whitespace and
punctuation. ``FastVisitor`` keeps libcst's ``visit_<Node>`` / ``leave_<Node>`` convention.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import libcst as cst

_SKIPPED = (
    "whitespace", "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after",
    "header", "footer", "dot", "equal", "colon", "first_line", "empty_lines", "last_line",
    "newline", "indent", "lbracket", "rbracket", "lbrace", "rbrace", "asynchronous",
    "operator", "trailing_whitespace", "arrow", "star", "quote", "prefix", "start", "end",
    "conversion", "encoding", "default_indent", "default_newline", "has_trailing_newline",
    "posonly_ind", "type_parameters", "body_str",
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(cls: type) -> tuple[str, ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = tuple(
            f.name for f in dataclasses.fields(cls)
            if not any(f.name.startswith(s) for s in _SKIPPED)
        )
        _FIELDS[cls] = fields
    return fields


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The syntactic children of ``node`` (whitespace and punctuation left out)."""
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every syntactic node below ``node`` (and ``node`` itself), depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children(current))


_IS_NODE: dict[type, bool] = {}


def _is_node(cls: type) -> bool:
    known = _IS_NODE.get(cls)
    if known is None:
        known = isinstance(cls, type) and issubclass(cls, cst.CSTNode)
        _IS_NODE[cls] = known
    return known


class FastVisitor:
    """Calls ``visit_<Node>(node)`` before and ``leave_<Node>(node)`` after the children;
    a visit method that returns False skips the children."""

    statement_of: dict[int, int] | None = None  # when set: node id -> statement_index
    statement_index = 0

    def __init__(self) -> None:
        self._table: dict[type, tuple[Any, Any, tuple[str, ...]]] = {}

    def _entry(self, cls: type) -> tuple[Any, Any, tuple[str, ...]]:
        entry = (getattr(self, f"visit_{cls.__name__}", None),
                 getattr(self, f"leave_{cls.__name__}", None), child_fields(cls))
        self._table[cls] = entry
        return entry

    def walk(self, node: cst.CSTNode) -> None:
        record = self.statement_of
        if record is not None:
            record[id(node)] = self.statement_index
        cls = node.__class__
        entry = self._table.get(cls) or self._entry(cls)
        visit, leave, fields = entry
        if visit is not None and visit(node) is False:
            if leave is not None:
                leave(node)
            return
        for name in fields:
            value = getattr(node, name)
            value_cls = value.__class__
            if value_cls is list or value_cls is tuple:
                for item in value:
                    known = _IS_NODE.get(item.__class__)
                    if known or (known is None and _is_node(item.__class__)):
                        self.walk(item)
            else:
                known = _IS_NODE.get(value_cls)
                if known or (known is None and _is_node(value_cls)):
                    self.walk(value)
        if leave is not None:
            leave(node)
