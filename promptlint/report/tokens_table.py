"""`promptlint tokens` output: one row per request."""

from __future__ import annotations

import json
from typing import Any

from promptlint.cost import money
from promptlint.findings import FileResult, RequestSummary


def _location(row: RequestSummary) -> str:
    if row.cell is not None:
        return f"{row.path}:cell {row.cell}:{row.line}:{row.column}"
    return f"{row.path}:{row.line}:{row.column}"


def _tokens(value: int | None, exact: bool) -> str:
    if value is None:
        return "?"
    return f"{value:,}" if exact else f"~{value:,}"


def rows(results: list[FileResult]) -> list[RequestSummary]:
    return [r for result in results for r in result.requests]


def render_text(results: list[FileResult]) -> str:
    table = [("location", "model", "static", "cached", "$/1k now", "$/1k cached", "dynamic")]
    for row in rows(results):
        holes = ", ".join(row.dynamic_holes[:3]) + (" ..." if len(row.dynamic_holes) > 3 else "")
        table.append((
            _location(row), row.model or "?", _tokens(row.static_tokens, row.exact),
            _tokens(row.cached_tokens, row.exact), money(row.cost_per_1k),
            money(row.cost_per_1k_fixed), holes or "-",
        ))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    out = []
    for line in table:
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                 for i, cell in enumerate(line[:-1])]
        out.append("  ".join(cells) + "  " + line[-1])
    count = len(table) - 1
    notes = [f"{_location(r)}: {r.note}" for r in rows(results) if r.note]
    footer = [f"{count} request{'s' if count != 1 else ''}. '~' marks offline estimates "
              "(tokens of the static prefix; the costs price all static text of the prompt, "
              "dynamic parts excluded)."]
    return "\n".join(out + notes + footer) + "\n"


def render_json(results: list[FileResult]) -> str:
    items: list[dict[str, Any]] = []
    for row in rows(results):
        items.append({
            "path": row.path, "line": row.line, "column": row.column, "cell": row.cell,
            "method": row.method, "model": row.model,
            "static_tokens": row.static_tokens, "cached_tokens": row.cached_tokens,
            "input_tokens": row.input_tokens, "reorder_tokens": row.reorder_tokens,
            "cache_ttl": row.cache_ttl, "via": row.via,
            "exact": row.exact, "dynamic": row.dynamic_holes,
            "cost_per_1k_requests": row.cost_per_1k,
            "cost_per_1k_requests_cached": row.cost_per_1k_fixed,
            "note": row.note or None,
        })
    return json.dumps(items, indent=2) + "\n"
