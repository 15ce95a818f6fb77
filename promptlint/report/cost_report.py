"""``promptlint report``: a cost report as one self-contained HTML page or as Markdown.

For each request site: where it is, the model, the method, the size of its prompt (static
prefix, the part behind a ``cache_control`` marker, the dynamic parts), the input price per
1,000 requests as written and after the suggested fixes (the engine's ``cost_per_1k`` and
``cost_per_1k_fixed``), the traffic, the monthly estimate (30 days) now and after the fixes, and
the findings at that site. Then the totals and a findings-by-rule table.

Traffic comes from ``[tool.promptlint.traffic]`` (requests per day per request site)::

    [tool.promptlint.traffic]
    "src/app/assistant.py:20" = 50000      # the request whose call starts on line 20
    "src/app/nightly.py" = 200             # every request site in this file, each
    "notebooks/try.ipynb:cell 3:1" = 10    # a notebook request: cell (1-based), line in it

Paths are relative to the directory of the pyproject.toml the configuration came from (or
absolute). A ``path:line`` key beats a ``path`` key; a site no key matches gets
:data:`DEFAULT_REQUESTS_PER_DAY`. Keys that match no checked request site are listed in the
report (a typo would otherwise silently fall back to the default).

A finding belongs to the request site of the same file (and notebook cell order) that starts on
or before the finding's line and is the nearest such site: rules report inside the request's
call (at ``model=``, ``max_tokens=``, ...), and a request only knows the line it starts on.
Findings above the first request of their file are listed as "elsewhere".

Every number is input cost of the *static* prompt prefix only (dynamic parts and output tokens
are not known statically), from offline token estimates ('~') unless counted exactly; treat the
monthly figures as a floor. ``count_tokens`` requests are free and left out of the totals.

This module shapes the FileResults for the templates in ``report/templates/`` (and formats
numbers); it finds nothing itself. Jinja2 is imported only when a report is rendered.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from promptlint.config import Config
from promptlint.findings import FileResult, Finding, RequestSummary
from promptlint.report import markdown as md
from promptlint.report.sarif import help_uri

DEFAULT_REQUESTS_PER_DAY = 1000.0
DAYS_PER_MONTH = 30
PER_THOUSAND = 1000
DASH = "—"
FREE_METHODS = frozenset({"count_tokens"})  # the token-counting endpoint is not billed
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
TEMPLATES = {"html": "cost_report.html.j2", "markdown": "cost_report.md.j2"}

# Traffic keys from the project's configuration (short). Both are anchored and try each ``:``
# once: the path part ends at a ``:`` and what follows is digits or ``cell`` words (disjoint
# from ``:``), so a key costs time linear in its length times the number of its colons.
_NOTEBOOK_KEY = re.compile(r"^(?P<path>.+?):\s*cell\s*(?P<cell>\d+):(?P<line>\d+)$")
_LINE_KEY = re.compile(r"^(?P<path>.+):(?P<line>\d+)$")


# ---- traffic ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrafficKey:
    key: str  # as written in pyproject.toml
    path: str  # normalised absolute path
    line: int | None = None
    cell: int | None = None


def _normalise(path: str, base: Path) -> str:
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = base / candidate
    return str(candidate.resolve())


def parse_traffic_key(key: str, base: Path) -> TrafficKey:
    """``path``, ``path:line`` or ``path:cell N:line`` (paths relative to ``base``)."""
    text = key.strip()
    match = _NOTEBOOK_KEY.match(text)
    if match:
        return TrafficKey(key, _normalise(match["path"], base), int(match["line"]),
                          int(match["cell"]))
    match = _LINE_KEY.match(text)
    if match:
        return TrafficKey(key, _normalise(match["path"], base), int(match["line"]))
    return TrafficKey(key, _normalise(text, base))


class Traffic:
    """Requests per day for each request site, from ``Config.traffic``."""

    def __init__(self, config: Config) -> None:
        base = config.root
        self.keys = [(parse_traffic_key(k, base), float(n)) for k, n in config.traffic]
        self.used: set[str] = set()

    def lookup(self, summary: RequestSummary) -> tuple[float, str | None]:
        """(requests per day, the key that gave it or None for the default)."""
        path = str(Path(summary.path).resolve())
        by_file: tuple[TrafficKey, float] | None = None
        for key, per_day in self.keys:
            if key.path != path:
                continue
            if key.line is None:
                by_file = by_file or (key, per_day)
            elif key.line == summary.line and key.cell == summary.cell:
                self.used.add(key.key)
                return per_day, key.key
        if by_file is not None:
            self.used.add(by_file[0].key)
            return by_file[1], by_file[0].key
        return DEFAULT_REQUESTS_PER_DAY, None

    def unused(self) -> list[str]:
        return [key.key for key, _ in self.keys if key.key not in self.used]


# ---- the report's shape -------------------------------------------------------------------
@dataclass
class Site:
    summary: RequestSummary
    label: str
    requests_per_day: float
    traffic_key: str | None
    billed: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def estimated(self) -> bool:
        return not self.summary.exact

    def monthly(self, per_1k: float | None) -> float | None:
        if per_1k is None or not self.billed:
            return None
        return per_1k * self.requests_per_day / PER_THOUSAND * DAYS_PER_MONTH

    @property
    def monthly_now(self) -> float | None:
        return self.monthly(self.summary.cost_per_1k)

    @property
    def monthly_fixed(self) -> float | None:
        return self.monthly(self.summary.cost_per_1k_fixed)

    @property
    def monthly_saving(self) -> float | None:
        now, fixed = self.monthly_now, self.monthly_fixed
        return None if now is None or fixed is None else now - fixed


@dataclass
class RuleRow:
    code: str
    name: str
    severity: str
    count: int
    fixable: int
    url: str


@dataclass
class Totals:
    monthly_now: float
    monthly_fixed: float
    saving: float
    saving_percent: float | None
    sites: int
    priced: int  # billed sites with a known price
    free: int
    unpriced: int
    findings: int
    by_severity: dict[str, int]
    files: int
    estimated: bool


def site_label(summary: RequestSummary) -> str:
    if summary.cell is not None:
        return f"{summary.path}:cell {summary.cell}:{summary.line}"
    return f"{summary.path}:{summary.line}"


def _position(cell: int | None, line: int) -> tuple[int, int]:
    return (cell or 0, line)


def attach_findings(result: FileResult, sites: list[Site]) -> list[Finding]:
    """Give each finding to the nearest site of its file starting on or before it; return the
    findings above the first site."""
    ordered = sorted(sites, key=lambda s: _position(s.summary.cell, s.summary.line))
    elsewhere: list[Finding] = []
    for finding in sorted(result.findings, key=Finding.sort_key):
        where = _position(finding.cell, finding.line)
        owner = None
        for site in ordered:
            if _position(site.summary.cell, site.summary.line) <= where:
                owner = site
            else:
                break
        (owner.findings if owner is not None else elsewhere).append(finding)
    for site in sites:
        site.findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.line, f.code))
    return elsewhere


def _fixable(finding: Finding) -> bool:
    return finding.fix is not None and finding.fix.available


def rule_rows(findings: list[Finding]) -> list[RuleRow]:
    counts = Counter((f.code, f.rule, f.severity) for f in findings)
    fixable = Counter((f.code, f.rule, f.severity) for f in findings if _fixable(f))
    rows = [RuleRow(c, n, s, k, fixable[(c, n, s)], help_uri(c, n))
            for (c, n, s), k in counts.items()]
    return sorted(rows, key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), -r.count, r.code))


def _totals(results: list[FileResult], sites: list[Site], findings: list[Finding]) -> Totals:
    now = [s.monthly_now for s in sites if s.monthly_now is not None]
    fixed = [s.monthly_fixed for s in sites if s.monthly_fixed is not None]
    saving = sum(s.monthly_saving for s in sites if s.monthly_saving is not None)
    total_now = sum(now)
    return Totals(
        monthly_now=total_now,
        monthly_fixed=sum(fixed),
        saving=saving,
        saving_percent=saving / total_now * 100 if total_now > 0 else None,
        sites=len(sites),
        priced=len(now),
        free=sum(1 for s in sites if not s.billed),
        unpriced=sum(1 for s in sites if s.billed and s.monthly_now is None),
        findings=len(findings),
        by_severity=dict(Counter(f.severity for f in findings)),
        files=len(results),
        estimated=any(s.estimated for s in sites if s.monthly_now is not None),
    )


def build(results: list[FileResult], config: Config) -> dict[str, Any]:
    """Everything the templates show."""
    from promptlint import __version__
    from promptlint.models import catalogue

    traffic = Traffic(config)
    sites: list[Site] = []
    elsewhere: list[Finding] = []
    for result in results:
        file_sites = []
        for summary in result.requests:
            per_day, key = traffic.lookup(summary)
            file_sites.append(Site(summary, site_label(summary), per_day, key,
                                   summary.method not in FREE_METHODS))
        elsewhere += attach_findings(result, file_sites)
        sites += file_sites
    findings = [f for r in results for f in r.findings]
    return {
        "sites": sites,
        "elsewhere": elsewhere,
        "rules": rule_rows(findings),
        "totals": _totals(results, sites, findings),
        "problems": [r.problem for r in results if r.problem is not None],
        "warnings": [(r.path, w) for r in results for w in r.warnings],
        "unused_traffic": traffic.unused(),
        "configured_traffic": bool(config.traffic),
        "traffic_source": str(config.source) if config.source else None,
        "default_per_day": DEFAULT_REQUESTS_PER_DAY,
        "days": DAYS_PER_MONTH,
        "version": __version__,
        "catalogue": catalogue().version,
    }


# ---- formatting (template filters) --------------------------------------------------------
def money(value: float | None, estimated: bool = False) -> str:
    """Dollars: cents from $1 up, two significant digits below (the input cost of 1,000
    requests of a short prompt is a fraction of a cent); '~' in front of estimates."""
    if value is None:
        return DASH
    if value == 0 or abs(value) >= 1:
        text = f"${value:,.2f}"
    else:
        decimals = max(2, 1 - math.floor(math.log10(abs(value))))
        text = f"${value:.{decimals}f}"
    return f"~{text}" if estimated else text


def tokens(value: int | None, exact: bool = False) -> str:
    if value is None:
        return DASH
    return f"{value:,}" if exact else f"~{value:,}"


def count(value: float) -> str:
    """Requests per day: 1,000 / 2.5."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def percent(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:.0f}%" if value >= 1 or value == 0 else f"{value:.1g}%"


def plural(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")  # linear: a literal with a one-character look-behind


def md_cell(value: str) -> str:
    """A message for a Markdown table cell: code spans kept, the rest escaped, and every pipe
    escaped (GitHub splits cells on a pipe even inside a code span)."""
    return _UNESCAPED_PIPE.sub(r"\\|", md.text(str(value)))


def html_text(value: str) -> Any:
    """A message as HTML: everything escaped, `code spans` as <code>."""
    from markupsafe import Markup, escape

    value = str(value)
    out, last = [], 0
    for start, end, ticks in md.code_spans(value):
        out.append(escape(value[last:start]))
        out.append(Markup("<code>%s</code>") % value[start + ticks:end - ticks].strip())
        last = end
    out.append(escape(value[last:]))
    return Markup("").join(out)


def path_breaks(value: str) -> Any:
    """A path as HTML with line-break opportunities after each slash."""
    from markupsafe import Markup, escape

    return Markup("/<wbr>").join(escape(part) for part in str(value).split("/"))


def _environment(report_format: str) -> Any:
    import jinja2

    env = jinja2.Environment(
        autoescape=report_format == "html",
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update({
        "money": money, "tokens": tokens, "count": count, "percent": percent,
        "plural": plural, "md_code": lambda v: md.code(str(v), in_table=True),
        "md_text": md_cell, "html_text": html_text, "doc_url": help_uri,
        "path_breaks": path_breaks,
    })
    return env


def render_report(results: list[FileResult], config: Config, report_format: str) -> str:
    """The cost report for ``results`` as ``"html"`` (one self-contained page) or
    ``"markdown"``."""
    if report_format not in TEMPLATES:
        raise ValueError(f"unknown report format {report_format!r} (html or markdown)")
    source = (resources.files("promptlint").joinpath("report", "templates",
                                                     TEMPLATES[report_format])
              .read_text("utf-8"))
    template = _environment(report_format).from_string(source)
    return template.render(**build(results, config))
