"""A byte-level test that skips files that cannot contain a request, before any parsing.

Every request promptlint detects is a call through an attribute chain
``<receiver>.messages[.beta ...][.with_raw_response|.with_streaming_response|.batches].<method>(``
with method create, stream, parse or count_tokens, in a module that mentions ``anthropic``
(a traced client comes from an ``anthropic`` import; an untraced receiver counts only in a
module that imports ``anthropic``). A Python file without both is not parsed. Notebooks store
code as JSON strings (line breaks escaped), so for them the test is looser. A file that makes no
request may still call one of the project's wrapper functions: the runner checks such files in
a second pass, against the wrapper names found in the first. libcst is not imported here.
"""

from __future__ import annotations

import bisect
import re

# the chain ``.messages[.<middle>].<method>`` (also checked on Python's own tree: outline.py)
METHODS = ("create", "stream", "parse", "count_tokens")
MIDDLE = ("with_raw_response", "with_streaming_response", "batches")
_GAP = rb"(?:\s|\\|#[^\n]*)*"  # whitespace, line continuations and comments inside a chain
_CALL = re.compile(
    rb"\." + _GAP + rb"messages" + _GAP + rb"\." + _GAP
    + rb"(?:(?:" + "|".join(MIDDLE).encode() + rb")" + _GAP + rb"\." + _GAP + rb")?"
    + rb"(?:" + "|".join(METHODS).encode() + rb")" + rb"(?:\s|\\|#[^\n]*|\))*\("
)


def may_contain_request(data: bytes, notebook: bool = False) -> bool:
    if b"anthropic" not in data or b"messages" not in data:
        return False
    return notebook or _CALL.search(data) is not None


def request_lines(data: bytes) -> list[int]:
    """The lines (1-based, ascending) where the call-chain pattern begins: a request in code
    lies on one of them, though a match may also be in a string or a comment."""
    if b"\r" in data:
        starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", data)]
        return [bisect.bisect_right(starts, m.start()) for m in _CALL.finditer(data)]
    return [data.count(b"\n", 0, m.start()) + 1 for m in _CALL.finditer(data)]


def may_call_wrapper(data: bytes, wrapper_names: frozenset[bytes]) -> bool:
    """Whether a file that makes no request itself may call one of the project's wrappers."""
    return any(name in data for name in wrapper_names)
