from __future__ import annotations

from promptlint import cost
from promptlint.edits import FixProposal
from promptlint.findings import Safety
from promptlint.models import ModelInfo
from promptlint.resolve.prompt import Block
from promptlint.resolve.requests import Request
from promptlint.resolve.text import Segment
from promptlint.rules.base import Rule


class DynamicBeforeStatic(Rule):
    code = "PRL503"
    name = "dynamic-before-static"
    message = "{what}"
    fix_title = "Move the dynamic part after the static text (or into the last user turn)"
    severity = "warning"
    fix_availability = "display-only"

    BEFORE = (
        "`{hole}`{more} comes before ~{tokens:,} tokens of static text in the {section}: it "
        "changes per request, so that text can never be read from the cache (it would save "
        "about {saving} per 1,000 requests; token count estimated)"
    )
    MARKED = (
        "cache_control marks a {section} block that contains `{hole}`: the cached prefix "
        "changes with every request, so each request pays the cache-write premium and none "
        "reads it"
    )

    def check_request(self, req: Request) -> None:
        model = self.model_info(req)
        if req.method == "count_tokens" or model is None or model.min_cacheable_tokens is None:
            return
        prompt = req.prompt()
        first_user = [b for b in prompt.section("messages") if b.message_index == 0]
        for section, param, blocks in (("tools", "tools", prompt.section("tools")),
                                       ("system prompt", "system", prompt.section("system")),
                                       ("first user message", "messages", first_user)):
            self._holes_before_static(req, model, section, param, blocks)
        for block in (*prompt.section("tools"), *prompt.section("system")):
            varying = [h for h in block.text.holes if h.varies]
            if block.cache_control and varying:
                hole = varying[0]
                self._report(req, hole, block.section,
                             self.MARKED.format(section=block.section, hole=hole.hole))

    def _holes_before_static(self, req: Request, model: ModelInfo, section: str, param: str,
                             blocks: list[Block]) -> None:
        segments = [s for b in blocks for s in b.text.segments]
        first_hole: Segment | None = None
        holes_seen = 0
        for index, segment in enumerate(segments):
            if not segment.is_hole:
                continue
            if not segment.varies:
                return  # unknown, not known to change: its size and stability are unknown
            first_hole = first_hole or segment
            holes_seen += 1
            run = []
            for following in segments[index + 1:]:
                if following.is_hole:
                    break
                run.append(following.text or "")
            size = cost.tokens("".join(run), model)
            if size >= model.min_cacheable_tokens:
                more = f" (and {holes_seen - 1} more dynamic value{'s' if holes_seen > 2 else ''})"
                self._report(req, first_hole, param, self.BEFORE.format(
                    hole=first_hole.hole, more=more if holes_seen > 1 else "", tokens=size,
                    section=section,
                    saving=cost.money(cost.caching_saving_per_1k(size, model)),
                ))
                return  # one finding per section: the first hole is the one to move

    def _report(self, req: Request, hole: Segment, param: str, what: str) -> None:
        node = hole.node
        if node is None:
            return
        target = req.locate(node, param) if hole.path is None else req.report_node(param)
        related = req.related_if_outside(node, "the dynamic value is inserted here", hole.path)
        self.report(target, related=related,
                    fix=FixProposal(Safety.DISPLAY_ONLY, self.fix_title), what=what)
