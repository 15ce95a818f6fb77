from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.findings import Safety
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    import libcst as cst

    from promptlint.edits import FixProposal
    from promptlint.models import ModelInfo
    from promptlint.resolve.prompt import Block
    from promptlint.resolve.requests import Request
    from promptlint.resolve.text import Segment


class DynamicBeforeStatic(Rule):
    code = "PRL503"
    name = "dynamic-before-static"
    message = "{what}"
    fix_title = "Move the dynamic part after the static text (or into the last user turn)"
    split_title = "Cache the static text in a first system block; send the dynamic part after it"
    severity = "warning"
    fix_availability = FixAvailability.SOMETIMES

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
        if req.method == "count_tokens":
            return
        model, self._judged = self.facts_model(req, "min_cacheable_tokens")
        prompt = req.prompt()
        self._seen: set[int] = set()  # holes reported for this request
        if model is not None and model.min_cacheable_tokens is not None:
            first_user = [b for b in prompt.section("messages") if b.message_index == 0]
            for section, param, blocks in (("tools", "tools", prompt.section("tools")),
                                           ("system prompt", "system", prompt.section("system")),
                                           ("first user message", "messages", first_user)):
                self._holes_before_static(req, model, section, param, blocks)
        elif model is not None or req.model_id() is not None:
            return  # a model known not to cache
        # a marked prefix that changes per request never hits, whatever the model (also one
        # the caller picks)
        self._marked_prefixes(req, prompt.blocks)

    def _marked_prefixes(self, req: Request, blocks: list[Block]) -> None:
        """A marker caches everything before it in the API's order (tools, system, messages):
        a per-request value anywhere in that prefix means the entry is never read."""
        for index, block in enumerate(blocks):
            if not block.cache_control:
                continue
            if block.section == "messages" and block.message_index != 0:
                return  # a marker on a later turn caches a conversation: per conversation
            own = [h for h in block.text.holes if h.varies]
            if block.section == "messages" and own and len(block.text.segments) == 1:
                own = []  # a block that is one value (a document) may repeat across requests
            earlier = [(b, h) for b in blocks[:index] for h in b.text.holes
                       if h.varies and not (b.section == "tools" and _passed_in(req, h))]
            if own:
                hole, where = own[0], block
                what = self.MARKED.format(section=_section_name(block), hole=hole.hole)
            elif earlier:
                where, hole = earlier[0]
                what = self.MARKED_AFTER.format(section=_section_name(block),
                                                hole=hole.hole, where=_section_name(where))
            else:
                continue
            self._report(req, hole, where.section, what)

    MARKED_AFTER = (
        "cache_control marks a {section} block, but `{hole}` in the {where} before it changes "
        "per request: the cached prefix changes with every request, so each request pays the "
        "cache-write premium and none reads it"
    )

    def _holes_before_static(self, req: Request, model: ModelInfo, section: str, param: str,
                             blocks: list[Block]) -> None:
        from promptlint import cost

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
                fix = self._split(req) if param == "system" else None
                self._report(req, first_hole, param, fix=fix, what=self.BEFORE.format(
                    hole=first_hole.hole, more=more if holes_seen > 1 else "", tokens=size,
                    section=section,
                    saving=cost.money(cost.caching_saving_per_1k(size, model)),
                ))
                return  # one finding per section: the first hole is the one to move

    def _report(self, req: Request, hole: Segment, param: str, what: str,
                fix: FixProposal | None = None) -> None:
        node = hole.node
        if node is None or id(hole) in self._seen:
            return
        self._seen.add(id(hole))
        self.report(req.at(param, "the dynamic value is inserted here", node=node,
                           path=hole.path),
                    fix=fix or self.advice(self.fix_title), what=what,
                    suffix=getattr(self, "_judged", ""))

    def _split(self, req: Request) -> FixProposal | None:
        """``system=f"{dynamic}...static"`` or ``system=dynamic + STATIC`` written in the call:
        reorder into a cached static block followed by the dynamic block. Unsafe: the model
        sees the two parts in the other order."""
        from promptlint.edits import FixProposal, NodeEdit, blocks, split_at_last_hole, text_block

        arg = req.keyword_arg("system")
        if arg is None:
            return None
        parts = split_at_last_hole(arg.value, lambda expr: _varies(req, expr))
        if parts is None:
            return None
        dynamic, static = parts
        code = blocks(text_block(static, cached=True), text_block(dynamic))
        return FixProposal(Safety.UNSAFE, self.split_title, [NodeEdit.replace(arg.value, code)])


def _passed_in(req: Request, hole: Segment) -> bool:
    """A tools list that is the function's parameter: the same for every call from one place
    as far as promptlint knows (a list built in the function per user is another matter)."""
    import libcst as cst

    node = hole.node
    if not isinstance(node, cst.Name) or req.site is not None:
        return False
    bindings = req.scope.lookup(node.value)[1]
    return any(b.kind == "param" for b in bindings)


def _section_name(block: Block) -> str:
    return {"tools": "tools", "system": "system", "messages": "first user message"}[block.section]


def _varies(req: Request, expr: cst.BaseExpression) -> bool:
    value = req.resolver_value(expr)
    return value is not None and value.varies
