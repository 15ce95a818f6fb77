"""A byte-level test that skips files that cannot contain a request, before any parsing.

Every request promptlint detects is a call through an attribute chain
``<receiver>.messages[.beta ...][.with_raw_response|.with_streaming_response|.batches].<method>(``
with method create, stream, parse or count_tokens. The module need not mention ``anthropic``:
its client may come from another module of the project (``from .llm import client``), a
factory or a pytest fixture in ``conftest.py``. A Python file without such a chain is not
parsed. Notebooks store code as JSON strings (line breaks escaped), so for them the test is
looser: ``messages`` and ``anthropic`` anywhere, or a chain on one line. A file that makes no
request may still call one of the project's wrapper functions: the run checks such files in
a second pass, against the wrapper names found in the first. libcst is not imported here.

Bounded time: this runs on every byte of every file, so it must take time linear in the input
whatever the input is. The chain is found by a scan, not by one regular expression: each
occurrence of ``messages`` is followed by a few steps, each a regular expression *matched* at a
known position (never searched), whose repetitions are possessive and whose alternatives start
with different bytes, so that each step reads every byte at most once and never backtracks.
The scan then resumes after the furthest byte a step read: an occurrence of ``messages`` inside
a gap (a comment between the parts of a chain) is never code, so skipping it drops nothing.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from promptlint import facts

# the chain ``.messages[.<middle>].<method>`` (also checked on Python's own tree: outline.py),
# its names from facts/api.json, read once at import
METHODS: tuple[str, ...] = tuple(facts.api("request_methods"))
MIDDLE: tuple[str, ...] = (*facts.api("response_wrappers"), facts.api("batches_resource"))

# A gap inside a chain: whitespace, line continuations and comments. Linear: the three
# alternatives begin with disjoint bytes (whitespace, ``\``, ``#``) and every repetition is
# possessive, so a gap is read once, left to right, with no backtracking.
_GAP = rb"(?:\s++|\\|#[^\r\n]*+)*+"
_GAP_RE = re.compile(_GAP)
_WORD = b"messages"
# after ``messages`` + gap: ``.`` gap [middle gap ``.`` gap] method. The alternatives are literal
# words; trying a middle name and then a method name reads at most a few dozen bytes twice.
_DOT = re.compile(rb"\." + _GAP)
_MIDDLE_RE = re.compile(rb"(?:" + "|".join(MIDDLE).encode() + rb")(?!\w)" + _GAP + rb"\." + _GAP)
_METHOD_RE = re.compile(rb"(?:" + "|".join(METHODS).encode() + rb")(?!\w)")
# then the call: gaps and closing parentheses (``(client.messages.create)(...)``), then ``(``
_CALL_GAP = re.compile(rb"(?:\s++|\\|#[^\r\n]*+|\)++)*+")
_LOOKBACK = 512  # bytes of whitespace looked back over for the ``.`` before ``messages``


def _preceded_by_dot(data: bytes, start: int) -> bool:
    """Whether ``messages`` at ``start`` may follow a ``.``, looking back over spaces and line
    continuations (a bounded window). A line break (the previous line may end in ``x.  # note``)
    or a blank window longer than the look-back may: the answer errs towards parsing."""
    if data[start - 1:start] == b".":
        return True
    stripped = data[max(0, start - _LOOKBACK):start].rstrip(b" \t\f\v\\")
    return stripped.endswith((b".", b"\n", b"\r")) or (not stripped and start > _LOOKBACK)


def _chains(data: bytes) -> Iterator[int]:
    """Offsets of ``messages`` where a request chain's pattern begins."""
    find = data.find
    position = 0
    while (start := find(_WORD, position)) != -1:
        position = start + len(_WORD)
        if start and (data[start - 1:start].isalnum() or data[start - 1] == 95):  # ``_``
            continue
        if not _preceded_by_dot(data, start):
            continue
        cursor = _GAP_RE.match(data, position).end()
        position = max(position, cursor)
        dot = _DOT.match(data, cursor)
        if dot is None:
            continue
        cursor = position = dot.end()
        middle = _MIDDLE_RE.match(data, cursor)
        if middle is not None:
            cursor = position = middle.end()
        method = _METHOD_RE.match(data, cursor)
        if method is None:
            continue
        cursor = _CALL_GAP.match(data, method.end()).end()
        position = max(position, cursor)
        if data[cursor:cursor + 1] == b"(":
            yield start


def may_contain_request(data: bytes, notebook: bool = False) -> bool:
    if _WORD not in data:
        return False
    if notebook and b"anthropic" in data:
        return True
    return next(_chains(data), None) is not None


def request_lines(data: bytes) -> list[int]:
    """The lines (1-based, ascending) where the call-chain pattern's ``messages`` stands: a
    request in code spans one of them, though a match may also be in a string or a comment."""
    if b"\r" in data:
        starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", data)]
        return [bisect.bisect_right(starts, offset) for offset in _chains(data)]
    lines: list[int] = []
    line, counted = 1, 0
    for offset in _chains(data):
        line += data.count(b"\n", counted, offset)
        counted = offset
        lines.append(line)
    return lines


def may_call_wrapper(data: bytes, wrapper_names: frozenset[bytes]) -> bool:
    """Whether a file that makes no request itself may call one of the project's wrappers."""
    return any(name in data for name in wrapper_names)
