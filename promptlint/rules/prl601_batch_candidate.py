from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.rules.base import Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class BatchCandidate(Rule):
    code = "PRL601"
    name = "batch-candidate"
    message = (
        "messages.{method} runs once per item of `{iterable}` and each result is only collected: "
        "the Message Batches API costs 50% less for work no one waits on"
    )
    severity = "info"
    default_enabled = False

    def check_request(self, req: Request) -> None:
        if req.batch or req.method == "count_tokens":
            return
        iterable = req.per_item_loop()
        if iterable is None:
            return
        code = req.code(iterable)
        self.report(req.at(), method=req.method, iterable=code if len(code) <= 40 else "...")
