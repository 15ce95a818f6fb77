from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request

FLOOR = 64  # never suggest a cap this small (nor flag one; the floor option is the higher bar)


def suggested_cap(tokens: int) -> int:
    """A generous cap for an answer of ``tokens``: 4x, rounded up to a multiple of 32."""
    return max(FLOOR, -(-tokens * 4 // 32) * 32)


class MaxTokensOversized(Rule):
    code = "PRL104"
    name = "max-tokens-oversized"
    message = "{what}"
    fix_title = "Lower max_tokens to {cap}"
    severity = "warning"
    fix_availability = FixAvailability.SOMETIMES

    BOUNDED = (
        "max_tokens={value} for a short answer ({kind}, ~{tokens} tokens): a runaway answer is "
        "billed up to the cap, and output-tokens-per-minute rate limits are reserved against "
        "max_tokens; {cap} would still be generous"
    )
    CEILING = "max_tokens={value} exceeds the team ceiling of {ceiling} (max-tokens-ceiling)"

    def check_request(self, req: Request) -> None:
        value_ref = req.arg("max_tokens")
        value = value_ref.known_int() if value_ref is not None else None
        if value is None or not req.accepts("max_tokens"):
            return
        ceiling = self.config.max_tokens_ceiling
        if ceiling is not None and value > ceiling:
            self._report(req, value, ceiling, self.CEILING.format(value=value, ceiling=ceiling))
            return
        if req.open or req.batch:
            return  # an unseen **kwargs may enable thinking; batches are not rate-limited so
        model = self.model_info(req)
        if model is None or req.thinking.may_be_on(model):
            return  # thinking tokens count toward max_tokens: never "short"
        from promptlint.resolve.intent import bounded_answer

        bounded = bounded_answer(req)
        if bounded is None:
            return
        threshold = max(FLOOR, self.config.max_tokens_oversized_floor,
                        bounded.tokens * self.config.max_tokens_oversized_factor)
        if value <= threshold:
            return
        cap = suggested_cap(bounded.tokens)
        self._report(req, value, cap, self.BOUNDED.format(
            value=value, kind=bounded.kind, tokens=bounded.tokens, cap=cap))

    def _report(self, req: Request, value: int, cap: int, what: str) -> None:
        self.report(
            req.at("max_tokens", "max_tokens value defined here"),
            fix=req.replace_literal("max_tokens", cap, Safety.UNSAFE,
                                    self.fix_title.format(cap=cap)),
            what=what,
        )
