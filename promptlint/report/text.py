"""Ruff-style text: ``path:line:col: CODE [*] message`` and a summary line."""

from __future__ import annotations

from promptlint.findings import FileResult, Finding, Safety


def location(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:{finding.line}:{finding.column}"
    return f"{finding.path}:{finding.line}:{finding.column}"


def fix_marker(finding: Finding, unsafe_fixes: bool) -> str:
    fix = finding.fix
    if fix is None or not fix.available:
        return ""
    if fix.applicability == Safety.SAFE or unsafe_fixes:
        return " [*]"
    return ""


def render(results: list[FileResult], unsafe_fixes: bool = False) -> str:
    lines: list[str] = []
    findings = [f for r in results for f in r.findings]
    for finding in findings:
        lines.append(f"{location(finding)}: {finding.code}{fix_marker(finding, unsafe_fixes)} "
                     f"{finding.message}")
        for related in finding.related:
            where = f"{related.path}:{related.line}:{related.column}"
            if related.cell is not None:
                where = f"{related.path}:cell {related.cell}:{related.line}:{related.column}"
            lines.append(f"  {where}: note: {related.message}")
    if findings:
        count = len(findings)
        advisory = sum(1 for f in findings if f.data.get("advisory"))
        after = (f" ({advisory} retiring after the --fail-within window: they do not fail the "
                 "run)" if advisory else "")
        lines.append(f"Found {count} error{'s' if count != 1 else ''}{after}.")
        safe = sum(1 for f in findings if fix_marker(f, False))
        unsafe = sum(1 for f in findings if fix_marker(f, True)) - safe
        if safe:
            lines.append(f"[*] {safe} fixable with the `--fix` option"
                         + (f" ({unsafe} hidden fixes can be enabled with the "
                            "`--unsafe-fixes` option)." if unsafe and not unsafe_fixes else "."))
        elif unsafe and not unsafe_fixes:
            lines.append(f"No fixes available ({unsafe} hidden fixes can be enabled with the "
                         "`--unsafe-fixes` option).")
    elif not any(r.problem for r in results):
        lines.append("All checks passed!")
    return "\n".join(lines) + "\n"
