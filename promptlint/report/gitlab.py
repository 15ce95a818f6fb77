"""``--output-format gitlab``: a GitLab Code Quality report (``artifacts:reports:codequality``).

A JSON list of issues, each with ``description``, ``check_name`` (the rule code),
``fingerprint``, ``severity`` and ``location`` (``path`` relative to ``$CI_PROJECT_DIR`` when set,
else to the current directory; ``lines.begin``/``lines.end``).

Severity: promptlint's ``error`` (the request fails at run time) is GitLab's ``major``,
``warning`` (it works but costs more than it should) is ``minor``, ``info`` is ``info``.
``critical`` and ``blocker`` are not used: no finding is a security problem, and a file that
could not be checked is reported as ``major`` under the check name ``file-not-checked``.

The fingerprint (see :func:`promptlint.report.sarif.fingerprint`) hashes the path, the code, the
message (which names the offending value) and the occurrence among equal findings in the file,
but not the line number, so GitLab keeps matching an issue when code above it moves.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from promptlint.findings import FileResult, Finding
from promptlint.report.sarif import fingerprint, occurrences, repo_path

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def _base() -> Path:
    project = os.environ.get("CI_PROJECT_DIR")
    return Path(project) if project else Path(os.getcwd())


def _issue(finding: Finding, path: str, occurrence: int) -> dict[str, Any]:
    where = f"cell {finding.cell}: " if finding.cell is not None else ""
    end = finding.end_line if finding.end_line >= finding.line else finding.line
    return {
        "description": f"{finding.code} {where}{finding.message}",
        "check_name": finding.code,
        "fingerprint": fingerprint(path, finding.code, finding.message, occurrence),
        "severity": SEVERITIES.get(finding.severity, "minor"),
        "location": {"path": path, "lines": {"begin": finding.line, "end": end}},
    }


def render(results: list[FileResult], unsafe_fixes: bool = False) -> str:
    base = _base()
    issues: list[dict[str, Any]] = []
    for result in results:
        path = repo_path(result.path, base) or result.path
        for finding, occurrence in zip(result.findings, occurrences(result.findings), strict=True):
            issues.append(_issue(finding, path, occurrence))
        if result.problem is not None:
            problem = result.problem
            issues.append({
                "description": f"promptlint could not check this file: {problem.message}",
                "check_name": "file-not-checked",
                "fingerprint": fingerprint(path, "file-not-checked", problem.message, 0),
                "severity": "major",
                "location": {"path": path, "lines": {"begin": problem.line or 1}},
            })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
