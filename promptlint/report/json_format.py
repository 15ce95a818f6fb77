"""``--output-format json``: a list of finding objects (the output contract in DESIGN.md §6)."""

from __future__ import annotations

import json
from typing import Any

from promptlint.findings import FileResult, Finding


def finding_dict(finding: Finding) -> dict[str, Any]:
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability.label,
            "title": finding.fix.title,
            "edits": [
                {"start": e.start, "end": e.end, "content": e.content} for e in finding.fix.edits
            ],
        }
    return {
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "cell": finding.cell,
        "code": finding.code,
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "related": [
            {"path": r.path, "line": r.line, "column": r.column, "cell": r.cell,
             "message": r.message}
            for r in finding.related
        ],
        "fix": fix,
    }


def render(results: list[FileResult], unsafe_fixes: bool = False) -> str:
    items = [finding_dict(f) for r in results for f in r.findings]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
