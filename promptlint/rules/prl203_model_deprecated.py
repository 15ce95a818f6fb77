from __future__ import annotations

from promptlint.findings import Safety
from promptlint.resolve.requests import Request
from promptlint.rules.base import Rule


class ModelDeprecated(Rule):
    code = "PRL203"
    name = "model-deprecated"
    message = "Model {model!r} is deprecated: {when}{successor}"
    fix_title = "Use {successor!r}"
    severity = "warning"
    fix_availability = "sometimes"

    def check_request(self, req: Request) -> None:
        resolved = self.model_of(req)
        if resolved is None or resolved.platform != "anthropic" or not resolved.info.deprecated:
            return
        info = resolved.info
        date = info.retirement_date
        if date is None:
            when = "a retirement date is not published"
        elif info.is_uncertain("retirement_date") or date <= self.catalogue.as_of:
            when = f"end-of-life was announced for {date} (current status unconfirmed)"
        else:
            when = f"it will be retired on {date}"
        successor = f"; use {info.successor!r}" if info.successor else ""
        fix = None
        if info.successor:
            fix = self.model_fix(req, info.successor, Safety.UNSAFE,
                                 self.fix_title.format(successor=info.successor))
        self.report(
            req.report_node("model"),
            related=req.related("model", "model defined here"),
            fix=fix,
            model=resolved.written,
            when=when,
            successor=successor,
        )
