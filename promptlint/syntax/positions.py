"""Positions of the few nodes a report needs, without generating code for the whole module.

libcst computes positions by regenerating the module's source, which costs several times the
parse. Findings need positions of a handful of nodes, so this locator regenerates only the
top-level statements that hold them, starting each at the line Python's own (C) parser gives
for it. When that mapping cannot be made it falls back to libcst's PositionProvider.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import Any

import libcst as cst
from libcst.metadata import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

from promptlint.syntax.walk import walk

_NEWLINE = re.compile(r"\r\n|\r|\n")  # linear: literals
_BLANK = cst.Module(body=[])  # generates the code of single nodes


class Locator:
    def __init__(self, module: cst.Module, text: str,
                 statement_of: dict[int, int] | None = None,
                 body: list[ast.stmt] | None = None) -> None:
        self.module = module
        self._body = body  # the C parser's top-level statements of ``text``, when known
        self.text = text
        self._computed: dict[cst.CSTNode, CodeRange] = {}  # filled by the codegen state
        self._statement_of = statement_of
        self._starts: list[int] | None = None
        self._done: set[int] = set()
        self._full = False
        self._line_starts: list[int] | None = None
        self._ends: list[int] | None = None  # last line of each top-level statement

    def get(self, node: cst.CSTNode) -> CodeRange | None:
        found = self._computed.get(node)
        if found is not None or self._full:
            return found
        found = self._by_text(node)
        if found is not None:
            self._computed[node] = found
            return found
        index = self._index(node)
        if index is None or index in self._done:
            return None
        starts = self._statement_starts()
        if starts is None:
            self._generate_all()
            return self._computed.get(node)
        self._generate(index, starts[index])
        return self._computed.get(node)

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self.get(node)
        if found is None:
            raise KeyError(node)
        return found

    # ---- internals ----------------------------------------------------------------------------
    def _by_text(self, node: cst.CSTNode) -> CodeRange | None:
        """A name, literal or one-line expression whose text occurs exactly once in the file
        (or in its top-level statement) is found by search; a keyword or ``*``/``**``
        argument spans from its keyword or stars to the end of its value."""
        if isinstance(node, cst.Arg):
            if getattr(node.value, "lpar", None):
                return None  # the argument spans the parentheses, the value's position not
            if node.star:  # `**PARAMS`: the stars just before the value
                space = node.whitespace_after_star
                last = self.get(node.value)
                if last is None or not isinstance(space, cst.SimpleWhitespace) or (
                        space.value or last.start.column < len(node.star)):
                    return None
                return CodeRange(CodePosition(last.start.line,
                                              last.start.column - len(node.star)), last.end)
            if node.keyword is None:
                return None
            first, last = self.get(node.keyword), self.get(node.value)
            return CodeRange(first.start, last.end) if first and last else None
        if isinstance(node, cst.Name):
            code, word = node.value, True
        elif isinstance(node, (cst.Integer, cst.Float)):
            code, word = node.value, True
        elif isinstance(node, cst.SimpleString):
            code, word = node.value, False
        elif isinstance(node, cst.BaseExpression) and not node.lpar and not isinstance(
                node, cst.StarredElement):  # (an element's code holds its comma)
            # any other expression on one line: its own code, found once (without parentheses
            # an expression's code is exactly its span; a multi-line one depends on indentation)
            code, word = _BLANK.code_for_node(node), False
            if "\n" in code or "\r" in code:
                return None
        else:
            return None
        if node.lpar or not code:
            return None
        start = self._unique(code, word, 0, len(self.text))
        if start is None:
            # not unique in the file: perhaps unique inside its own top-level statement
            span = self._statement_span(node)
            if span is None:
                return None
            start = self._unique(code, word, *span)
            if start is None:
                return None
        return CodeRange(self._position(start), self._position(start + len(code)))

    def _unique(self, code: str, word: bool, begin: int, end: int) -> int | None:
        if word:
            # a literal between one-character look-arounds: linear in the searched span
            pattern = re.compile(rf"(?<!\w){re.escape(code)}(?!\w)")
            matches = pattern.finditer(self.text, begin, end)
            first = next(matches, None)
            if first is None or next(matches, None) is not None:
                return None
            return first.start()
        start = self.text.find(code, begin, end)
        if start == -1 or self.text.find(code, start + 1, end) != -1:
            return None
        return start

    def _statement_span(self, node: cst.CSTNode) -> tuple[int, int] | None:
        """Character offsets of the lines of the top-level statement holding ``node``."""
        index = self._index(node)
        starts = self._statement_starts() if index is not None else None
        if index is None or starts is None or self._ends is None:
            return None
        self._position(0)  # fills the line table
        assert self._line_starts is not None
        first_line = starts[index] + len(self.module.body[index].leading_lines)
        last_line = self._ends[index]
        if first_line - 1 >= len(self._line_starts):
            return None
        begin = self._line_starts[first_line - 1]
        end = self._line_starts[last_line] if last_line < len(self._line_starts) else len(
            self.text)
        return begin, end

    def _position(self, offset: int) -> CodePosition:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(self.text)]
        line = bisect.bisect_right(self._line_starts, offset)
        return CodePosition(line, offset - self._line_starts[line - 1])

    def _index(self, node: cst.CSTNode) -> int | None:
        if self._statement_of is None:
            self._statement_of = {}
            for index, statement in enumerate(self.module.body):
                for inner in walk(statement):
                    self._statement_of[id(inner)] = index
        return self._statement_of.get(id(node))

    def _statement_starts(self) -> list[int] | None:
        """The line where each top-level statement's generated code begins (its leading
        blank and comment lines included), from Python's own parser."""
        if self._starts is not None:
            return self._starts
        if self._body is None:
            try:
                self._body = ast.parse(self.text).body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
        nodes = list(self._body)
        starts: list[int] = []
        ends: list[int] = []
        cursor = 0
        for statement in self.module.body:
            if cursor >= len(nodes):
                return None
            first = nodes[cursor]
            decorators = getattr(first, "decorator_list", None)
            line = decorators[0].lineno if decorators else first.lineno
            starts.append(line - len(statement.leading_lines))
            cursor += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
            ends.append(nodes[cursor - 1].end_lineno or line)
        if cursor != len(nodes):
            return None
        self._starts, self._ends = starts, ends
        return starts

    def _state(self, line: int) -> Any:
        state = PositionProvidingCodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            provider=self,  # type: ignore[arg-type]  # it only needs ``_computed``
        )
        state.line = line
        state.column = 0
        return state

    def _generate(self, index: int, line: int) -> None:
        self.module.body[index]._codegen(self._state(line))
        self._done.add(index)

    def _generate_all(self) -> None:
        self.module._codegen(self._state(1))
        self._full = True
