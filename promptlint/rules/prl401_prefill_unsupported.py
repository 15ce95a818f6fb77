from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class PrefillUnsupported(Rule):
    code = "PRL401"
    name = "prefill-unsupported"
    message = (
        "{model} does not accept an assistant prefill (the last message has role 'assistant'): "
        "the API returns 400 \"This model does not support assistant message prefill\""
    )
    fix_title = (
        "End with a user message; constrain the output with "
        "output_config={{\"format\": {{\"type\": \"json_schema\", ...}}}} or instructions"
    )
    fix_availability = FixAvailability.DISPLAY_ONLY

    def check_request(self, req: Request) -> None:
        model = self.model_info(req)
        if model is None or model.prefill is not False or model.is_uncertain("prefill"):
            return
        prefill = req.prefill
        if prefill is None:
            return
        self.report(
            req.at("messages", "prefill defined here", node=prefill.message.node),
            fix=self.advice(self.fix_title.format()),
            model=req.model_id(),
        )
