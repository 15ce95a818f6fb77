from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class MaxTokensMissing(Rule):
    code = "PRL101"
    name = "max-tokens-missing"
    message = "`max_tokens` is missing: the API requires it and the SDK raises TypeError without it"
    fix_title = "Add max_tokens={value}"
    fix_availability = FixAvailability.ALWAYS

    def check_request(self, req: Request) -> None:
        if not req.accepts("max_tokens") or req.may_have("max_tokens"):
            return  # count_tokens takes none; an unresolved **kwargs may supply it
        value = self.config.default_max_tokens
        self.report(
            req.at(),
            fix=req.add_kwarg("max_tokens", value, Safety.UNSAFE,
                              self.fix_title.format(value=value)),
        )
