from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class MaxTokensOverModelLimit(Rule):
    code = "PRL102"
    name = "max-tokens-over-model-limit"
    message = "max_tokens={value} exceeds {model}'s output limit of {limit}{caveat}"
    fix_title = "Lower max_tokens to {limit}"
    fix_availability = FixAvailability.ALWAYS

    def check_request(self, req: Request) -> None:
        value_ref = req.arg("max_tokens")
        value = value_ref.known_int() if value_ref is not None else None
        resolved = self.model_of(req)
        if value is None or resolved is None:
            return  # unknown means silent
        model = resolved.info
        # a platform (Bedrock, Vertex) may serve a model with its own output limit
        limit, uncertain = model.on_platform(resolved.platform, "max_output_tokens")
        if limit is None:
            return
        if req.batch and model.batch_max_output_tokens:
            # Batches accept more with the extended-output beta header, which promptlint
            # cannot see on the batch call: judge against the larger limit
            limit = max(limit, model.batch_max_output_tokens)
        if value <= limit:
            return
        caveat = ""
        if uncertain:
            caveat = " (limit from third-party sources, not yet confirmed by Anthropic's docs)"
        self.report(
            req.at("max_tokens", "max_tokens value defined here"),
            fix=req.replace_literal("max_tokens", limit, Safety.SAFE,
                                    self.fix_title.format(limit=limit)),
            value=value,
            model=req.model_id(),
            limit=limit,
            caveat=caveat,
        )
