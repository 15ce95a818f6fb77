"""`# noqa` comments: reading them (the engine's suppressions) and adding codes to a line (the
language server's "suppress" action and `check --add-noqa`)."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable

# Comments of the user's source. Linear: after ``noqa:`` the codes alternate letters, digits and
# separators, three disjoint classes, so each character has one way to match.
NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)


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
    body = line.rstrip("\r\n")
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


def comment_lines(text: str) -> dict[int, int]:
    """For the 1-based lines whose end is inside a string or continued with a backslash, the
    line where a comment about them goes (where the string or the continuation ends), as Ruff
    puts a noqa for a multi-line string after the string."""
    moved: dict[int, int] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    commented = {t.start[0] for t in tokens if t.type == tokenize.COMMENT}
    for number, line in enumerate(text.splitlines(), 1):
        if line.rstrip().endswith("\\") and number not in commented:
            moved[number] = number + 1
    fstring_start = getattr(tokenize, "FSTRING_START", -1)
    fstring_end = getattr(tokenize, "FSTRING_END", -1)
    open_at: list[int] = []
    for token in tokens:
        if token.type == fstring_start:
            open_at.append(token.start[0])
        elif token.type == fstring_end and open_at:
            first = open_at.pop()
            moved.update((n, token.end[0]) for n in range(first, token.end[0]))
        elif token.type == tokenize.STRING and token.end[0] > token.start[0]:
            moved.update((n, token.end[0]) for n in range(token.start[0], token.end[0]))
    resolved: dict[int, int] = {}
    for line in sorted(moved, reverse=True):  # targets lie below: each resolved once
        resolved[line] = resolved.get(moved[line], moved[line])
    return resolved


# Linear: anchored at line starts, and only a line whose first non-blank is "#" gets further;
# the codes part is NOQA's (disjoint classes).
_FILE_NOQA = re.compile(
    r"^[ \t]*#[ \t]*promptlint:[ \t]*noqa(?::[ \t]*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?"
    r"[ \t]*$", re.IGNORECASE | re.MULTILINE)


def file_exemptions(text: str) -> set[str] | None:
    """The codes a file-level ``# promptlint: noqa: CODE`` (a comment on a line of its own)
    exempts the whole file from; None when a bare ``# promptlint: noqa`` exempts it from all;
    an empty set when there is none."""
    if "promptlint:" not in text:
        return set()
    out: set[str] = set()
    for match in _FILE_NOQA.finditer(text):
        codes = codes_of(match)
        if codes is None:
            return None
        out |= codes
    return out
