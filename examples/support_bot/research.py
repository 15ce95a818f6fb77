"""Long-form research answers with extended thinking."""

from __future__ import annotations

from anthropic import AsyncAnthropic

client = AsyncAnthropic()

BASE_PARAMS = {
    "model": "claude-opus-4-5",
    "max_tokens": 48_000,
}


async def deep_answer(question: str) -> str:
    response = await client.messages.create(
        **BASE_PARAMS,
        thinking={"type": "enabled", "budget_tokens": 512},
        messages=[{"role": "user", "content": question}],
    )
    return response.content[-1].text


async def quick_answer(question: str) -> str:
    response = await client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 4096},
        messages=[
            {"role": "user", "content": question},
            {"role": "assistant", "content": "Short answer: "},
        ],
    )
    return response.content[0].text


async def faq_answer(question: str, faq_blocks: list[dict]) -> str:
    response = await client.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        cache_control={"type": "ephemeral"},
        system=[
            {"type": "text", "text": "You answer from the FAQ.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Billing FAQ ...", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Accounts FAQ ...", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Outages FAQ ...", "cache_control": {"type": "ephemeral"}},
        ],
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text


async def json_answer(question: str) -> str:
    # written from habit with another API's client: the SDK raises TypeError
    response = await client.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        response_format={"type": "json_object"},
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text
