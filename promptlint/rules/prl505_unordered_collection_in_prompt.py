from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class UnorderedCollectionInPrompt(Rule):
    code = "PRL505"
    name = "unordered-collection-in-prompt"
    message = (
        "`{expr}` writes the strings of a set into the cached {section} in hash order, which "
        "differs from process to process (string hashing is randomized): each worker and each "
        "restart sends other bytes and writes a cache entry of its own"
    )
    fix_title = "Sort the items before writing them into the prompt (sorted(...))"
    severity = "warning"
    fix_availability = FixAvailability.DISPLAY_ONLY

    def check_request(self, req: Request) -> None:
        if req.method == "count_tokens":
            return
        from promptlint.resolve.ordering import code_of, unordered_culprit

        prompt = req.prompt()
        last = prompt.last_cached()
        if last is None:
            return  # nothing is cached
        seen: set[int] = set()
        for block in prompt.blocks[: last + 1]:
            for hole in block.text.holes:
                culprit = unordered_culprit(req, hole)
                if culprit is None or id(culprit) in seen:
                    continue
                seen.add(id(culprit))
                section = {"tools": "tools", "system": "system prompt",
                           "messages": "first user message"}[block.section]
                node = hole.node
                assert node is not None
                at = req.at(block.section, "the set is written out here", node=node,
                            source=culprit, path=hole.path)
                self.report(at, fix=self.advice(self.fix_title), expr=code_of(culprit),
                            section=section)
