"""``--output-format sarif``: SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).

One run; ``tool.driver.rules`` lists every rule (not only those that fired) with its summary,
the "Why is this bad?" section of its doc and a help URI. Each result has the finding's
location, related locations, a partial fingerprint and, when promptlint could apply it, the fix
as ``artifactChanges``. Replacement regions use ``charOffset``/``charLength``: character
offsets into the decoded text (``run.columnKind`` is ``unicodeCodePoints``, as libcst counts).
Notebook findings carry ``properties.cell`` (1-based) and their line is the line inside that
cell; they get no ``fixes`` because the offsets would be into the cell view, not the .ipynb.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from promptlint import __version__
from promptlint.findings import FileProblem, FileResult, Finding, Safety

# The OASIS-published schema (errata 01), the one tests/data/sarif-schema-2.1.0.json vendors.
SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/promptlint/promptlint"
# Where each rule's page lives; the one place to change when the docs move.
RULE_HELP_URI = "https://github.com/promptlint/promptlint/blob/main/rules/{code}-{name}.md"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def help_uri(code: str, name: str) -> str:
    return RULE_HELP_URI.format(code=code, name=name)


def repo_path(path: str, base: Path | None = None) -> str | None:
    """``path`` (absolute, or relative to the current directory) as a POSIX path relative to
    ``base`` (default: the current directory), or None when it lies outside ``base``."""
    cwd = Path(os.getcwd())
    base = cwd if base is None else base
    candidate = Path(path)
    if not candidate.is_absolute():
        parts = PurePosixPath(candidate.as_posix()).parts
        if ".." not in parts and base == cwd:
            return PurePosixPath(*parts).as_posix() if parts else "."
        candidate = cwd / candidate
    pairs = ((Path(os.path.normpath(base)), Path(os.path.normpath(candidate))),
             (base.resolve(), candidate.resolve()))
    for root, target in pairs:
        try:
            return target.relative_to(root).as_posix()
        except ValueError:
            continue
    return None


def fingerprint(path: str, code: str, message: str, occurrence: int) -> str:
    """A hash that survives code moving around: it does not contain the line number. The
    message names the offending value (model, number, parameter), and ``occurrence`` (0, 1, ...
    among equal path/code/message in file order) keeps identical findings apart."""
    text = "\0".join((path, code, message, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def occurrences(findings: list[Finding]) -> list[int]:
    """For each finding of one file, how many earlier ones have the same code and message."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for f in findings:
        key = (f.code, f.message)
        out.append(seen.get(key, 0))
        seen[key] = out[-1] + 1
    return out


def _artifact(path: str, base: Path) -> dict[str, Any]:
    relative = repo_path(path, base)
    if relative is not None:
        return {"uri": quote(relative), "uriBaseId": SRCROOT}
    return {"uri": (base / path).resolve().as_uri()}


def _region(line: int | None, column: int | None, end_line: int | None = None,
            end_column: int | None = None) -> dict[str, int] | None:
    if line is None or line < 1:
        return None
    region = {"startLine": line}
    if column is not None and column >= 1:
        region["startColumn"] = column
    if end_line is not None and end_line >= line:
        region["endLine"] = end_line
        if end_column is not None and end_column >= 1:
            region["endColumn"] = end_column
    return region


def _physical(path: str, base: Path, region: dict[str, int] | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(path, base)}
    if region is not None:
        physical["region"] = region
    return physical


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    from promptlint.ruledocs import rule_doc, summary

    doc = rule_doc(rule)
    short = summary(rule) or rule.message
    why = _section(doc, "Why is this bad?") or short
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": why, "markdown": why},
        "help": {"text": f"{short} See {help_uri(rule.code, rule.name)}", "markdown": doc},
        "helpUri": help_uri(rule.code, rule.name),
        "defaultConfiguration": {
            "level": LEVELS.get(rule.severity, "warning"),
            "enabled": bool(rule.default_enabled),
        },
        "properties": {"tags": ["anthropic", "claude"], "fixAvailability": rule.fix_availability},
    }


def _section(doc: str, title: str) -> str:
    marker = f"## {title}"
    if marker not in doc:
        return ""
    body = doc.split(marker, 1)[1]
    cut = body.find("\n## ")
    return (body if cut < 0 else body[:cut]).strip()


def _fix(finding: Finding, base: Path, unsafe_fixes: bool) -> dict[str, Any] | None:
    fix = finding.fix
    if fix is None or not fix.edits or finding.cell is not None:
        return None
    if fix.applicability == Safety.DISPLAY_ONLY:
        return None
    if fix.applicability == Safety.UNSAFE and not unsafe_fixes:
        return None
    replacements = []
    for edit in sorted(fix.edits, key=lambda e: (e.start, e.end)):
        replacement: dict[str, Any] = {
            "deletedRegion": {"charOffset": edit.start, "charLength": edit.end - edit.start}
        }
        if edit.content:
            replacement["insertedContent"] = {"text": edit.content}
        replacements.append(replacement)
    return {
        "description": {"text": fix.title},
        "artifactChanges": [
            {"artifactLocation": _artifact(finding.path, base), "replacements": replacements}
        ],
        "properties": {"applicability": fix.applicability.label},
    }


def _result(finding: Finding, rule_index: dict[str, int], base: Path, occurrence: int,
            unsafe_fixes: bool) -> dict[str, Any]:
    text = finding.message if finding.cell is None else f"cell {finding.cell}: {finding.message}"
    region = _region(finding.line, finding.column, finding.end_line, finding.end_column)
    result: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    result["level"] = LEVELS.get(finding.severity, "warning")
    result["message"] = {"text": text}
    result["locations"] = [{"physicalLocation": _physical(finding.path, base, region)}]
    related = []
    for i, rel in enumerate(finding.related):
        note = rel.message if rel.cell is None else f"cell {rel.cell}: {rel.message}"
        related.append({
            "id": i + 1,
            "physicalLocation": _physical(rel.path or finding.path, base,
                                          _region(rel.line, rel.column)),
            "message": {"text": note},
        })
    if related:
        result["relatedLocations"] = related
    key_path = repo_path(finding.path, base) or finding.path
    result["partialFingerprints"] = {
        "promptlint/v1": fingerprint(key_path, finding.code, finding.message, occurrence)
    }
    fix = _fix(finding, base, unsafe_fixes)
    if fix is not None:
        result["fixes"] = [fix]
    properties: dict[str, Any] = {"rule": finding.rule}
    if finding.cell is not None:
        properties["cell"] = finding.cell
    if finding.fix is not None:
        properties["fix"] = {"title": finding.fix.title,
                             "applicability": finding.fix.applicability.label}
    result["properties"] = properties
    return result


def _notification(problem: FileProblem, base: Path) -> dict[str, Any]:
    region = _region(problem.line, problem.column)
    return {
        "level": "error",
        "message": {"text": f"{problem.path}: {problem.message}"},
        "locations": [{"physicalLocation": _physical(problem.path, base, region)}],
    }


def render(results: list[FileResult], unsafe_fixes: bool = False) -> str:
    from promptlint.rules import ALL_RULES

    base = Path(os.getcwd())
    rule_index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    sarif_results = []
    notifications = []
    for file_result in results:
        counts = occurrences(file_result.findings)
        for finding, occurrence in zip(file_result.findings, counts, strict=True):
            sarif_results.append(_result(finding, rule_index, base, occurrence, unsafe_fixes))
        if file_result.problem is not None:
            notifications.append(_notification(file_result.problem, base))
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    root = base.as_uri()
    run = {
        "tool": {
            "driver": {
                "name": "promptlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in ALL_RULES],
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": root if root.endswith("/") else root + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": sarif_results,
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
