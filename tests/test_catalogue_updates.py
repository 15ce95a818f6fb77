"""The catalogue facts of 2026-12-03, each with a source in facts/models.json, and the code that
uses them (price bands in cost figures)."""

from __future__ import annotations

import pytest

from promptlint import cost
from promptlint.models import bundled_data, catalogue


def entry(model_id: str) -> dict:
    return next(m for m in bundled_data()["models"] if m["id"] == model_id)


def sources_exist(text: str) -> bool:
    known = bundled_data()["sources"]
    keys = [part.split()[0] for part in text.replace(",", ";").split(";") if part.strip()]
    return bool(keys) and all(k.strip() in known for k in keys)


def test_sonnet_4_5_retires_on_2026_11_30_with_its_source() -> None:
    sonnet = entry("claude-sonnet-4-5-20250929")
    assert sonnet["retirement_date"] == "2026-11-30" and sonnet["successor"] == "claude-sonnet-5-5"
    assert "retirement_date" not in sonnet["uncertain"]
    assert "M-SONNET-4-5-ZH" in sonnet["sources"]["lifecycle"]
    assert sources_exist(sonnet["sources"]["lifecycle"])


def test_opus_4_5_is_deprecated_on_a_tentative_date() -> None:
    opus = catalogue().get("claude-opus-4-5")
    assert opus is not None and opus.status == "deprecated"
    assert opus.retirement_date == "2027-01-22" and opus.is_uncertain("retirement_date")
    assert opus.successor == "claude-opus-5-5"
    assert sources_exist(opus.sources["lifecycle"])


@pytest.mark.parametrize("model_id", ["claude-fable-5-2", "claude-mythos-5-2"])
def test_fable_and_mythos_5_2_facts_are_official_now(model_id: str) -> None:
    info = catalogue().get(model_id)
    assert info is not None
    assert (info.context_window, info.max_output_tokens) == (1_000_000, 128_000)
    assert info.thinking == ("adaptive",) and info.thinking_default_on is True
    for fact in ("context_window", "max_output_tokens", "thinking", "thinking_default_on"):
        assert not info.is_uncertain(fact), fact
    assert info.price is not None and (info.price.input, info.price.output) == (8.0, 40.0)
    assert "M-FABLE-5-2-WN" in info.sources["limits"]


def test_fable_5_1_supports_structured_outputs() -> None:
    info = catalogue().get("claude-fable-5-1")
    assert info is not None and info.structured_outputs is True
    assert not info.is_uncertain("structured_outputs")
    assert info.sources["structured_outputs"] == "D-RN-SEP1"


def test_sonnet_5_5_cache_read_conflict_is_marked() -> None:
    sonnet = entry("claude-sonnet-5-5")
    assert "price_per_mtok" in sonnet["uncertain"]
    assert sonnet["alternative_prices"]["cache_read"] == 0.1
    assert sources_exist(sonnet["alternative_prices"]["source"])


def test_haiku_5_5_price_band_above_100k_is_used_by_cost_figures() -> None:
    haiku = catalogue().get("claude-haiku-5-5")
    assert haiku is not None
    small = cost.input_cost_per_1k(100_000, haiku)
    large = cost.input_cost_per_1k(100_001, haiku)
    assert small == pytest.approx(100_000 * 0.10 / 1000)
    assert large == pytest.approx(100_001 * 0.50 / 1000)  # every token at the higher band
    # the whole prompt decides the band, not just the part being priced
    assert cost.input_cost_per_1k(1_000, haiku, cached=True, prompt_tokens=150_000) == \
        pytest.approx(1_000 * 0.05 / 1000)
    assert cost.caching_saving_per_1k(120_000, haiku) == pytest.approx(120_000 * 0.45 / 1000)
    # a model without bands is priced as before
    opus = catalogue().get("claude-opus-5-5")
    assert cost.input_cost_per_1k(200_000, opus) == pytest.approx(200_000 * 4.0 / 1000)


@pytest.mark.parametrize(("alias", "model_id"), [
    ("claude-3-opus-latest", "claude-3-opus-20240229"),
    ("claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022"),
    ("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219"),
    ("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"),
])
def test_latest_aliases_of_3x_models_are_retired_aliases(alias: str, model_id: str) -> None:
    info = catalogue().get(alias)
    assert info is not None and info.id == model_id and info.retired
    assert "SDK-LATEST-ALIASES" in info.sources["aliases"]


def test_retired_model_output_limit_on_bedrock_is_sourced() -> None:
    info = catalogue().get("claude-3-5-sonnet-20240620")
    assert info is not None and info.max_output_tokens is None  # not sourced on the Claude API
    assert info.on_platform("bedrock", "max_output_tokens") == (4096, True)
    assert info.on_platform("vertex", "max_output_tokens") == (None, True)
    assert sources_exist(info.platforms["bedrock"]["source"])


def test_catalogue_is_dated() -> None:
    assert catalogue().as_of == "2026-12-03"
