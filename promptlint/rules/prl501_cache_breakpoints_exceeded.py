from __future__ import annotations

from promptlint import facts
from promptlint.resolve.prompt import SECTIONS
from promptlint.resolve.requests import Request
from promptlint.rules.base import Rule

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
        for section in SECTIONS:
            found = sum(1 for i in prompt.markers if prompt.blocks[i].section == section)
            if found:
                parts.append(f"{found} in {section}")
        self.report(req.at(), count=prompt.breakpoints, detail=f" ({', '.join(parts)})")
