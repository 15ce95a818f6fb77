"""``--output-format markdown``: a report for ``$GITHUB_STEP_SUMMARY`` (or a PR comment).

A heading, a totals line, a table of findings by rule, a table of the request sites (model,
static prompt tokens and input cost per 1,000 requests, now and after the suggested fixes; "—"
where promptlint cannot tell), then the findings themselves. GitHub caps a step summary at
1 MiB, so the findings list stops after :data:`MAX_LISTED` entries.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from promptlint.findings import FileResult, Finding, RequestSummary
from promptlint.report.sarif import help_uri
from promptlint.report.text import fix_marker, location

MAX_LISTED = 500
DASH = "—"
_BACKTICKS = re.compile(r"`+")  # linear: one character class, each run read once
_SPECIAL = re.compile(r"([\\*_\[\]|~])")  # linear: one character class


def _escape_plain(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def code_spans(value: str) -> Iterator[tuple[int, int, int]]:
    """The code spans of ``value`` as (start, end, length of the backtick runs), left to right:
    a run of backticks opens one and the next run of the same length closes it (CommonMark's
    rule), with some text between. Linear time (a regular expression such as ``(`+)(.+?)\\1``
    is quadratic on unmatched backticks): each run's next run of equal length is found in one
    pass from the right."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(value)]
    closer: list[int | None] = [None] * len(runs)
    following: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        closer[index] = following.get(length)
        following[length] = index
    index = 0
    while index < len(runs):
        match = closer[index]
        if match is not None and runs[match][0] > runs[index][1]:
            yield runs[index][0], runs[match][1], runs[index][1] - runs[index][0]
            index = match + 1
        else:
            index += 1


def text(value: str) -> str:
    """Markdown for a message: code spans (`...`) kept, everything else escaped, one line."""
    value = " ".join(value.split())
    out, last = [], 0
    for start, end, _ in code_spans(value):
        out.append(_escape_plain(value[last:start]))
        out.append(value[start:end])
        last = end
    out.append(_escape_plain(value[last:]))
    return "".join(out)


def code(value: str, in_table: bool = False) -> str:
    """``value`` as an inline code span that survives backticks (and, in a table, pipes)."""
    value = " ".join(value.split())
    if in_table:
        value = value.replace("|", "\\|")
    fence = "`" * (max((len(m) for m in _BACKTICKS.findall(value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _tokens(summary: RequestSummary) -> str:
    if summary.static_tokens is None:
        return DASH
    return f"{summary.static_tokens:,}" if summary.exact else f"~{summary.static_tokens:,}"


def _cost(value: float | None) -> str:
    """Dollars: cents from $1 up, two significant digits below (costs per 1,000 requests of a
    short prompt are fractions of a cent)."""
    if value is None:
        return DASH
    if value == 0 or abs(value) >= 1:
        return f"${value:,.2f}"
    decimals = max(2, 1 - math.floor(math.log10(abs(value))))
    return f"${value:.{decimals}f}"


def _site(summary: RequestSummary) -> str:
    if summary.cell is not None:
        return f"{summary.path}:cell {summary.cell}:{summary.line}"
    return f"{summary.path}:{summary.line}"


def _totals(results: list[FileResult], findings: list[Finding], unsafe_fixes: bool) -> str:
    files = len(results)
    sites = sum(len(r.requests) for r in results)
    problems = sum(1 for r in results if r.problem is not None)
    if findings:
        with_findings = len({f.path for f in findings})
        line = f"**{_plural(len(findings), 'finding')}** in {with_findings:,} of " \
               f"{_plural(files, 'file')}"
        safe = sum(1 for f in findings if fix_marker(f, False))
        unsafe = sum(1 for f in findings if fix_marker(f, True)) - safe
        fixes = []
        if safe:
            fixes.append(f"{safe:,} fixable with `promptlint fix`")
        if unsafe:
            fixes.append(f"{unsafe:,} more with `--unsafe-fixes`" if not unsafe_fixes
                         else f"{unsafe:,} with unsafe fixes")
        if fixes:
            line += f" ({', '.join(fixes)})"
    else:
        line = f"**All checks passed** ({_plural(files, 'file')} checked)"
    parts = [line, _plural(sites, "request site")]
    if problems:
        parts.append(f"{_plural(problems, 'file')} could not be checked")
    return " · ".join(parts)


def _rules_table(findings: list[Finding]) -> list[str]:
    counts = Counter((f.code, f.rule, f.severity) for f in findings)
    lines = ["| Code | Rule | Severity | Findings |", "|------|------|----------|---------:|"]
    for (rule_code, name, severity), count in sorted(counts.items()):
        lines.append(f"| [{rule_code}]({help_uri(rule_code, name)}) | {code(name, True)} | "
                     f"{severity} | {count:,} |")
    return lines


def _sites_table(sites: list[RequestSummary]) -> list[str]:
    lines = [
        "| Request | Method | Model | Static tokens | Cost / 1,000 requests | After fixes |",
        "|---------|--------|-------|--------------:|----------------------:|------------:|",
    ]
    for s in sites:
        model = code(s.model, True) if s.model else DASH
        lines.append(f"| {code(_site(s), True)} | {s.method} | {model} | {_tokens(s)} | "
                     f"{_cost(s.cost_per_1k)} | {_cost(s.cost_per_1k_fixed)} |")
    return lines


def _finding_item(finding: Finding, unsafe_fixes: bool) -> list[str]:
    marker = " [\\*]" if fix_marker(finding, unsafe_fixes) else ""
    line = f"- {code(location(finding))} **{finding.code}**{marker} {text(finding.message)}"
    if finding.fix is not None:
        line += f" — *fix ({finding.fix.applicability.label}): {text(finding.fix.title)}*"
    lines = [line]
    for related in finding.related:
        path = related.path or finding.path
        where = f"{path}:{related.line}:{related.column}" if related.cell is None else \
            f"{path}:cell {related.cell}:{related.line}:{related.column}"
        lines.append(f"  - {code(where)} note: {text(related.message)}")
    return lines


def render(results: list[FileResult], unsafe_fixes: bool = False) -> str:
    findings = [f for r in results for f in r.findings]
    sites = [s for r in results for s in r.requests]
    out = ["## promptlint", "", _totals(results, findings, unsafe_fixes), ""]
    if findings:
        out += ["### Findings by rule", "", *_rules_table(findings), ""]
    if sites:
        out += ["### Request sites", "", *_sites_table(sites), ""]
    if findings:
        out += ["### Findings", ""]
        for finding in findings[:MAX_LISTED]:
            out += _finding_item(finding, unsafe_fixes)
        if len(findings) > MAX_LISTED:
            out.append(f"- … and {len(findings) - MAX_LISTED:,} more "
                       "(run `promptlint check` for the full list)")
        out.append("")
    problems = [r.problem for r in results if r.problem is not None]
    if problems:
        out += ["### Files not checked", ""]
        out += [f"- {code(p.render())}" for p in problems]
        out.append("")
    return "\n".join(out)
