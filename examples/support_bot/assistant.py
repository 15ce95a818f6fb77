"""The support assistant: triage a ticket, draft an answer, summarise a thread."""

from __future__ import annotations

import anthropic

SYSTEM_PROMPT = (
    "You are the support assistant for Acme Cloud. Answer precisely and cite the relevant "
    "help-centre article when one exists."
)
TRIAGE_MODEL = "claude-3-5-haiku-20241022"
DRAFT_MODEL = "claude-sonnet-4.5"


class SupportAssistant:
    def __init__(self) -> None:
        self.client = anthropic.Anthropic()

    def triage(self, ticket: str) -> str:
        response = self.client.messages.create(
            model=TRIAGE_MODEL,
            max_tokens=16,
            temperature=0.0,
            messages=[
                {"role": "user", "content": f"Classify this ticket as billing, bug or other:\n{ticket}"},
            ],
        )
        return response.content[0].text

    def draft_reply(self, ticket: str) -> str:
        response = self.client.messages.create(
            model=DRAFT_MODEL,
            system=SYSTEM_PROMPT,
            messages=[{"role": "user", "content": ticket}],
        )
        return response.content[0].text

    def summarise(self, thread: list[dict]) -> str:
        response = self.client.messages.create(
            model="claude-opus-4-6",
            max_tokens=200_000,
            system=SYSTEM_PROMPT,
            messages=[
                *thread,
                {"role": "user", "content": "Summarise this thread for the on-call engineer."},
            ],
        )
        return response.content[0].text

    def translate(self, text: str, language: str) -> str:
        response = self.client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=4096,
            messages=[{"role": "user", "content": f"Translate into {language}:\n{text}"}],
        )
        return response.content[0].text

    def extract_order_id(self, email: str) -> str:
        response = self.client.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=64,
            messages=[
                {"role": "user", "content": f"Extract the order ID from this email:\n{email}"},
                {"role": "assistant", "content": "Order ID:"},
            ],
        )
        return response.content[0].text
