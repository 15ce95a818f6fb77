from __future__ import annotations

from promptlint.findings import Safety
from promptlint.resolve.requests import Request
from promptlint.rules.base import Rule


class ModelRetired(Rule):
    code = "PRL202"
    name = "model-retired"
    message = "Model {model!r} was retired on {date}: requests to it fail{successor}"
    fix_title = "Use {successor!r}"
    fix_availability = "sometimes"

    def check_request(self, req: Request) -> None:
        resolved = self.model_of(req)
        if resolved is None or resolved.platform != "anthropic" or not resolved.info.retired:
            return  # Bedrock and Vertex keep some models after the Claude API retires them
        info = resolved.info
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
            date=info.retirement_date or "an earlier date",
            successor=successor,
        )
