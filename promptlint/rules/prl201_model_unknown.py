from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.models import CLAUDE_CODE_ALIASES
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class ModelUnknown(Rule):
    code = "PRL201"
    name = "model-unknown"
    message = "Unknown model {model!r}: {why}"
    fix_title = "Use {suggestion!r}"
    fix_availability = FixAvailability.SOMETIMES

    def check_request(self, req: Request) -> None:
        written = req.model_id()
        if written is None or self.catalogue.resolve(written) is not None:
            return
        if not (written.startswith("claude") or written in CLAUDE_CODE_ALIASES):
            return  # not a Claude ID at all (a gateway's own name, say): unknown means silent
        if self.catalogue.is_platform_spelling(written):
            return  # Bedrock / Vertex / gateway IDs follow their own catalogues
        if self.catalogue.looks_newer_than_catalogue(written):
            return  # may have been released after the catalogue was written
        suggestion = self.catalogue.suggestion(written)
        if written in CLAUDE_CODE_ALIASES:
            why = "a Claude Code alias, not an API model ID (the API returns 404 not_found_error)"
        else:
            why = f"not a Claude model ID or alias (catalogue of {self.catalogue.as_of})"
        fix = None
        if suggestion is not None:
            why += f"; did you mean {suggestion!r}?"
            fix = self.model_fix(req, suggestion, Safety.UNSAFE,
                                 self.fix_title.format(suggestion=suggestion))
        self.report(
            req.at("model", "model defined here"),
            fix=fix,
            model=written,
            why=why,
        )
