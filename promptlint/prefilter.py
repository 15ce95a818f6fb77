"""A byte-level test that skips files that cannot contain a request, before any parsing.

Every request shape promptlint detects goes through an attribute named ``messages``
(``client.messages.create``, ``client.beta.messages.stream``, ``client.messages.batches.create``),
so a file without those bytes has nothing to check. libcst is not imported here.
"""

from __future__ import annotations

NEEDLE = b"messages"


def may_contain_request(data: bytes) -> bool:
    return NEEDLE in data
