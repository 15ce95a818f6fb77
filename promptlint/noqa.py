"""`# noqa` comments: reading them (the engine's suppressions) and adding codes to a line (the
language server's "suppress" action and `check --add-noqa`)."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable

NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_LINE_END = re.compile(r"[\r\n]+$")


def codes_of(match: re.Match[str]) -> set[str] | None:
    """The codes a noqa comment names, upper-cased; None for a bare ``# noqa`` (all codes)."""
    codes = match.group("codes")
    if not codes:
        return None
    return {c.upper() for c in re.split(r"[,\s]+", codes) if c}


def suppresses(line: str, code: str) -> bool:
    match = NOQA.search(line)
    if match is None:
        return False
    codes = codes_of(match)
    return codes is None or code in codes


def noqa_edit(line: str, codes: Iterable[str]) -> tuple[int, int, str] | None:
    """How to make ``line`` (with or without its line ending) suppress ``codes``: replace
    columns [start, end) with the returned text. None when the line suppresses them already."""
    wanted = sorted(set(codes))
    ending = _LINE_END.search(line)
    body = line[: ending.start()] if ending else line
    match = NOQA.search(body)
    if match is not None:
        present = codes_of(match)
        if present is None:
            return None
        missing = [c for c in wanted if c not in present]
        if not missing:
            return None
        end = match.end("codes")
        return end, end, ", " + ", ".join(missing)
    stripped = body.rstrip()
    return len(stripped), len(body), "  # noqa: " + ", ".join(wanted)


def uncommentable_lines(text: str) -> set[int]:
    """1-based lines whose end is inside a string or continued with a backslash: a comment
    cannot be added there."""
    out: set[int] = set()
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if line.rstrip().endswith("\\"):
            out.add(number)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return out
    start_kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_START", -1)}
    open_at: list[int] = []
    for token in tokens:
        if token.type == getattr(tokenize, "FSTRING_START", -1):
            open_at.append(token.start[0])
        elif token.type == getattr(tokenize, "FSTRING_END", -1) and open_at:
            first = open_at.pop()
            out.update(range(first, token.end[0]))
        elif token.type in start_kinds and token.end[0] > token.start[0]:
            out.update(range(token.start[0], token.end[0]))
    return out
