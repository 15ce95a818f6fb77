"""Fix proposals in terms of syntax nodes, and the libcst rewrites rules use to build them.

Rules describe a fix as "replace this node's source with that code"; the engine turns nodes into
source offsets and the fixer applies them. Generated code copies the surrounding style (quote
character, separators and trailing commas of multi-line calls).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from promptlint.findings import Safety

LITERAL_TYPES = (
    cst.Integer, cst.Float, cst.SimpleString, cst.BinaryOperation, cst.UnaryOperation,
)


@dataclass
class NodeEdit:
    """Replace the source of ``node`` with ``content``."""

    node: cst.CSTNode
    content: str


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


def _separator(args: list[cst.Arg], whitespace_before_args: cst.BaseParenthesizableWhitespace
               ) -> cst.Comma:
    """The comma used between arguments in this call."""
    for arg in args[:-1]:
        if isinstance(arg.comma, cst.Comma):
            return arg.comma
    if isinstance(whitespace_before_args, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=whitespace_before_args)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def add_call_kwarg(call: cst.Call, name: str, code: str) -> cst.Call:
    new_arg = cst.Arg(
        keyword=cst.Name(name),
        value=cst.parse_expression(code),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new_arg])
    last = args[-1]
    separator = _separator(args, call.whitespace_before_args)
    if isinstance(last.comma, cst.Comma):  # trailing comma: keep it after the new last arg
        args[-1] = last.with_changes(comma=separator)
        args.append(new_arg.with_changes(comma=last.comma))
    else:
        args[-1] = last.with_changes(comma=separator)
        args.append(new_arg)
    # keyword arguments must come before **splat only by convention; after is legal too
    return call.with_changes(args=args)


def remove_call_arg(call: cst.Call, target: cst.Arg) -> cst.Call:
    args = list(call.args)
    index = next(i for i, a in enumerate(args) if a is target)
    removed = args.pop(index)
    if index == len(args) and args:  # removed the last one: the new last takes its comma
        args[-1] = args[-1].with_changes(comma=removed.comma)
    return call.with_changes(args=args)


def add_dict_item(node: cst.Dict, key: str, code: str) -> cst.Dict:
    elements = list(node.elements)
    quoted_from = next(
        (e.key for e in elements if isinstance(e, cst.DictElement)
         and isinstance(e.key, cst.SimpleString)),
        None,
    )
    new = cst.DictElement(
        key=cst.parse_expression(string_like(quoted_from, key)),
        value=cst.parse_expression(code),
    )
    if not elements:
        return node.with_changes(elements=[new])
    last = elements[-1]
    separator = next(
        (e.comma for e in elements[:-1] if isinstance(e.comma, cst.Comma)),
        cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
    )
    if isinstance(last.comma, cst.Comma):
        elements[-1] = last.with_changes(comma=separator)
        elements.append(new.with_changes(comma=last.comma))
    else:
        elements[-1] = last.with_changes(comma=separator)
        elements.append(new)
    return node.with_changes(elements=elements)


def remove_dict_item(node: cst.Dict, target: cst.BaseDictElement) -> cst.Dict:
    elements = list(node.elements)
    index = next(i for i, e in enumerate(elements) if e is target)
    removed = elements.pop(index)
    if index == len(elements) and elements:
        elements[-1] = elements[-1].with_changes(comma=removed.comma)
    return node.with_changes(elements=elements)
