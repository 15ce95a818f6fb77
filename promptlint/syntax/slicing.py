"""Leaving out of a parse the top-level definitions nothing needs, lines and columns unchanged.

Of a module's top-level statements (the C parser's, which costs a fraction of libcst's parse),
the functions and classes that cannot matter are replaced by empty lines, so libcst parses only
the rest. A definition is kept when the caller says it holds something needed, when it holds a
``global``, ``nonlocal`` or ``import`` statement, mentions one of the given words, the name of
anything kept, or a name imported from a module of the project; and when anything kept mentions
its name. Every other statement is always kept.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_DEFINITION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# statements that bind names outside their own scope or bring in other modules: a definition
# holding one is always kept (found in the tree: the words alone are common in docstrings)
_BINDING = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)
# the keywords one of them is written with: a definition whose text has none holds none of them
_BINDING_WORDS = frozenset({"import", "global", "nonlocal"})
# Source text. Linear: _WORD is one class then another; _LINE reads a line to its break (the
# second alternative only at the last, unterminated line).
_WORD = re.compile(r"[^\W\d]\w*")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass
class Slice:
    text: str  # the source with dropped definitions blanked (same lines and columns)
    body: list[ast.stmt]  # the C parser's top-level statements that were kept, in order


def slice_source(text: str, body: list[ast.stmt], holds: Callable[[ast.stmt, str], bool],
                 words: Iterable[str] = (), first_party: Callable[[str], bool] | None = None,
                 foreign: frozenset[str] = frozenset()) -> Slice | None:
    """The source with the top-level definitions nothing needs left out, or None when every
    statement is needed. ``body``: the C parser's top-level statements of ``text``;
    ``holds(definition, its source)``: whether a definition is needed for what it holds;
    ``words``: names whose mention keeps a definition; ``first_party(dotted)``: whether an
    imported module belongs to the project (``foreign``: top-level packages that never do)."""
    if not any(isinstance(s, _DEFINITION) for s in body):
        return None
    lines = _LINE.findall(text)
    imported = _project_imports(body, first_party, foreign)
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
        if (used & extra or holds(statement, segment)
                or (used & _BINDING_WORDS
                    and any(isinstance(node, _BINDING) for node in ast.walk(statement)))):
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


def _project_imports(body: list[ast.stmt], first_party: Callable[[str], bool] | None,
                     foreign: frozenset[str]) -> frozenset[str] | None:
    """Local names bound by top-level imports from the project's own modules."""
    if first_party is None:
        return frozenset()
    out: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name.split(".")[0] in foreign:
                    continue
                if first_party(alias.name) or first_party(alias.name.split(".")[0]):
                    out.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(statement, ast.ImportFrom):
            module = "." * statement.level + (statement.module or "")
            if module.lstrip(".").split(".")[0] in foreign:
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
