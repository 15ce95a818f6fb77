"""`promptlint report`: the HTML and Markdown cost reports (promptlint/report/cost_report.py)."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from promptlint.config import Config
from promptlint.findings import FileResult, Finding, RequestSummary
from promptlint.report import cost_report
from promptlint.report.cost_report import money, parse_traffic_key, render_report
from promptlint.report.sarif import RULE_HELP_URI
from tests.helpers import run_cli
from tests.test_cost_figures import expected_site

ROOT = Path(__file__).resolve().parent.parent
DOCS_PREFIX = RULE_HELP_URI.split("{")[0]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}

LONG_SYSTEM = " ".join(
    f"Rule {i}: answer billing questions precisely and cite the policy." for i in range(150)
)
APP = f'''import anthropic

client = anthropic.Anthropic()
SYSTEM = {LONG_SYSTEM!r}


def answer(question: str) -> str:
    reply = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=512,
        system=SYSTEM,
        messages=[{{"role": "user", "content": question}}],
    )
    return reply.content[0].text


def short(question: str) -> str:
    reply = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=64,
        system="Answer in one word.",
        messages=[{{"role": "user", "content": question}}],
    )
    return reply.content[0].text
'''
OTHER = '''import anthropic

client = anthropic.Anthropic()


def label(text: str) -> str:
    return client.messages.create(
        model="claude-opus-4-6",
        max_tokens=16,
        system="Label the text as spam or ham. Reply with the label only.",
        messages=[{"role": "user", "content": text}],
    ).content[0].text
'''


# ---- helpers ------------------------------------------------------------------------------
class Page(HTMLParser):
    """Collects what the tests look at and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sites: list[dict[str, str | None]] = []
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.text: list[str] = []
        self.style = ""
        self._in_style = False
        self._capture: str | None = None
        self.id_text: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "tbody" and "site" in (attributes.get("class") or "").split():
            self.sites.append(attributes)
        if attributes.get("id"):
            self.by_id[attributes["id"] or ""] = attributes
        if tag == "style":
            self._in_style = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse_html(source: str) -> Page:
    page = Page()
    page.feed(source)
    page.close()
    assert not page.errors, page.errors[:5]
    assert not page.stack, f"unclosed: {page.stack}"
    return page


def card_value(source: str, card_id: str) -> str:
    match = re.search(rf'id="{card_id}">.*?<div class="value">(.*?)</div>', source, re.S)
    assert match, card_id
    return match.group(1).strip()


def site_label(row: dict) -> str:
    if row["cell"] is not None:
        return f"{row['path']}:cell {row['cell']}:{row['line']}"
    return f"{row['path']}:{row['line']}"


def opt_float(value: str | None) -> float | None:
    return None if value in (None, "") else float(value)


def tokens_json(*args: str, cwd: Path) -> list[dict]:
    proc = run_cli("tokens", "--output-format", "json", *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def report(fmt: str, out: Path, *args: str, cwd: Path) -> str:
    proc = run_cli("report", "--format", fmt, "-o", str(out), *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return out.read_text("utf-8")


def check_consistent(page: Page, rows: list[dict], per_day: dict[str, float]) -> None:
    """Every site of `promptlint tokens` is in the report with the same numbers; monthly =
    price per 1,000 x requests per day / 1,000 x 30; the totals are the sums."""
    assert [s["data-site"] for s in page.sites] == [site_label(r) for r in rows]
    monthly_now = monthly_fixed = 0.0
    for site, row in zip(page.sites, rows, strict=True):
        label = site["data-site"]
        assert (site["data-model"] or None) == row["model"], label
        assert site["data-method"] == row["method"], label
        assert opt_float(site["data-static-tokens"]) == row["static_tokens"], label
        assert opt_float(site["data-cached-tokens"]) == row["cached_tokens"], label
        assert opt_float(site["data-cost-1k"]) == row["cost_per_1k_requests"], label
        rpd = per_day.get(label, cost_report.DEFAULT_REQUESTS_PER_DAY)
        assert float(site["data-requests-per-day"] or 0) == rpd, label
        # monthly figures include cache writes and only the fixes listed at the site: they are
        # recomputed from tokens, prices and traffic in tests/test_cost_figures.py
        expected = expected_site(row, rpd, set((site["data-codes"] or "").split()))
        if site["data-billed"] != "true" or expected is None:
            assert opt_float(site["data-monthly"]) is None, label  # free, a wrapper, unknown
        else:
            assert opt_float(site["data-monthly"]) == pytest.approx(expected[0]), label
            assert opt_float(site["data-monthly-fixed"]) == pytest.approx(expected[1]), label
        monthly_now += opt_float(site["data-monthly"]) or 0.0
        monthly_fixed += opt_float(site["data-monthly-fixed"]) or 0.0
    totals = page.by_id["totals-row"]
    assert float(totals["data-monthly"] or 0) == pytest.approx(monthly_now)
    assert float(totals["data-monthly-fixed"] or 0) == pytest.approx(monthly_fixed)
    assert float(totals["data-saving"] or 0) == pytest.approx(monthly_now - monthly_fixed)


def check_self_contained(page: Page) -> None:
    for tag, attrs in page.tags:
        assert tag not in {"script", "link", "img", "iframe", "object", "embed", "base"}, tag
        assert "src" not in attrs and "srcset" not in attrs, (tag, attrs)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)  # no inline handlers
        href = attrs.get("href")
        if href is not None:
            assert tag == "a", (tag, attrs)
            assert href.startswith("#") or href.startswith(DOCS_PREFIX), href
    assert "url(" not in page.style and "@import" not in page.style and "http" not in page.style
    assert "@font-face" not in page.style


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, "utf-8")
    (tmp_path / "other.py").write_text(OTHER, "utf-8")
    return tmp_path


def write_traffic(project: Path, rows: list[dict]) -> dict[str, float]:
    """Traffic for the temp project: one site by path:line, a file by path, a key that matches
    nothing; returns the expected requests/day per site label."""
    answer = next(r for r in rows if r["model"] == "claude-sonnet-4-6")
    (project / "pyproject.toml").write_text(
        "[tool.promptlint.traffic]\n"
        f'"app.py:{answer["line"]}" = 5000\n'
        '"other.py" = 20\n'
        '"./other.py:1" = 3.5\n'  # no request starts on line 1: reported as unused
        '"gone.py" = 7\n',
        "utf-8",
    )
    expected = {site_label(answer): 5000.0}
    expected.update({site_label(r): 20.0 for r in rows if r["path"].endswith("other.py")})
    return expected


# ---- the examples -------------------------------------------------------------------------
def test_html_report_of_the_examples(tmp_path: Path) -> None:
    source = report("html", tmp_path / "out.html", "examples/", cwd=ROOT)
    rows = tokens_json("examples/", cwd=ROOT)
    assert rows, "the examples make requests"
    page = parse_html(source)
    check_self_contained(page)
    check_consistent(page, rows, {})
    text = page.all_text()
    for row in rows:
        if row["model"]:
            assert row["model"] in text
    findings = run_cli("check", "--output-format", "json", "examples/", cwd=ROOT)
    assert findings.returncode in (0, 1), findings.stderr
    found = json.loads(findings.stdout)
    assert sum(int(s["data-findings"] or 0) for s in page.sites) <= len(found)
    assert int(page.by_id["totals-row"]["data-findings"] or 0) == len(found)
    for code in {f["code"] for f in found}:
        assert code in text
    rule_rows = [a for t, a in page.tags if t == "tr" and "data-code" in a]
    assert sum(int(a["data-count"] or 0) for a in rule_rows) == len(found)
    assert "1,000" in text and "default" in text  # no traffic configured for the examples
    assert "~" in card_value(source, "total-now")  # offline estimates are marked
    assert source.lstrip().lower().startswith("<!doctype html>")
    assert '<meta name="viewport"' in source and "@media print" in source


def test_markdown_report_of_the_examples(tmp_path: Path) -> None:
    text = report("markdown", tmp_path / "out.md", "examples/", cwd=ROOT)
    rows = tokens_json("examples/", cwd=ROOT)
    assert text.startswith("# promptlint cost report")
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| Request | Method |"))
    table = lines[header + 2:header + 2 + len(rows)]
    assert len(table) == len(rows)
    html_sites = parse_html(report("html", tmp_path / "out.html", "examples/", cwd=ROOT)).sites
    for line, row, html_site in zip(table, rows, html_sites, strict=True):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cells) == 12, line
        assert cells[0] == f"`{site_label(row)}`"
        assert cells[2] == (f"`{row['model']}`" if row["model"] else "—")
        if row["method"] == "count_tokens":
            assert cells[6] == "free"
        elif html_site["data-billed"] == "false":
            assert cells[6] == "at its calls"  # a wrapper's own request
        else:
            assert cells[6] == money(row["cost_per_1k_requests"], True)
            # after the fixes listed at this site (the same figure as the HTML report's)
            assert cells[7] == money(opt_float(html_site["data-cost-1k-fixed"]), True)
        assert cells[8] == "1,000 (default)"
    assert "## Findings by rule" in text and "## Findings at each request site" in text


# ---- traffic ------------------------------------------------------------------------------
def test_traffic_multiplies_and_totals_add_up(project: Path, tmp_path: Path) -> None:
    rows = tokens_json(".", cwd=project)
    assert [r["model"] for r in rows] == ["claude-sonnet-4-6", "claude-haiku-4-5",
                                          "claude-opus-4-6"]
    expected = write_traffic(project, rows)
    source = report("html", tmp_path / "report.html", ".", cwd=project)
    page = parse_html(source)
    check_self_contained(page)
    check_consistent(page, rows, expected)

    answer = next(s for s in page.sites if s["data-model"] == "claude-sonnet-4-6")
    cost = float(answer["data-cost-1k"] or 0)
    fixed = float(answer["data-cost-1k-fixed"] or 0)
    assert fixed < cost  # caching the long system prompt is the suggested fix
    assert float(answer["data-monthly"] or 0) == pytest.approx(cost * 5000 / 1000 * 30)
    total_now = sum(float(s["data-monthly"] or 0) for s in page.sites)
    total_fixed = sum(float(s["data-monthly-fixed"] or 0) for s in page.sites)
    assert card_value(source, "total-now") == money(total_now, True)
    assert card_value(source, "total-fixed") == money(total_fixed, True)
    assert card_value(source, "total-saving") == money(total_now - total_fixed, True)
    assert total_now > total_fixed > 0

    unused = re.search(r'id="unused-traffic">(.*?)</div>', source, re.S)
    assert unused, "keys that match nothing are reported"
    assert "./other.py:1" in unused.group(1) and "gone.py" in unused.group(1)
    assert "app.py:" not in unused.group(1)
    assert "5,000" in page.all_text() and "configured" in page.all_text()


def test_traffic_keys_are_relative_to_the_pyproject(project: Path, tmp_path: Path) -> None:
    """Run from elsewhere with --config: keys still name files next to pyproject.toml."""
    rows = tokens_json(".", cwd=project)
    write_traffic(project, rows)
    out = tmp_path / "elsewhere.md"
    text = report("markdown", out, str(project), "--config", str(project / "pyproject.toml"),
                  cwd=ROOT)
    assert "5,000 |" in text
    assert text.count("| 20 |") == 1
    assert "1,000 (default)" in text  # the short request in app.py has no key
    assert "`gone.py`" in text and "Traffic keys that match no request site" in text


def test_markdown_report_with_traffic(project: Path, tmp_path: Path) -> None:
    rows = tokens_json(".", cwd=project)
    write_traffic(project, rows)
    text = report("markdown", tmp_path / "r.md", ".", cwd=project)
    html = parse_html(report("html", tmp_path / "r.html", ".", cwd=project))
    total_now = sum(float(s["data-monthly"] or 0) for s in html.sites)
    total_fixed = sum(float(s["data-monthly-fixed"] or 0) for s in html.sites)
    assert f"| Input cost now | **{money(total_now, True)}** |" in text
    assert f"| After suggested fixes | **{money(total_fixed, True)}** |" in text
    assert f"| Saving | **{money(total_now - total_fixed, True)}**" in text
    assert "`claude-sonnet-4-6`" in text and "`claude-opus-4-6`" in text
    assert "| 5,000 |" in text and "[PRL502](" in text  # the caching finding at its site


# ---- units --------------------------------------------------------------------------------
def test_parse_traffic_key(tmp_path: Path) -> None:
    base = tmp_path
    key = parse_traffic_key("src/app.py:20", base)
    assert (key.path, key.line, key.cell) == (str((base / "src/app.py").resolve()), 20, None)
    key = parse_traffic_key("src/app.py", base)
    assert (key.line, key.cell) == (None, None)
    key = parse_traffic_key("nb/try.ipynb:cell 3:7", base)
    assert (key.path, key.line, key.cell) == (str((base / "nb/try.ipynb").resolve()), 7, 3)
    key = parse_traffic_key(str(tmp_path / "abs.py") + ":4", Path("/elsewhere"))
    assert key.path == str((tmp_path / "abs.py").resolve()) and key.line == 4


def test_money_format() -> None:
    assert money(None) == "—"
    assert money(0.0) == "$0.00"
    assert money(1234.5) == "$1,234.50"
    assert money(0.065, True) == "~$0.065"
    assert money(0.0090) == "$0.0090"


def _finding(line: int, message: str, code: str = "PRL101", severity: str = "error",
             cell: int | None = None) -> Finding:
    return Finding(code, "max-tokens-missing", severity, message, "a|b.py", line, 1, line, 2,
                   cell=cell)


def test_findings_go_to_the_nearest_request_above() -> None:
    result = FileResult("a|b.py", findings=[_finding(2, "above"), _finding(11, "first"),
                                            _finding(30, "second"), _finding(21, "edge")])
    result.requests = [RequestSummary("a|b.py", 10, 5, "create"),
                       RequestSummary("a|b.py", 21, 5, "create")]
    data = cost_report.build([result], Config())
    first, second = data["sites"]
    assert [f.message for f in first.findings] == ["first"]
    assert [f.message for f in second.findings] == ["edge", "second"]
    assert [f.message for f in data["elsewhere"]] == ["above"]


def test_everything_is_escaped() -> None:
    evil = "<script>alert(1)</script> `x|y` & | pipes"
    result = FileResult(
        "<b>evil</b>.py", findings=[_finding(3, evil)],
        requests=[RequestSummary("<b>evil</b>.py", 1, 1, "create", model="<i>m</i>",
                                 dynamic_holes=["<img src=x>"], cost_per_1k=0.5,
                                 cost_per_1k_fixed=0.25)],
    )
    result.findings[0].path = "<b>evil</b>.py"
    html = render_report([result], Config(), "html")
    assert "<script>" not in html and "<img" not in html and "<b>evil" not in html
    assert "&lt;script&gt;" in html and "<code>x|y</code>" in html
    page = parse_html(html)
    check_self_contained(page)
    markdown = render_report([result], Config(), "markdown")
    finding_row = next(line for line in markdown.splitlines() if "alert" in line)
    # every pipe inside the cell is escaped: the row keeps its 6 cells
    assert len(re.split(r"(?<!\\)\|", finding_row)) == 8
    assert "<script>" not in markdown
    with pytest.raises(ValueError):
        render_report([result], Config(), "pdf")


def test_no_requests() -> None:
    html = render_report([FileResult("empty.py")], Config(), "html")
    assert "No requests to the Anthropic API were found" in html
    parse_html(html)
    assert "No requests" in render_report([FileResult("empty.py")], Config(), "markdown")


# ---- in a browser -------------------------------------------------------------------------
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def read_png(path: Path, max_rows: int = 900) -> tuple[int, int, list[bytes]]:
    """(width, height, the first max_rows rows as RGB(A) bytes) of an 8-bit RGB/RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(min(height, max_rows)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + (left + previous[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(r) for r in rows]


def pixels(rows: list[bytes], channels: int) -> list[tuple[int, ...]]:
    return [tuple(row[i:i + 3]) for row in rows for i in range(0, len(row), channels)]


def screenshot_of_examples_report(tmp_path: Path, height: int) -> Path:
    """A headless-Chromium screenshot (1280 x height) of the examples' HTML report."""
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    html = tmp_path / "report.html"
    report("html", html, "examples/", cwd=ROOT)
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--force-color-profile=srgb", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         f"--window-size=1280,{height}", html.as_uri()],
        capture_output=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0 and shot.is_file(), proc.stderr.decode("utf-8", "replace")[-2000:]
    return shot


def test_html_report_renders_in_a_browser(tmp_path: Path) -> None:
    shot = screenshot_of_examples_report(tmp_path, 1600)
    width, height, rows = read_png(shot)
    assert (width, height) == (1280, 1600)
    channels = len(rows[0]) // width
    seen = pixels(rows, channels)
    counts = Counter(seen)
    assert len(counts) > 200, f"only {len(counts)} colours: a blank or unstyled page?"
    top, top_count = counts.most_common(1)[0]
    assert top_count / len(seen) < 0.8, f"{top} covers {top_count / len(seen):.0%} of the page"
    share = counts[(0xEE, 0xF1, 0xF5)] / len(seen)  # --page, the background
    assert share > 0.05, f"the page background covers only {share:.0%}: CSS not applied?"
    white = counts[(255, 255, 255)] / len(seen)
    assert white > 0.05, "the cards and tables (white) are missing"
    # colour-coded severities and the saving card: flat fills from the inline CSS
    for name, rgb in (("error badge", (0xFE, 0xF0, 0xEE)), ("saving card", (0xE8, 0xF6, 0xEE))):
        assert counts[rgb] > 50, f"no {name} colour {rgb} in the screenshot"
    dark = sum(n for p, n in counts.items() if sum(p) < 200) / len(seen)
    assert dark > 0.005, "no text drawn"
