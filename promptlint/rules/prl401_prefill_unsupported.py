from __future__ import annotations

from promptlint.edits import FixProposal
from promptlint.findings import Safety
from promptlint.resolve.requests import Request
from promptlint.rules.base import Rule


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
    fix_availability = "display-only"

    def check_request(self, req: Request) -> None:
        model = self.model_info(req)
        if model is None or model.prefill is not False or model.is_uncertain("prefill"):
            return
        last = req.last_message()
        if last is None or "role" not in last.items:
            return
        if last.items["role"].known_str() != "assistant":
            return
        messages = req.messages()
        assert messages is not None
        self.report(
            req.locate(messages.items[-1].node, "messages"),
            related=req.related_if_outside(messages.items[-1].node, "prefill defined here"),
            fix=FixProposal(Safety.DISPLAY_ONLY, self.fix_title.format()),
            model=req.model_id(),
        )
