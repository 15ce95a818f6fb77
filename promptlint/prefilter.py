"""A byte-level test that skips files that cannot contain a request, before any parsing.

Every request shape promptlint detects goes through an attribute named ``messages``
(``client.messages.create``, ``client.beta.messages.stream``, ``client.messages.batches.create``),
so a file without those bytes makes no request itself. It may still call one of the project's
wrapper functions: the runner checks such files in a second pass, against the wrapper names
found in the first. libcst is not imported here.
"""

from __future__ import annotations

NEEDLE = b"messages"


def may_contain_request(data: bytes) -> bool:
    return NEEDLE in data


def may_call_wrapper(data: bytes, wrapper_names: frozenset[bytes]) -> bool:
    """Whether a file that makes no request itself may call one of the project's wrappers."""
    return any(name in data for name in wrapper_names)
