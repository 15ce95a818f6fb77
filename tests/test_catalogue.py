"""The model catalogue and the SDK facts are data; these tests catch drift and gaps."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from promptlint import sdk
from promptlint.models import catalogue

FACTS = ("max_output_tokens", "context_window", "price_per_mtok", "min_cacheable_tokens",
         "prefill", "structured_outputs", "thinking", "status", "released", "retirement_date",
         "thinking_default_on", "forced_tool_choice")


def test_sdk_facts_are_generated_from_the_installed_sdk() -> None:
    """The generator reads whatever SDK is installed (any version in the supported range) and
    yields the shape the rules use; how it differs from facts/sdk.json is reported by
    `python -m promptlint.sdk --check`, a maintenance step, so a new SDK release on the index
    never fails a fresh checkout's tests."""
    pytest.importorskip("anthropic")
    generated = sdk.generate()
    assert set(generated) == set(sdk.sdk_data())
    create = set(generated["methods"]["messages.create"])
    assert {"model", "max_tokens", "messages", "system"} <= create
    assert "Anthropic" in generated["client_classes"]
    assert sdk.drift(sdk.sdk_data(), sdk.sdk_data()) == []


def test_drift_names_each_change() -> None:
    recorded = sdk.sdk_data()
    installed = json.loads(json.dumps(recorded))
    installed["sdk_version"] = "99.0.0"
    installed["model_ids"].append("claude-new-9")
    installed["methods"]["messages.create"].remove("system")
    installed["methods"]["messages.create"].append("reasoning")
    assert sdk.drift(recorded, installed) == [
        f"sdk_version: {recorded['sdk_version']} -> 99.0.0",
        "model_ids: + claude-new-9",
        "messages.create: + reasoning",
        "messages.create: - system",
    ]


def test_catalogue_covers_every_model_the_sdk_names() -> None:
    """Every literal ID of the SDK's ModelParam (as recorded in facts/sdk.json) is known."""
    ids = sdk.sdk_data()["model_ids"]
    assert ids, "ModelParam lists no literal IDs?"
    missing = [model_id for model_id in ids if catalogue().get(model_id) is None]
    assert missing == []


def test_every_entry_has_sources_and_valid_fields() -> None:
    raw = json.loads(resources.files("promptlint").joinpath("facts", "models.json").read_text())
    assert raw["as_of"] and raw["catalogue_version"]
    for entry in raw["models"]:
        assert entry["status"] in {"active", "legacy", "deprecated", "retired", "gated"}
        assert entry["sources"], entry["id"]
        assert set(entry["uncertain"]) <= set(FACTS), entry["id"]
        if entry["successor"] is not None:
            assert catalogue().get(entry["successor"]) is not None, entry["id"]
        if entry["status"] in ("deprecated", "retired"):
            assert entry["retirement_date"], entry["id"]


@pytest.mark.parametrize(
    ("written", "expected", "platform"),
    [
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "anthropic"),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929", "bedrock"),
        ("us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1-20250805", "bedrock"),
        ("anthropic.claude-opus-5", "claude-opus-5", "bedrock"),
        ("claude-haiku-4-5@20251001", "claude-haiku-4-5-20251001", "vertex"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022", "anthropic"),
    ],
)
def test_spellings_resolve(written: str, expected: str, platform: str) -> None:
    resolved = catalogue().resolve(written)
    assert resolved is not None
    assert (resolved.info.id, resolved.platform) == (expected, platform)


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [
        ("claude-sonnet-4.5", "claude-sonnet-4-5"),
        ("claude-sonnet-5.5", "claude-sonnet-5-5"),
        ("claude-haiku-3-5-20241022", "claude-3-5-haiku-20241022"),
        ("claude-opus-4-6-20260205", "claude-opus-4-6"),
        ("claude-sonet-5-5", "claude-sonnet-5-5"),
        ("claude-3-7-sonnet-20250219-thinking", "claude-3-7-sonnet-20250219"),
        ("claude-4-sonnet", None),  # two plausible targets: no guess
    ],
)
def test_did_you_mean(written: str, suggestion: str | None) -> None:
    assert catalogue().suggestion(written) == suggestion


def test_newer_well_formed_ids_are_not_called_unknown() -> None:
    assert catalogue().looks_newer_than_catalogue("claude-opus-7")
    assert catalogue().looks_newer_than_catalogue("claude-sonnet-6-1")
    assert not catalogue().looks_newer_than_catalogue("claude-sonnet-4-9")
