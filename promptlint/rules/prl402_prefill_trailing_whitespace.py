from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class PrefillTrailingWhitespace(Rule):
    code = "PRL402"
    name = "prefill-trailing-whitespace"
    message = (
        "The assistant prefill {text!r} ends with whitespace: the API rejects it (400 \"final "
        "assistant content cannot end with trailing whitespace\")"
    )
    fix_title = "Strip the trailing whitespace"
    fix_availability = FixAvailability.SOMETIMES

    def check_request(self, req: Request) -> None:
        prefill = req.prefill
        text_value = prefill.text if prefill is not None else None
        if text_value is None:
            return
        text = text_value.known_str()
        if text is None:  # an f-string: its static ending is known even when the rest is not
            segments = text_value.text().segments
            if not segments or segments[-1].is_hole:
                return
            text = "..." + (segments[-1].text or "")
        if not text or text == text.rstrip():
            return
        fix = None
        literal = text_value.literal_node
        import libcst as cst

        from promptlint.edits import FixProposal, NodeEdit, string_like

        if isinstance(literal, cst.SimpleString) and text.rstrip():
            fix = FixProposal(Safety.UNSAFE, self.fix_title,
                              [NodeEdit.replace(literal, string_like(literal, text.rstrip()))])
        shown = text if len(text) <= 40 else "..." + text[-37:]
        self.report(
            req.at("messages", "prefill text defined here", node=text_value.node,
                   source=text_value.literal_node),
            fix=fix,
            text=shown,
        )
