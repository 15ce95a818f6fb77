"""Python's own (C) parser decides, before libcst, what of a file needs libcst at all.

libcst builds a Python object for every token of a file, which costs about thirteen times what
the C parser (``ast``) takes. Two decisions are made on the C parser's tree instead:

* ``has_request_call``: the byte prefilter also passes files that mention
  ``.messages.create(`` only in a docstring or a comment (the SDK's own sources do); a file
  whose code holds no such attribute chain cannot contain a request.
* ``slice_source``: of a file that does, the top-level functions and classes that cannot take
  part in any request are replaced by empty lines, so libcst parses only the rest. Lines and
  columns of everything kept are unchanged. A definition is kept when it holds a request chain,
  mentions ``anthropic``, holds a ``global``, ``nonlocal`` or ``import`` statement, mentions one
  of the given wrapper names, the name of anything kept, or a name imported from a module of
  the project (it may be a wrapper); and when anything kept mentions its name. Every other
  statement is always kept. Anything the C parser cannot read is left whole.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from promptlint import prefilter

_METHODS = frozenset(prefilter.METHODS)
_MIDDLE = frozenset(prefilter.MIDDLE)
_DEFINITION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Source text. Linear: _ANTHROPIC is a literal; _WORD one class then another; _LINE reads a
# line to its break (the second alternative only at the last, unterminated line).
_ANTHROPIC = re.compile(r"anthropic", re.IGNORECASE)
# statements that bind names outside their own scope or bring in other modules: a definition
# holding one is always kept (found in the tree: the words alone are common in docstrings)
_BINDING = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)
_WORD = re.compile(r"[^\W\d]\w*")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


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


@dataclass
class Slice:
    text: str  # the source with dropped definitions blanked (same lines and columns)
    body: list[ast.stmt]  # the C parser's top-level statements that were kept, in order


def slice_source(text: str, outline: Outline, words: Iterable[str] = (),
                 first_party: Callable[[str], bool] | None = None) -> Slice | None:
    """The source with the top-level definitions no request can involve left out, or None
    when every statement is needed. ``words``: names whose mention keeps a definition (wrapper
    names); ``first_party(dotted)``: whether an imported module belongs to the project."""
    body = outline.tree.body
    if not any(isinstance(s, _DEFINITION) for s in body):
        return None
    lines = _LINE.findall(text)
    imported = _project_imports(body, first_party)
    if imported is None:
        return None  # a star import from the project: any name may be a wrapper
    extra = frozenset(words) | imported

    keep = [True] * len(body)
    pending: dict[str, list[int]] = defaultdict(list)  # name -> undecided definitions using it
    named: dict[str, list[int]] = defaultdict(list)  # name -> undecided definitions of it
    mentions: list[set[str]] = []
    queue: list[int] = []
    for index, statement in enumerate(body):
        first = min([statement.lineno, *(d.lineno for d in
                                         getattr(statement, "decorator_list", ()))])
        segment = "".join(lines[first - 1:statement.end_lineno or first])
        used = set(_WORD.findall(segment))
        mentions.append(used)
        if not isinstance(statement, _DEFINITION):
            queue.append(index)
            continue
        if (_ANTHROPIC.search(segment) or used & extra
                or any(isinstance(node, _BINDING) for node in ast.walk(statement))
                or has_request_call(statement, outline.lines)):
            queue.append(index)
            continue
        keep[index] = False
        named[statement.name].append(index)
        for word in used - {statement.name}:
            pending[word].append(index)
    if all(keep):
        return None

    def mark(index: int) -> None:
        if not keep[index]:
            keep[index] = True
            queue.append(index)

    seen_names: set[str] = set()
    while queue:
        index = queue.pop()
        statement = body[index]
        for word in mentions[index]:  # what a kept statement mentions is kept
            for other in named.pop(word, ()):
                mark(other)
        if isinstance(statement, _DEFINITION) and statement.name not in seen_names:
            seen_names.add(statement.name)  # what mentions a kept definition is kept
            for other in pending.pop(statement.name, ()):
                mark(other)
    if all(keep):
        return None
    out = list(lines)
    for index, statement in enumerate(body):
        if keep[index]:
            continue
        first = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
        for number in range(first - 1, statement.end_lineno or first):
            line = out[number]
            out[number] = line[len(line.rstrip("\r\n")):]
    return Slice("".join(out), [s for s, k in zip(body, keep, strict=True) if k])


def _project_imports(body: list[ast.stmt],
                     first_party: Callable[[str], bool] | None) -> frozenset[str] | None:
    """Local names bound by top-level imports from the project's own modules."""
    if first_party is None:
        return frozenset()
    out: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name.split(".")[0] == "anthropic":
                    continue
                if first_party(alias.name) or first_party(alias.name.split(".")[0]):
                    out.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(statement, ast.ImportFrom):
            module = "." * statement.level + (statement.module or "")
            if module.lstrip(".").split(".")[0] == "anthropic":
                continue
            base = first_party(module) if module.strip(".") else False
            for alias in statement.names:
                sub = f"{module}.{alias.name}" if module.strip(".") else module + alias.name
                if alias.name == "*":
                    if base:
                        return None
                    continue
                if base or first_party(sub):
                    out.add(alias.asname or alias.name)
    return frozenset(out)
