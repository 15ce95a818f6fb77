from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.rules.base import Rule

if TYPE_CHECKING:
    import libcst as cst

    from promptlint.resolve.requests import Request

# the estimate can be off by this much; only prefixes clearly below the minimum are flagged
MARGIN = 0.8


class CachePrefixTooShort(Rule):
    code = "PRL504"
    name = "cache-prefix-too-short"
    message = (
        "the longest cache_control prefix holds ~{tokens:,} tokens, but {model} caches only "
        "prefixes of at least {minimum:,} tokens{note}: nothing is cached and no error is "
        "raised (token count estimated)"
    )
    severity = "warning"

    def check_request(self, req: Request) -> None:
        from promptlint import cost

        model, judged = self.facts_model(req, "min_cacheable_tokens")
        if req.method == "count_tokens" or model is None or model.min_cacheable_tokens is None:
            return
        prompt = req.prompt()
        # the longest marked prefix decides whether anything is cached at all; shorter
        # breakpoints before it are harmless (they just do not create entries)
        index = prompt.last_cached()
        if index is None:
            return
        node: cst.CSTNode = prompt.blocks[index].node
        if prompt.top_level_cache:
            if req.open:
                return
            top = req.arg("cache_control")
            node = top.node if top else req.at().node
        prefix = prompt.prefix_through(index)
        if not prefix.static:
            return  # a hole of unknown size: it may well reach the minimum
        size = cost.tokens(prefix.static_text(), model)
        if size >= model.min_cacheable_tokens * MARGIN:
            return
        section = prompt.blocks[index].section
        self.report(
            req.at(section, "the marked block", node=node),
            data={"tokens": size},
            tokens=size,
            model=model.id if judged else req.model_id(),
            minimum=model.min_cacheable_tokens,
            note=cost.minimum_note(model),
            suffix=judged,
        )
