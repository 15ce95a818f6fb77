"""Fix proposals in terms of syntax nodes, and the libcst rewrites rules use to build them.

Rules describe a fix as "replace this node's source with that code"; the engine turns nodes into
source offsets and the fixer applies them. Generated code copies the surrounding style (quote
character, separators and trailing commas of multi-line calls).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from promptlint.findings import Safety

LITERAL_TYPES = (
    cst.Integer, cst.Float, cst.SimpleString, cst.BinaryOperation, cst.UnaryOperation,
)


Side = Literal["start", "end", "before_end"]


@dataclass
class NodeEdit:
    """Replace the source between two node boundaries with ``content``.

    ``content`` may contain ``{nl}`` (the file's newline) and ``{indent}`` (the leading
    whitespace of the line where ``indent_of`` starts); the engine fills them in.
    """

    start: tuple[cst.CSTNode, Side]
    end: tuple[cst.CSTNode, Side]
    content: str
    indent_of: cst.CSTNode | None = None

    @classmethod
    def replace(cls, node: cst.CSTNode, content: str) -> NodeEdit:
        return cls((node, "start"), (node, "end"), content.replace("{", "{{").replace("}", "}}"))


@dataclass
class FixProposal:
    applicability: Safety
    title: str
    edits: list[NodeEdit] = field(default_factory=list)


def string_like(original: cst.CSTNode | None, text: str) -> str:
    """A Python string literal for ``text`` in the quote style of ``original``."""
    quote = '"'
    prefix = ""
    if isinstance(original, cst.SimpleString):
        quote = original.quote if original.quote in ("'", '"') else '"'
        prefix = "".join(c for c in original.prefix if c.lower() == "u")
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f"{prefix}{quote}{escaped}{quote}"


def _has_comment(node: cst.CSTNode) -> bool:
    return "#" in cst.Module(body=[]).code_for_node(node) if node is not None else False


def add_item(
    items: Sequence[cst.Arg] | Sequence[cst.BaseDictElement], container: cst.CSTNode, code: str
) -> NodeEdit:
    """Append ``code`` as a new last argument/element in the style of the existing ones."""
    if not items:  # insert just before the closing bracket, where the container ends
        return NodeEdit((container, "before_end"), (container, "before_end"), _escape(code))
    last = items[-1]
    anchor: cst.CSTNode = last.value
    multiline = [
        isinstance(item.comma, cst.Comma)
        and isinstance(item.comma.whitespace_after, cst.ParenthesizedWhitespace)
        for item in items
    ]
    if multiline[-1] or (len(items) > 1 and multiline[-2]):
        # one item per line: the new one goes on a line of its own at the same indentation
        # (a trailing comma after the old last item now follows the new one)
        return NodeEdit((anchor, "end"), (anchor, "end"),
                        ",{nl}{indent}" + _escape(code), indent_of=last)
    return NodeEdit((anchor, "end"), (anchor, "end"), ", " + _escape(code))


def remove_item(
    items: Sequence[cst.Arg] | Sequence[cst.BaseDictElement], target: cst.CSTNode
) -> NodeEdit | None:
    """Delete one argument/element with its separator; None when a comment would be lost."""
    index = next(i for i, item in enumerate(items) if item is target)
    if _has_comment(target):
        return None
    if index + 1 < len(items):
        if _has_comment(items[index].comma):
            return None
        return NodeEdit((target, "start"), (items[index + 1], "start"), "")
    if index > 0:
        previous = items[index - 1]
        if _has_comment(previous.comma):
            return None
        return NodeEdit((previous.value, "end"), (target, "end"), "")
    return NodeEdit((target, "start"), (target, "end"), "")


def _escape(code: str) -> str:
    return code.replace("{", "{{").replace("}", "}}")
