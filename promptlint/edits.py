"""Fix proposals in terms of syntax nodes, and the libcst rewrites rules use to build them.

Rules describe a fix as "replace this node's source with that code"; the engine turns nodes into
source offsets and the fixer applies them. Generated code copies the surrounding style (quote
character, separators and trailing commas of multi-line calls).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


# ---- code built from nodes: what fixes write ------------------------------------------------
_EMPTY = cst.Module(body=[])


def render(node: cst.CSTNode, module: cst.Module | None = None) -> str:
    """The source of a node (its own whitespace and comments included); line breaks the node
    leaves to its module are ``module``'s."""
    if isinstance(node, (cst.Integer, cst.SimpleString)) and not node.lpar:
        return node.value  # a literal (most fixes): no code generation needed
    return (module or _EMPTY).code_for_node(node)


def literal(value: int | str, like: cst.CSTNode | None = None) -> cst.BaseExpression:
    """An int or str literal in the style of the literal ``like`` (its quotes; its digit
    grouping: ``200_000`` -> ``128_000``)."""
    if isinstance(value, str):
        return cst.SimpleString(string_like(like, value))
    if isinstance(like, cst.Integer) and "_" in like.value:
        return cst.Integer(f"{value:_}")
    return cst.Integer(str(value))


def keyword(name: str, value: cst.BaseExpression) -> str:
    """``name=value``, as a new keyword argument."""
    return name + "=" + render(value)


def dict_item(key: str, value: cst.BaseExpression, like: cst.CSTNode | None = None) -> str:
    """``"key": value``, as a new dict item (the key quoted like ``like``)."""
    return string_like(like, key) + ": " + render(value)


def ephemeral() -> cst.Dict:
    """The cache marker ``{"type": "ephemeral"}``."""
    return cst.Dict([_item("type", "ephemeral")])


def text_block(text: cst.BaseExpression, cached: bool = False) -> cst.Dict:
    """A text content block ``{"type": "text", "text": <text>}``; ``cached``: with a cache
    marker after it."""
    items = [_item("type", "text"), cst.DictElement(cst.SimpleString('"text"'), text)]
    if cached:
        items.append(cst.DictElement(cst.SimpleString('"cache_control"'), ephemeral()))
    return cst.Dict(items)


def blocks(*items: cst.BaseExpression, module: cst.Module | None = None) -> str:
    """A list of content blocks (the code of a ``system=`` value): on one line, unless a block's
    own text spans lines (rendered with ``module``'s line breaks)."""
    return render(cst.List([cst.Element(item) for item in items]), module)


def split_at_last_hole(value: cst.BaseExpression,
                       varies: Callable[[cst.BaseExpression], bool]
                       ) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """Split a one-line string expression after its last part that ``varies``: an f-string
    (``f"{a}..."``) or a sum (``a + STATIC``). Returns (dynamic head, static tail), or None
    when nothing static follows the last varying part, or either part spans lines."""
    parts = _split_f_string(value, varies) if isinstance(value, cst.FormattedString) else (
        _split_sum(value, varies) if isinstance(value, cst.BinaryOperation) else None)
    if parts is None or any("\n" in render(part) for part in parts):
        return None
    return parts


def _split_f_string(value: cst.FormattedString, varies: Callable[[cst.BaseExpression], bool]
                    ) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    if value.lpar:
        return None
    parts = list(value.parts)
    last = max((i for i, p in enumerate(parts)
                if isinstance(p, cst.FormattedStringExpression) and varies(p.expression)),
               default=-1)
    if last < 0 or last == len(parts) - 1:
        return None
    return (value.with_changes(parts=parts[:last + 1]),
            value.with_changes(parts=parts[last + 1:]))


def _split_sum(value: cst.BinaryOperation, varies: Callable[[cst.BaseExpression], bool]
               ) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    if not isinstance(value.operator, cst.Add):
        return None
    operands: list[cst.BaseExpression] = []
    node: cst.BaseExpression = value
    while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) \
            and not node.lpar:
        operands.insert(0, node.right)
        node = node.left
    operands.insert(0, node)
    varying = [i for i, o in enumerate(operands)
               if not isinstance(o, (cst.SimpleString, cst.ConcatenatedString)) and varies(o)]
    if not varying or varying[-1] == len(operands) - 1:
        return None
    cut = varying[-1] + 1
    return _sum(operands[:cut]), _sum(operands[cut:])


def _sum(operands: list[cst.BaseExpression]) -> cst.BaseExpression:
    out = operands[0]
    for operand in operands[1:]:
        out = cst.BinaryOperation(out, cst.Add(), operand)
    return out


def _item(key: str, text: str) -> cst.DictElement:
    return cst.DictElement(cst.SimpleString(string_like(None, key)),
                           cst.SimpleString(string_like(None, text)))
