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


def found_line(findings: list[Finding]) -> str:
    """``Found N errors.``, saying how many do not fail the run."""
    count = len(findings)
    advisory = sum(1 for f in findings if f.data.get("advisory"))
    after = (f" ({advisory} retiring after the --fail-within window: they do not fail the "
             "run)" if advisory else "")
    return f"Found {count} error{'s' if count != 1 else ''}{after}."


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def render(results: list[FileResult], unsafe_fixes: bool = False, summary: bool = True) -> str:
    """The findings with their notes, then (``summary``) the count and the fix hints."""
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
    if not summary:
        return _joined(lines)
    if findings:
        lines.append(found_line(findings))
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


def render_concise(results: list[FileResult], unsafe_fixes: bool = False,
                   summary: bool = True) -> str:
    """One line per finding and (``summary``) the count, as Ruff's concise format (no notes,
    no fix hints)."""
    findings = [f for r in results for f in r.findings]
    lines = [f"{location(f)}: {f.code}{fix_marker(f, unsafe_fixes)} {f.message}"
             for f in findings]
    if not summary:
        return _joined(lines)
    if findings:
        lines.append(found_line(findings))
    elif not any(r.problem for r in results):
        lines.append("All checks passed!")
    return "\n".join(lines) + "\n"


def render_applied(applied: list[Finding]) -> str:
    """``fix --show-fixes``: the fixes applied, one line each."""
    return f"\nFixed {len(applied)} error(s):\n" + "".join(
        f"  {location(finding)}: {finding.code} {finding.fix.title if finding.fix else ''}\n"
        for finding in applied)


def render_statistics(results: list[FileResult], unsafe_fixes: bool = False,
                      output_format: str = "text") -> str:
    """``--statistics``: findings per rule, most frequent first (as Ruff)."""
    import json
    from collections import Counter

    findings = [f for r in results for f in r.findings]
    counts = Counter(f.code for f in findings)
    names = {f.code: f.rule for f in findings}
    fixable = {code: any(fix_marker(f, unsafe_fixes) for f in findings if f.code == code)
               for code in counts}
    order = sorted(counts, key=lambda code: (-counts[code], code))
    if output_format == "json":
        return json.dumps([{"code": code, "name": names[code], "count": counts[code],
                            "fixable": fixable[code]} for code in order], indent=2) + "\n"
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(f"{counts[code]:>{width}}\t{code}\t{'[*]' if fixable[code] else '[ ]'} "
                   f"{names[code]}\n" for code in order)


_BOLD, _RED, _CYAN, _DIM, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[36m", "\x1b[2m", "\x1b[0m"


def colorize(output: str) -> str:
    """ANSI colours for text output: path bold, code red, notes dimmed, as Ruff's."""
    import re

    # linear enough: the lazy path stops at the first ":N:N: CODE" (each digit run is tried
    # as at most two numbers); it runs over promptlint's own output lines
    finding = re.compile(r"^(?P<where>.+?:\d+:\d+): (?P<code>[A-Z]+\d+)(?P<rest> .*)$")
    out = []
    for line in output.splitlines():
        match = finding.match(line)
        if match and not line.startswith(" "):
            where = match.group("where")
            out.append(f"{_BOLD}{where}{_RESET}{_CYAN}:{_RESET} {_BOLD}{_RED}"
                       f"{match.group('code')}{_RESET}{match.group('rest')}")
        elif line.startswith("  ") and ": note: " in line:
            out.append(f"{_DIM}{line}{_RESET}")
        elif line.startswith(("Found ", "[*]")):
            out.append(f"{_BOLD}{line}{_RESET}")
        else:
            out.append(line)
    return "".join(line + "\n" for line in out)
