"""The cost report's monthly figures, recomputed independently of promptlint/cost.py: tokens
(from `promptlint tokens`) x prices (read from the bundled catalogue's JSON) x traffic, with
cache reads, cache writes and the fixes listed at each site."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = json.loads((ROOT / "promptlint" / "facts" / "models.json").read_text("utf-8"))
BY_ID = {m["id"]: m for m in CATALOGUE["models"]}
DAY = 86_400


def model_facts(written: str | None) -> dict | None:
    """The catalogue entry of a model ID as written (alias resolution is not pricing)."""
    from promptlint.models import catalogue

    resolved = catalogue().resolve(written) if written else None
    return BY_ID.get(resolved.info.id) if resolved is not None else None


def expected_site(row: dict, per_day: float, codes: set[str]) -> tuple[float, float] | None:
    """(monthly now, monthly after the listed fixes) for one `promptlint tokens` row."""
    facts = model_facts(row["model"])
    if facts is None or row["method"] == "count_tokens" or row["input_tokens"] is None:
        return None
    price = facts["price_per_mtok"]
    for tier in facts.get("price_tiers") or ():  # a long prompt is billed at a higher band
        if row["input_tokens"] > tier["above_prompt_tokens"]:
            price = tier
    if price is None or price.get("input") is None or price.get("cache_read") is None:
        return None
    minimum = facts["min_cacheable_tokens"]

    def cacheable(tokens: int) -> int:
        return tokens if minimum is not None and tokens >= minimum else 0

    total = row["input_tokens"]
    static = row["static_tokens"] or 0
    assert total >= static, row  # the static prefix is part of what is sent
    now = cacheable(min(row["cached_tokens"] or 0, static))
    fixed = now
    if "PRL502" in codes:
        fixed = max(fixed, cacheable(static))
    if "PRL503" in codes:
        fixed = max(fixed, cacheable(row["reorder_tokens"] or 0))
    ttl = row["cache_ttl"]
    write = price["cache_write_1h"] if ttl >= 3600 else price["cache_write_5m"]
    # each read renews the entry: a warm cache is written about once a day
    writes_per_day = 1.0 if DAY / per_day <= ttl else per_day

    def month(cached: int) -> float:
        reads = per_day - writes_per_day if cached else per_day
        dollars_a_day = (
            (total - cached) * per_day * price["input"]
            + cached * reads * price["cache_read"]
            + (cached * writes_per_day * write if cached else 0)
        ) / 1_000_000
        return dollars_a_day * 30

    discount = 0.5 if "PRL601" in codes else 1.0
    return month(now), month(fixed) * discount


def report_sites(path: str, cwd: Path, tmp: Path) -> list[dict]:
    from tests.test_cost_report import parse_html

    out = tmp / "report.html"
    proc = run_cli("report", "--format", "html", "-o", str(out), path, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return parse_html(out.read_text("utf-8")).sites


def tokens_rows(path: str, cwd: Path) -> list[dict]:
    proc = run_cli("tokens", "--output-format", "json", path, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def check_sites(sites: list[dict], rows: list[dict], per_day: dict[str, float]) -> int:
    """Every billed site's monthly figures equal the independent sum; returns how many."""
    assert len(sites) == len(rows)
    priced = 0
    for site, row in zip(sites, rows, strict=True):
        label = site["data-site"]
        codes = set((site["data-codes"] or "").split())
        rpd = per_day.get(label, 1000.0)
        if site["data-billed"] != "true":
            assert site["data-monthly"] in ("", None), label
            continue
        expected = expected_site(row, rpd, codes)
        if expected is None:
            assert site["data-monthly"] in ("", None), label
            continue
        assert float(site["data-monthly"]) == pytest.approx(expected[0], rel=1e-9), label
        assert float(site["data-monthly-fixed"]) == pytest.approx(expected[1], rel=1e-9), label
        priced += 1
    return priced


def test_every_example_request_adds_up(tmp_path: Path) -> None:
    rows = tokens_rows("examples", ROOT)
    sites = report_sites("examples", ROOT, tmp_path)
    assert check_sites(sites, rows, {}) >= 10
    via = [r for r in rows if r["via"]]
    assert via, "the examples call a wrapper: its call sites have rows of their own"


POLICY = " ".join(f"Clause {n}: cite the section you rely on and never invent a date."
                  for n in range(150))


def test_static_text_after_a_dynamic_value_is_priced(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent(f"""\
        import anthropic

        client = anthropic.Anthropic()
        POLICY = {POLICY!r}


        def review(name: str, contract: str):
            return client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024,
                system=f"Reviewer: {{name}}.\\n" + POLICY,
                messages=[{{"role": "user", "content": contract}}])
        """))
    (row,) = tokens_rows("app.py", tmp_path)
    assert row["static_tokens"] < 10 < 1500 < row["input_tokens"]
    (site,) = report_sites("app.py", tmp_path, tmp_path)
    assert set(site["data-codes"].split()) == {"PRL503"}
    now, fixed = expected_site(row, 1000.0, {"PRL503"})
    # ~1,600 tokens at $3/MTok x 1,000 requests a day x 30 days: well over a dollar
    assert float(site["data-monthly"]) == pytest.approx(now) and now > 100
    assert float(site["data-monthly-fixed"]) == pytest.approx(fixed) and fixed < now / 2


@pytest.mark.parametrize(("per_day", "cheaper"), [(50_000, True), (100, False)])
def test_cache_writes_are_counted(tmp_path: Path, per_day: int, cheaper: bool) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.promptlint.traffic]\n"app.py" = {per_day}\n')
    (tmp_path / "app.py").write_text(textwrap.dedent(f"""\
        import anthropic

        client = anthropic.Anthropic()
        POLICY = {POLICY!r}


        def review(contract: str):
            return client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024, system=POLICY,
                messages=[{{"role": "user", "content": contract}}])
        """))
    (row,) = tokens_rows("app.py", tmp_path)
    (site,) = report_sites("app.py", tmp_path, tmp_path)
    assert "PRL502" in site["data-codes"].split()
    now, fixed = float(site["data-monthly"]), float(site["data-monthly-fixed"])
    assert (now, fixed) == pytest.approx(expected_site(row, per_day, {"PRL502"}))
    # at 100 requests a day every request finds the entry expired and pays the write premium
    assert (fixed < now) is cheaper


def test_wrapper_requests_are_priced_at_each_call(tmp_path: Path) -> None:
    (tmp_path / "llm.py").write_text(textwrap.dedent("""\
        import anthropic

        client = anthropic.Anthropic()


        def ask(system: str, question: str) -> str:
            reply = client.messages.create(model="claude-sonnet-4-6", max_tokens=1024,
                                           system=system,
                                           messages=[{"role": "user", "content": question}])
            return reply.content[0].text
        """))
    (tmp_path / "views.py").write_text(textwrap.dedent(f"""\
        from llm import ask

        POLICY = {POLICY!r}


        def answer(question: str) -> str:
            return ask(POLICY, question)


        def greet(name: str) -> str:
            return ask("Greet the user warmly.", name)
        """))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.promptlint.traffic]\n"views.py:7" = 20000\n"views.py:11" = 10\n')
    rows = tokens_rows(".", tmp_path)
    sites = report_sites(".", tmp_path, tmp_path)
    by_label = {s["data-site"]: s for s in sites}
    assert by_label["llm.py:7"]["data-billed"] == "false"  # priced at its calls instead
    assert by_label["views.py:7"]["data-billed"] == "true"
    assert check_sites(sites, rows, {"views.py:7": 20000.0, "views.py:11": 10.0}) == 2
    assert float(by_label["views.py:7"]["data-monthly"]) > 100 * float(
        by_label["views.py:11"]["data-monthly"])


def test_chart_shows_the_costliest_sites_first(tmp_path: Path) -> None:
    from tests.test_cost_report import check_self_contained, parse_html

    out = tmp_path / "report.html"
    proc = run_cli("report", "--format", "html", "-o", str(out), "examples", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    page = parse_html(out.read_text("utf-8"))
    check_self_contained(page)
    bars = [attrs for tag, attrs in page.tags
            if tag == "g" and "chart-row" in (attrs.get("class") or "")]
    monthly = {s["data-site"]: s for s in page.sites}
    priced = sorted((float(s["data-monthly"]) for s in page.sites
                     if s["data-monthly"] not in ("", None) and float(s["data-monthly"]) > 0),
                    reverse=True)
    assert [float(b["data-monthly"]) for b in bars] == priced[:len(bars)]
    assert len(bars) == min(len(priced), 15) and bars
    for bar in bars:  # the same figures as the table's rows
        site = next(s for label, s in monthly.items()
                    if label.endswith(bar["data-site"].lstrip("…")))
        assert bar["data-monthly-fixed"] == site["data-monthly-fixed"]
    rects = [a for tag, a in page.tags if tag == "rect" and "bar-now" in (a.get("class") or "")]
    widths = [float(a["width"]) for a in rects[1:]]  # the first is the legend's swatch
    assert widths == sorted(widths, reverse=True) and widths[0] == pytest.approx(480, abs=1)


def test_chart_renders_in_a_browser(tmp_path: Path) -> None:
    from collections import Counter

    from tests.test_cost_report import pixels, read_png, screenshot_of_examples_report

    shot = screenshot_of_examples_report(tmp_path, 1500)
    width, _, rows = read_png(shot)
    counts = Counter(pixels(rows, len(rows[0]) // width))
    # the bars are flat fills from the inline CSS: "now" grey and "after fixes" green
    assert counts[(0x8A, 0x94, 0xA6)] > 2000, "no 'now' bars in the screenshot"
    assert counts[(0x2F, 0x9E, 0x62)] > 2000, "no 'after fixes' bars in the screenshot"
