"""Prices and token sizes of prompts, per model (facts from the catalogue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import RequestSummary
from promptlint.models import ModelInfo, catalogue
from promptlint.tokens import ExactCounter, ExactCountError, estimate

if TYPE_CHECKING:
    from promptlint.resolve.prompt import Prompt

PER_THOUSAND = 1000  # reports speak of cost per 1,000 requests
FIVE_MINUTES, HOUR = 300, 3600  # cache lifetimes (the default, and "ttl": "1h")
SECONDS_PER_DAY = 86_400


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


def cache_ttl(prompt: Prompt) -> int:
    """Seconds a cache entry of this request lives: 3,600 when a marker asks for
    ``"ttl": "1h"``, else 300 (the default five minutes)."""
    return HOUR if prompt.one_hour_cache() else FIVE_MINUTES


def fill_summary(summary: RequestSummary, prompt: Prompt, model: ModelInfo | None) -> None:
    """Static/cached sizes, holes and input cost of one request (offline estimates)."""
    static_text, _ = prompt.static_prefix()
    summary.static_text = static_text
    holes = []
    for hole in prompt.holes():
        if hole.hole not in holes:
            holes.append(hole.hole)
    summary.dynamic_holes = holes
    last = prompt.last_cached()
    cached = prompt.prefix_through(last) if last is not None else None
    # what a marker caches for sure: the static text it covers up to the first dynamic part
    summary.cached_text = cached.leading_static() if cached is not None else ""
    # every static part is sent, also the text after a dynamic value
    summary.input_text = "".join(b.text.static_text() for b in prompt.blocks)
    summary.reorder_text = "".join(
        b.text.static_text() for b in prompt.blocks
        if b.section != "messages" or b.message_index == 0)
    if model is None:
        return
    summary.static_tokens = tokens(static_text, model)
    summary.cached_tokens = tokens(summary.cached_text, model) if summary.cached_text else 0
    summary.input_tokens = tokens(summary.input_text, model)
    summary.reorder_tokens = tokens(summary.reorder_text, model)
    if summary.method != "count_tokens":  # counting tokens is free
        price_summary(summary, model)


def readable(cached: int, model: ModelInfo) -> int:
    """Tokens a marker over ``cached`` static tokens lets requests read (none below the
    model's minimum cacheable length)."""
    minimum = model.min_cacheable_tokens
    if minimum is None or cached < minimum:
        return 0
    return cached


def steady_cost_per_1k(input_tokens: int, cached: int, model: ModelInfo) -> float | None:
    """Input cost of 1,000 requests with ``cached`` of their ``input_tokens`` read from a warm
    cache (cache writes are counted per day, see :func:`monthly_cost`)."""
    cached = min(cached, input_tokens)
    # the static text is a lower bound of the prompt: it picks the price band
    read = input_cost_per_1k(cached, model, cached=True, prompt_tokens=input_tokens)
    plain = input_cost_per_1k(input_tokens - cached, model, prompt_tokens=input_tokens)
    if read is None or plain is None:
        return None
    return read + plain


def cache_writes_per_day(requests_per_day: float, ttl: int) -> float:
    """Cache writes a day for one prefix, with the requests spread evenly over the day. Each
    read renews the entry's lifetime at no cost, so when requests come at least once per
    ``ttl`` the entry stays warm and is written about once a day (a floor for evictions and
    deploys); when they come less often, every request finds it expired and writes it again.
    ("This lifetime is refreshed each time the cached content is used":
    https://platform.claude.com/docs/en/build-with-claude/prompt-caching, checked 2026-12-03.)"""
    if requests_per_day <= 0:
        return 0.0
    if SECONDS_PER_DAY / requests_per_day <= ttl:
        return 1.0
    return requests_per_day


def monthly_cost(input_tokens: int, cached: int, model: ModelInfo, requests_per_day: float,
                 ttl: int = FIVE_MINUTES, days: int = 30, discount: float = 1.0
                 ) -> float | None:
    """USD of input a month: every static token at the input price, except ``cached`` tokens,
    read at the cache-read price, and written again at the cache-write price as often as
    :func:`cache_writes_per_day` says. ``discount``: 0.5 for the Message Batches API."""
    per_1k = steady_cost_per_1k(input_tokens, cached, model)
    if per_1k is None:
        return None
    cached = min(cached, input_tokens)
    writes = 0.0
    if cached:
        price = model.price_for(input_tokens)
        write_rate = None if price is None else (
            price.cache_write_1h if ttl >= HOUR else price.cache_write_5m)
        if price is None or write_rate is None or price.cache_read is None:
            return None
        writes = (cache_writes_per_day(requests_per_day, ttl) * cached
                  * (write_rate - price.cache_read) / 1_000_000)
    return (per_1k * requests_per_day / PER_THOUSAND + writes) * days * discount


def price_summary(summary: RequestSummary, model: ModelInfo) -> None:
    """Cost of the prompt's static text per 1,000 requests with a warm cache, as written and
    with the static prefix cached."""
    static = summary.static_tokens or 0
    total = max(summary.input_tokens if summary.input_tokens is not None else static, static)
    summary.input_tokens = total
    cached = readable(min(summary.cached_tokens or 0, static), model)
    summary.cost_per_1k = steady_cost_per_1k(total, cached, model)
    if summary.cost_per_1k is None:
        return
    summary.cost_per_1k_fixed = steady_cost_per_1k(total, max(cached, readable(static, model)),
                                                   model)


def exact_counts(summaries: list[RequestSummary], counter: ExactCounter) -> None:
    """Replace estimates with count_tokens results; on errors keep the estimate, say why."""
    failed: str | None = None
    for row in summaries:
        resolved = catalogue().resolve(row.model) if row.model else None
        if resolved is None or not row.static_text:
            continue
        if failed is not None:
            row.note = f"estimate shown: {failed}"
            continue
        try:
            row.static_tokens = counter.count(resolved.info.id, row.static_text)
            row.cached_tokens = (counter.count(resolved.info.id, row.cached_text)
                                 if row.cached_text else 0)
            for text_field, count_field in (("input_text", "input_tokens"),
                                            ("reorder_text", "reorder_tokens")):
                text = getattr(row, text_field)
                same = text == row.static_text
                setattr(row, count_field, row.static_tokens if same else (
                    counter.count(resolved.info.id, text) if text else 0))
            row.exact = True
            price_summary(row, resolved.info)
        except ExactCountError as exc:
            row.note = f"estimate shown: {exc}"
            if "key" in str(exc) or "connect" in str(exc):
                failed = str(exc)  # the same for every request: do not retry each one
