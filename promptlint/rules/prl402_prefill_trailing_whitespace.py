from __future__ import annotations

import libcst as cst

from promptlint.edits import FixProposal, NodeEdit, string_like
from promptlint.findings import Safety
from promptlint.resolve.requests import Request
from promptlint.resolve.text import Text
from promptlint.resolve.values import Value
from promptlint.rules.base import Rule


class PrefillTrailingWhitespace(Rule):
    code = "PRL402"
    name = "prefill-trailing-whitespace"
    message = (
        "The assistant prefill {text!r} ends with whitespace: the API rejects it (400 \"final "
        "assistant content cannot end with trailing whitespace\")"
    )
    fix_title = "Strip the trailing whitespace"
    fix_availability = "sometimes"

    def check_request(self, req: Request) -> None:
        last = req.last_message()
        if last is None or "role" not in last.items or "content" not in last.items:
            return
        if last.items["role"].known_str() != "assistant":
            return
        text_value = self._final_text(last.items["content"])
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
        if isinstance(literal, cst.SimpleString) and text.rstrip():
            fix = FixProposal(Safety.UNSAFE, self.fix_title,
                              [NodeEdit.replace(literal, string_like(literal, text.rstrip()))])
        shown = text if len(text) <= 40 else "..." + text[-37:]
        self.report(
            req.locate(text_value.node, "messages"),
            related=req.related_if_outside(text_value.literal_node, "prefill text defined here"),
            fix=fix,
            text=shown,
        )

    @staticmethod
    def _final_text(content: Value) -> Value | None:
        if content.known_str() is not None or isinstance(content.py, Text):
            return content
        blocks = content.as_list()
        if blocks is None or blocks.open or not blocks.items:
            return None
        block = blocks.items[-1].as_dict()
        if block is None or "text" not in block.items:
            return None
        kind = block.items.get("type")
        if kind is not None and kind.known_str() != "text":
            return None
        return block.items["text"]
