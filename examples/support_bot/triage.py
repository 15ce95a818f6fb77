"""Ticket triage through the team's own helper, and a nightly summary loop."""

from __future__ import annotations

import json

import anthropic

client = anthropic.Anthropic()


def ask(prompt: str, *, model: str = "claude-haiku-4-5", max_tokens: int = 1024) -> str:
    response = client.messages.create(
        model=model,
        max_tokens=max_tokens,
        messages=[{"role": "user", "content": prompt}],
    )
    return response.content[0].text


def route(ticket: str) -> str:
    return ask(f"Classify this ticket as billing, bug or account:\n{ticket}", max_tokens=4096)


def extract_order(email: str) -> dict:
    response = client.messages.create(
        # the noqa below outlived the move away from a retired model: it suppresses nothing
        model="claude-haiku-4-5",  # noqa: PRL202
        max_tokens=512,
        system="Extract the order ID and the amount. Respond with JSON only.",
        messages=[{"role": "user", "content": email}],
    )
    return json.loads(response.content[0].text)


def summarise_yesterday(tickets: list[str]) -> list[str]:
    summaries = []
    for ticket in tickets:
        summaries.append(ask(f"Summarise this ticket for the weekly report:\n{ticket}"))
    return summaries
