"""Prices and token sizes of prompts, per model (facts from the catalogue)."""

from __future__ import annotations

from promptlint.findings import RequestSummary
from promptlint.models import ModelInfo
from promptlint.resolve.prompt import Prompt
from promptlint.tokens import estimate

PER_THOUSAND = 1000  # reports speak of cost per 1,000 requests


def tokens(text: str, model: ModelInfo) -> int:
    return estimate(text, model.tokenizer)


def input_cost_per_1k(tokens_: int, model: ModelInfo, cached: bool = False,
                      prompt_tokens: int | None = None) -> float | None:
    """USD for sending ``tokens_`` input tokens in 1,000 requests (cache reads when cached),
    at the price band of a prompt of ``prompt_tokens`` (at least ``tokens_``)."""
    price = model.price_for(max(prompt_tokens or 0, tokens_))
    if price is None:
        return None
    rate = price.cache_read if cached else price.input
    if rate is None:
        return None
    return tokens_ * rate / 1_000_000 * PER_THOUSAND


def caching_saving_per_1k(tokens_: int, model: ModelInfo) -> float | None:
    """What 1,000 requests save when ``tokens_`` are read from the cache instead of sent."""
    price = model.price_for(tokens_)
    if price is None or price.input is None or price.cache_read is None:
        return None
    return tokens_ * (price.input - price.cache_read) / 1_000_000 * PER_THOUSAND


def minimum_note(model: ModelInfo) -> str:
    if model.is_uncertain("min_cacheable_tokens"):
        return " (this minimum is not confirmed by Anthropic's docs)"
    return ""


def money(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"${value:,.2f}" if value >= 0.01 else f"${value:.4f}"


def fill_summary(summary: RequestSummary, prompt: Prompt, model: ModelInfo | None) -> None:
    """Static/cached sizes, holes and input cost of one request (offline estimates)."""
    static_text, _ = prompt.static_prefix()
    summary.static_text = static_text
    holes = []
    for hole in prompt.holes():
        if hole.hole not in holes:
            holes.append(hole.hole)
    summary.dynamic_holes = holes
    marked = [i for i, b in enumerate(prompt.blocks) if b.cache_control]
    if prompt.top_level_cache and prompt.blocks:
        marked.append(len(prompt.blocks) - 1)
    cached = prompt.prefix_through(max(marked)) if marked else None
    # what a marker caches for sure: the static text it covers up to the first dynamic part
    summary.cached_text = cached.leading_static() if cached is not None else ""
    if model is None:
        return
    summary.static_tokens = tokens(static_text, model)
    summary.cached_tokens = tokens(summary.cached_text, model) if summary.cached_text else 0
    if summary.method != "count_tokens":  # counting tokens is free
        price_summary(summary, model)


def price_summary(summary: RequestSummary, model: ModelInfo) -> None:
    """Cost of the static prefix per 1,000 requests, now and with the prefix cached."""
    static = summary.static_tokens or 0
    cached = min(summary.cached_tokens or 0, static)
    minimum = model.min_cacheable_tokens
    if cached and minimum is not None and cached < minimum:
        cached = 0  # below the minimum nothing is cached
    # the static text is a lower bound of the prompt: it picks the price band
    now_cached = input_cost_per_1k(cached, model, cached=True, prompt_tokens=static)
    now_plain = input_cost_per_1k(static - cached, model, prompt_tokens=static)
    if now_cached is None or now_plain is None:
        return
    summary.cost_per_1k = now_cached + now_plain
    if minimum is not None and static >= minimum:
        summary.cost_per_1k_fixed = input_cost_per_1k(static, model, cached=True,
                                                      prompt_tokens=static)
    else:
        summary.cost_per_1k_fixed = summary.cost_per_1k
