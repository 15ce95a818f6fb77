from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.edits import FixProposal
    from promptlint.models import ModelInfo
    from promptlint.resolve.prompt import Prompt
    from promptlint.resolve.requests import Request


class CacheControlMissing(Rule):
    code = "PRL502"
    name = "cache-control-missing"
    message = (
        "~{tokens:,} tokens of static prompt ({sections}) are sent without cache_control; "
        "{model} caches prefixes from {minimum:,} tokens{note}: a breakpoint would save about "
        "{saving} per 1,000 requests at cache-read prices (token count estimated)"
    )
    fix_title = "Mark the system prompt with cache_control"
    severity = "warning"
    fix_availability = FixAvailability.SOMETIMES

    def check_request(self, req: Request) -> None:
        from promptlint import cost

        model, judged = self.facts_model(req, "min_cacheable_tokens")
        if req.method == "count_tokens" or model is None or model.min_cacheable_tokens is None:
            return
        if req.open:
            return  # an unseen **kwargs may carry cache_control
        prompt = req.prompt()
        if prompt.has_cache_marker:
            return
        prefix, blocks = prompt.static_prefix()
        size = cost.tokens(prefix, model)
        if size < model.min_cacheable_tokens:
            return
        sections = sorted({b.section for b in blocks if b.text.static_text()},
                          key=("tools", "system", "messages").index)
        self.report(
            req.at("system" if "system" in sections else sections[0]),
            fix=self._fix(req, prompt, model),
            data={"tokens": size},
            tokens=size,
            sections=" + ".join(sections),
            model=model.id if judged else req.model_id(),
            minimum=model.min_cacheable_tokens,
            note=cost.minimum_note(model),
            suffix=judged,
            saving=cost.money(cost.caching_saving_per_1k(size, model)),
        )

    def _fix(self, req: Request, prompt: Prompt, model: ModelInfo) -> FixProposal | None:
        """Cache the system prompt when tools + system alone reach the minimum."""
        import libcst as cst

        from promptlint import cost
        from promptlint.edits import (
            FixProposal,
            NodeEdit,
            add_item,
            blocks,
            dict_item,
            ephemeral,
            render,
            text_block,
        )

        arg = req.keyword_arg("system")
        system = req.arg("system")
        if arg is None or req.batch or system is None:
            return None
        if not isinstance(arg.value, cst.List) and system.known_str() is None:
            return None  # only a plain string can become one text block
        head = [b for b in prompt.blocks if b.section in ("tools", "system")]
        text = "".join(b.text.static_text() for b in head)
        if any(not b.text.static for b in head) or cost.tokens(text, model) < (
                model.min_cacheable_tokens or 0):
            return None
        value = arg.value
        if isinstance(value, cst.List):
            last = value.elements[-1].value if value.elements else None
            if not isinstance(last, cst.Dict):
                return None
            quote_from = next((e.key for e in last.elements if isinstance(e, cst.DictElement)),
                              None)
            item = dict_item("cache_control", ephemeral(), like=quote_from)
            return FixProposal(Safety.SAFE, self.fix_title, [add_item(last.elements, last, item)])
        if req.module is None or "\n" in render(value, req.module).strip() and not isinstance(
                value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return None
        code = blocks(text_block(value, cached=True), module=req.module)
        return FixProposal(Safety.SAFE, self.fix_title, [NodeEdit.replace(value, code)])
