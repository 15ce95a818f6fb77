"""Prompt text as a sequence of static segments and dynamic holes."""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

# private-use characters stand in for holes while a str method runs over the whole text
_MARK_BASE = 0xF0000


@dataclass(frozen=True)
class Segment:
    """Known static text, or a hole (``text is None``) described by ``hole``."""

    text: str | None
    hole: str = ""
    node: cst.CSTNode | None = None  # the expression that fills the hole
    path: Path | None = None  # the file that node lives in, when not the linted file
    varies: bool = False  # known to change per request (not merely unknown to promptlint)

    @property
    def is_hole(self) -> bool:
        return self.text is None


@dataclass(frozen=True)
class Text:
    segments: tuple[Segment, ...]

    @classmethod
    def of(cls, *parts: str | Segment | Text) -> Text:
        out: list[Segment] = []
        for part in parts:
            if isinstance(part, Text):
                out.extend(part.segments)
            elif isinstance(part, Segment):
                out.append(part)
            elif part:
                out.append(Segment(part))
        return cls(_merge(out))

    @classmethod
    def hole(cls, description: str, node: cst.CSTNode | None = None,
             path: Path | None = None, varies: bool = False) -> Text:
        return cls((Segment(None, description, node, path, varies),))

    @property
    def static(self) -> bool:
        return all(not s.is_hole for s in self.segments)

    @property
    def holes(self) -> list[Segment]:
        return [s for s in self.segments if s.is_hole]

    def static_text(self) -> str:
        return "".join(s.text or "" for s in self.segments)

    def leading_static(self) -> str:
        out = []
        for segment in self.segments:
            if segment.is_hole:
                break
            out.append(segment.text or "")
        return "".join(out)

    def map_text(self, func: Callable[[str], str]) -> Text:
        """Apply a str -> str function (dedent, strip, ...) across holes."""
        if self.static:
            return Text.of(func(self.static_text()))
        marks = []
        parts = []
        for index, segment in enumerate(self.segments):
            if segment.is_hole:
                marks.append(segment)
                parts.append(chr(_MARK_BASE + len(marks) - 1))
            else:
                parts.append(segment.text or "")
            del index
        transformed = func("".join(parts))
        out: list[Segment] = []
        # one character class of private-use marks: linear
        for piece in re.split(f"([{chr(_MARK_BASE)}-{chr(_MARK_BASE + max(len(marks), 1))}])",
                              transformed):
            if len(piece) == 1 and _MARK_BASE <= ord(piece) < _MARK_BASE + len(marks):
                out.append(marks[ord(piece) - _MARK_BASE])
            elif piece:
                out.append(Segment(piece))
        return Text(_merge(out))


def _merge(segments: Iterable[Segment]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for segment in segments:
        if not segment.is_hole and not segment.text:
            continue
        if out and not segment.is_hole and not out[-1].is_hole:
            out[-1] = Segment((out[-1].text or "") + (segment.text or ""))
        else:
            out.append(segment)
    return tuple(out)


STR_METHODS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "lstrip": str.lstrip,
    "rstrip": str.rstrip,
}
TEXT_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "textwrap.dedent": textwrap.dedent,
    "dedent": textwrap.dedent,
    "inspect.cleandoc": inspect.cleandoc,
    "cleandoc": inspect.cleandoc,
}
