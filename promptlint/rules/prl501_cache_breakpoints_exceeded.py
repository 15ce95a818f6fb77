from __future__ import annotations

from promptlint import facts
from promptlint.resolve.requests import Request
from promptlint.resolve.values import Value
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
        count = 0
        parts: list[str] = []
        top = req.arg("cache_control")
        if top is not None and top.py is not None:
            count += 1
            parts.append("1 top-level")
        for name in ("tools", "system", "messages"):
            value = req.arg(name)
            found = _markers(value) if value is not None else 0
            if found:
                count += found
                parts.append(f"{found} in {name}")
        if count <= MAX_BREAKPOINTS:
            return
        self.report(req.anchor, count=count, detail=f" ({', '.join(parts)})")


def _markers(value: Value, depth: int = 0) -> int:
    """Known cache_control markers inside a tools/system/messages value (blocks and messages)."""
    if depth > 3:
        return 0
    items = value.as_list()
    if items is None:
        return 0
    total = 0
    for item in items.items:
        block = item.as_dict()
        if block is None:
            continue
        marker = block.items.get("cache_control")
        if marker is not None and marker.py is not None:
            total += 1
        content = block.items.get("content")
        if content is not None and depth == 0:
            total += _markers(content, depth + 1)
    return total
