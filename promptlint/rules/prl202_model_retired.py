from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class ModelRetired(Rule):
    code = "PRL202"
    name = "model-retired"
    message = "Model {model!r} {what}{successor}"
    fix_title = "Use {successor!r}"
    fix_availability = FixAvailability.SOMETIMES

    def check_request(self, req: Request) -> None:
        resolved = self.model_of(req)
        lifecycle = self.lifecycle_of(req)
        if resolved is None or lifecycle is None or lifecycle.state != "retired":
            return
        info = resolved.info
        date = lifecycle.retirement_date or "an earlier date"
        severity = None
        if lifecycle.platform == "anthropic":
            what = f"was retired on {date}: requests to it fail"
        elif lifecycle.own_dates:
            what = f"was retired on {lifecycle.platform_name} on {date}: requests to it fail"
        else:
            # the platform's own date is not in the catalogue: say what is known, as a warning
            severity = "warning"
            what = (f"({info.name} on {lifecycle.platform_name}) was retired on the Claude API "
                    f"on {date}; {lifecycle.platform_name} sets its own retirement dates, which "
                    "may differ, so requests there may already fail or may still work")
        successor = f"; use {info.successor!r}" if info.successor else ""
        if info.successor and lifecycle.platform != "anthropic":
            successor = (f"; its successor is {info.successor!r} "
                         f"(use its {lifecycle.platform_name} ID)")
        fix = None
        if info.successor and lifecycle.platform == "anthropic":
            fix = self.model_fix(req, info.successor, Safety.UNSAFE,
                                 self.fix_title.format(successor=info.successor))
        self.report(
            req.at("model", "model defined here"),
            fix=fix,
            severity=severity,
            suffix=self.sdk_note(info),
            model=resolved.written,
            what=what,
            successor=successor,
        )
