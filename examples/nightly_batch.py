"""Nightly job: classify yesterday's tickets through the Message Batches API."""

from __future__ import annotations

import anthropic


def submit(tickets: list[str]) -> str:
    client = anthropic.Anthropic()
    batch = client.messages.batches.create(
        requests=[
            {
                "custom_id": f"ticket-{i}",
                "params": {
                    "model": "claude-3-haiku-20240307",
                    "max_tokens": 32,
                    "messages": [{"role": "user", "content": text}],
                    "temperature": 0,
                },
            }
            for i, text in enumerate(tickets)
        ]
    )
    return batch.id


def count(text: str) -> int:
    client = anthropic.Anthropic()
    # count_tokens takes no max_tokens: not flagged
    return client.messages.count_tokens(
        model="claude-sonnet-5-5", messages=[{"role": "user", "content": text}]
    ).input_tokens
