from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint import facts
from promptlint.rules.base import Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request

MIN_BUDGET: int = facts.api("thinking_min_budget")
INTERLEAVED_BETA: str = facts.api("interleaved_thinking_beta")


class ThinkingBudgetInvalid(Rule):
    code = "PRL105"
    name = "thinking-budget-invalid"
    message = "thinking budget_tokens={budget} {problem}: the API rejects it (400)"

    def check_request(self, req: Request) -> None:
        thinking = req.thinking
        budget = thinking.budget
        if thinking.budget_value is None or budget is None:
            return
        at = req.at("thinking", "budget_tokens defined here", node=thinking.budget_value.node)
        if budget < MIN_BUDGET:
            self.report(at, budget=budget, problem=f"is below the minimum of {MIN_BUDGET}")
            return
        max_tokens = req.arg("max_tokens")
        limit = max_tokens.known_int() if max_tokens is not None else None
        if limit is None or budget < limit or self._may_interleave(req):
            return
        self.report(
            at,
            related=list(req.at("max_tokens", "max_tokens value defined here").related),
            budget=budget,
            problem=f"is not less than max_tokens={limit}",
        )

    @staticmethod
    def _may_interleave(req: Request) -> bool:
        """With interleaved thinking the budget may exceed max_tokens (reference §4)."""
        if req.open or req.has("extra_headers"):
            return True
        betas = req.arg("betas")
        if betas is None:
            return False
        items = betas.as_list()
        if items is None or items.open:
            return True
        return any(
            (item.known_str() or INTERLEAVED_BETA).startswith(INTERLEAVED_BETA)
            for item in items.items
        )
