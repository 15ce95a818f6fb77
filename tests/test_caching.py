"""Caching rules on a project that keeps prompts in a module, a Markdown file and templates."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers import findings_json, run_cli

POLICY = "\n".join(
    f"{i}. When a customer asks about invoices, refunds, plan changes or account security, "
    "answer with the exact policy wording, cite the help-centre article and never promise "
    "credits you cannot issue." for i in range(1, 41)
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    (app / "templates").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "prompts.py").write_text(f"SYSTEM = {POLICY!r}\n")
    (app / "policy.md").write_text(POLICY)
    (app / "templates" / "date_first.j2").write_text("Today is {{ today }}.\n" + POLICY)
    (app / "templates" / "date_last.j2").write_text(POLICY + "\nToday is {{ today }}.")
    (app / "bot.py").write_text(textwrap.dedent('''\
        import datetime
        from pathlib import Path

        import anthropic
        from jinja2 import Environment, FileSystemLoader

        from .prompts import SYSTEM

        client = anthropic.Anthropic()
        HERE = Path(__file__).parent
        POLICY = (HERE / "policy.md").read_text()
        env = Environment(loader=FileSystemLoader(HERE / "templates"))
        MODEL = "claude-sonnet-5"


        def uncached(question):
            return client.messages.create(model=MODEL, max_tokens=1024, system=SYSTEM,
                                          messages=[{"role": "user", "content": question}])


        def cached(question):
            return client.messages.create(
                model=MODEL, max_tokens=1024,
                system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": question}])


        def date_first(question):
            system = env.get_template("date_first.j2").render(today=datetime.date.today())
            return client.messages.create(model=MODEL, max_tokens=1024, system=system,
                                          cache_control={"type": "ephemeral"},
                                          messages=[{"role": "user", "content": question}])


        def date_last(question):
            system = env.get_template("date_last.j2").render(today=datetime.date.today())
            return client.messages.create(model=MODEL, max_tokens=1024, system=system,
                                          cache_control={"type": "ephemeral"},
                                          messages=[{"role": "user", "content": question}])
        '''))
    return tmp_path


def test_flags_uncached_and_date_first_only(project: Path) -> None:
    items = findings_json("app", cwd=project)
    assert [(i["line"], i["code"]) for i in items] == [(17, "PRL502"), (30, "PRL503")]
    uncached, date_first = items
    assert "claude-sonnet-5 caches prefixes from 1,024 tokens" in uncached["message"]
    assert "per 1,000 requests" in uncached["message"] and "estimated" in uncached["message"]
    assert uncached["fix"]["applicability"] == "safe"
    assert date_first["message"].startswith("`{{ today }}` comes before ~")
    assert date_first["related"][0]["line"] == 29  # where the template is rendered


def test_safe_fix_caches_the_system_prompt(project: Path) -> None:
    proc = run_cli("fix", "app", cwd=project)
    assert proc.returncode == 1  # the template finding has no mechanical fix
    fixed = (project / "app" / "bot.py").read_text()
    assert ('system=[{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}]'
            in fixed)
    assert [i["code"] for i in findings_json("app", cwd=project)] == ["PRL503"]


def test_tokens_report(project: Path) -> None:
    proc = run_cli("tokens", "--output-format", "json", "app", cwd=project)
    rows = {row["line"]: row for row in json.loads(proc.stdout)}
    assert rows[17]["cached_tokens"] == 0 and rows[17]["static_tokens"] > 1024
    assert rows[22]["cached_tokens"] == rows[22]["static_tokens"] > 1024
    assert rows[17]["cost_per_1k_requests_cached"] < rows[17]["cost_per_1k_requests"]
    assert rows[30]["static_tokens"] < 10 and "{{ today }}" in rows[30]["dynamic"]
    text = run_cli("tokens", "app", cwd=project).stdout
    assert text.splitlines()[0].split() == [
        "location", "model", "static", "cached", "$/1k", "now", "$/1k", "cached", "dynamic"]


@pytest.mark.parametrize(
    "system",
    [
        # an import promptlint cannot resolve: unknown, not known to change per request
        '[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}]',
        '[{"type": "text", "text": load_policy(), "cache_control": {"type": "ephemeral"}}]',
        'POLICY + "\\n" + STATIC',
    ],
)
def test_unknown_is_not_dynamic(codes, system: str) -> None:
    static = POLICY
    code = textwrap.dedent(f"""
    import anthropic
    from vendor_package.prompts import POLICY, load_policy
    STATIC = {static!r}
    client = anthropic.Anthropic()
    def answer(q):
        return client.messages.create(model="claude-sonnet-5", max_tokens=1024,
                                      system={system}, messages=[{{"role": "user", "content": q}}])
    """)
    assert [c for _, c in codes(code)] == []


def test_list_constant_system_gets_no_string_fix(lint) -> None:
    code = textwrap.dedent(f"""
    import anthropic
    client = anthropic.Anthropic()
    SYSTEM = [{{"type": "text", "text": {POLICY!r}}}]
    client.messages.create(model="claude-sonnet-5", max_tokens=1024, system=SYSTEM,
                           messages=[])
    """)
    found = lint(code)
    assert [f.code for f in found] == ["PRL502"] and found[0].fix is None
