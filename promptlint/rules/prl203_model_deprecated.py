from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.lifecycle import in_days
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class ModelDeprecated(Rule):
    code = "PRL203"
    name = "model-deprecated"
    message = "Model {model!r} is deprecated{where}: {when}{successor}"
    fix_title = "Use {successor!r}"
    severity = "warning"
    fix_availability = FixAvailability.SOMETIMES

    def check_request(self, req: Request) -> None:
        resolved = self.model_of(req)
        lifecycle = self.lifecycle_of(req)
        if resolved is None or lifecycle is None or lifecycle.state != "deprecated":
            return
        info = resolved.info
        date, left = lifecycle.retirement_date, lifecycle.days_left
        if date is None or left is None:
            when = "a retirement date is not published"
        elif left <= 0:  # only a tentative date can have passed without retiring the model
            when = (f"end of life was announced for {date} (a tentative date, now passed): "
                    "requests may already fail")
        else:
            tentative = " (tentative)" if lifecycle.tentative else ""
            when = f"it will be retired on {date}{tentative}, {in_days(left)}"
        where = ""
        if lifecycle.platform != "anthropic":
            where = f" on {lifecycle.platform_name}" if lifecycle.own_dates else (
                f" on the Claude API ({info.name}; {lifecycle.platform_name} sets its own "
                "retirement dates, which may differ)")
        successor = f"; use {info.successor!r}" if info.successor else ""
        if info.successor and lifecycle.platform != "anthropic":
            successor = (f"; its successor is {info.successor!r} "
                         f"(use its {lifecycle.platform_name} ID)")
        fix = None
        if info.successor and lifecycle.platform == "anthropic":
            fix = self.model_fix(req, info.successor, Safety.UNSAFE,
                                 self.fix_title.format(successor=info.successor))
        window = self.config.fail_within
        gating = window is not None and left is not None and left <= window
        self.report(
            req.at("model", "model defined here"),
            fix=fix,
            severity="error" if gating else None,
            data={"advisory": True} if window is not None and not gating else None,
            suffix=self.sdk_note(info) + (f" (within the {window}-day retirement window)"
                                   if gating else ""),
            model=resolved.written,
            where=where,
            when=when,
            successor=successor,
        )
