"""The facts files: every API fact carries its source and the date it was checked."""

from __future__ import annotations

import re

from promptlint import facts, prefilter, sdk
from promptlint.resolve import requests


def test_every_api_fact_has_a_value_a_source_and_a_date() -> None:
    entries = facts.api_entries()
    assert entries
    for key, entry in entries.items():
        assert "value" in entry, key
        assert entry["source"].startswith("https://"), key
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["checked"]), key


def test_the_code_reads_the_facts_it_names() -> None:
    assert prefilter.METHODS == sdk.REQUEST_METHODS == tuple(facts.api("request_methods"))
    assert set(sdk.RESPONSE_WRAPPERS) < set(prefilter.MIDDLE)
    assert requests.MESSAGES_SHAPED == ("model", "messages", "max_tokens")


def test_each_file_is_read_once() -> None:
    assert facts.sdk() is facts.sdk()
    assert facts.models() is facts.models()
    assert facts.models()["models"]
