"""Answering with the support policy: one call caches it, two do not."""

from __future__ import annotations

import datetime
from pathlib import Path

import anthropic
from jinja2 import Environment, FileSystemLoader

from .prompts import POLICY

client = anthropic.Anthropic()
templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"))
MODEL = "claude-sonnet-4-6"


def answer(question: str) -> str:
    # the ~2,000-token policy is sent uncached on every request
    response = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        system=POLICY,
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text


def answer_cached(question: str) -> str:
    response = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text


def answer_personal(customer, question: str) -> str:
    # today's date and the customer come first: the policy after them is never cached
    system = templates.get_template("agent.j2").render(
        today=datetime.date.today(), customer=customer
    )
    response = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        system=system,
        cache_control={"type": "ephemeral"},
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text


def answer_briefly(question: str) -> str:
    response = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        system=[{"type": "text", "text": "Answer briefly.", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text


TEAMS = {"billing", "shipping", "returns", "accounts"}


def route(question: str) -> str:
    # a set's order differs between worker processes: each worker caches its own prefix
    response = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        system=[
            {"type": "text", "text": f"Teams: {', '.join(TEAMS)}.\n\n{POLICY}",
             "cache_control": {"type": "ephemeral"}},
        ],
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text
