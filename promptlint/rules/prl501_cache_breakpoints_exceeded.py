from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from promptlint import facts
from promptlint.rules.base import Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request

MAX_BREAKPOINTS: int = facts.api("max_cache_breakpoints")


class CacheBreakpointsExceeded(Rule):
    code = "PRL501"
    name = "cache-breakpoints-exceeded"
    message = (
        "{count} cache_control breakpoints in one request{detail}: the API allows at most "
        f"{MAX_BREAKPOINTS} (400)"
    )

    def check_request(self, req: Request) -> None:
        prompt = req.prompt()
        if prompt.breakpoints <= MAX_BREAKPOINTS:
            return
        parts = ["1 top-level"] if prompt.top_level_cache else []
        # the blocks are in the API's order (tools, system, messages)
        sections = Counter(prompt.blocks[i].section for i in prompt.markers)
        parts += [f"{found} in {section}" for section, found in sections.items()]
        self.report(req.at(), count=prompt.breakpoints, detail=f" ({', '.join(parts)})")
