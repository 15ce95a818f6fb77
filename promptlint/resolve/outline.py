"""Python's own (C) parser decides, before libcst, what of a file needs libcst at all.

libcst builds a Python object for every token of a file, which costs about thirteen times what
the C parser (``ast``) takes. Two decisions are made on the C parser's tree instead:

* ``has_request_call``: the byte prefilter also passes files that mention
  ``.messages.create(`` only in a docstring or a comment (the SDK's own sources do); a file
  whose code holds no such attribute chain cannot contain a request.
* ``slice_source``: of a file that does, the top-level functions and classes that cannot take
  part in any request are replaced by empty lines (``slicing``), so libcst parses only the
  rest. A definition is needed for what it holds when it holds a request chain or mentions
  ``anthropic``; the wrappers it may call are the words that keep it. Anything the C parser
  cannot read is left whole.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from promptlint import prefilter
from promptlint.syntax import slicing

_METHODS = frozenset(prefilter.METHODS)
_MIDDLE = frozenset(prefilter.MIDDLE)
# Source text. Linear: a literal.
_ANTHROPIC = re.compile(r"anthropic", re.IGNORECASE)
_SDK = frozenset({"anthropic"})  # imports of it are the SDK's, never the project's wrappers


@dataclass
class Outline:
    tree: ast.Module  # the C parser's tree
    lines: list[int]  # where the byte pattern of a request matched (ascending, 1-based)

    def has_request_call(self) -> bool:
        return has_request_call(self.tree, self.lines)


def read(text: str, data: bytes | None = None) -> Outline | None:
    """The outline of a file's text (``data``: its bytes, when at hand), or None when the C
    parser cannot read it (libcst then decides)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not ours to report
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    if data is None:
        data = text.encode("utf-8", "surrogatepass")
    return Outline(tree, prefilter.request_lines(data))


def _is_chain(node: ast.AST) -> bool:
    """``<x>.messages[.with_raw_response|.with_streaming_response|.batches].<method>``, the
    shape the byte prefilter looks for, here only in code."""
    if not (isinstance(node, ast.Attribute) and node.attr in _METHODS):
        return False
    inner = node.value
    if isinstance(inner, ast.Attribute) and inner.attr in _MIDDLE:
        inner = inner.value
    return isinstance(inner, ast.Attribute) and inner.attr == "messages"


def has_request_call(node: ast.AST, lines: list[int]) -> bool:
    """Whether the code of ``node`` holds a request chain. ``lines``: where the byte pattern
    matched (ascending); parts of the tree that span none of them are not looked into."""
    for child in ast.iter_child_nodes(node):
        start = getattr(child, "lineno", None)
        if start is not None:
            index = bisect.bisect_left(lines, start)
            if index == len(lines) or lines[index] > (child.end_lineno or start):
                continue
        if _is_chain(child) or has_request_call(child, lines):
            return True
    return False


def slice_source(text: str, outline: Outline, words: Iterable[str] = (),
                 first_party: Callable[[str], bool] | None = None) -> slicing.Slice | None:
    """The source with the top-level definitions no request can involve left out, or None
    when every statement is needed. ``words``: names whose mention keeps a definition (wrapper
    names); ``first_party(dotted)``: whether an imported module belongs to the project."""
    lines = outline.lines

    def holds(definition: ast.stmt, segment: str) -> bool:
        return bool(_ANTHROPIC.search(segment)) or has_request_call(definition, lines)

    return slicing.slice_source(text, outline.tree.body, holds, words, first_party, _SDK)
