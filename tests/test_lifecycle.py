"""Lifecycle judged on a day: retirement dates against today (or the day set with --today /
PROMPTLINT_TODAY), the --fail-within window, `promptlint models` as of a day, and what the
installed anthropic package knows that the catalogue lacks (read as text)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from promptlint import installed_sdk
from promptlint.lifecycle import DateError, in_days, parse_day, status_on, today
from promptlint.models import catalogue
from tests.helpers import run_cli

# a deprecated model (2026-11-30) held in a constant, called from an async method
STALE = textwrap.dedent("""\
    import anthropic

    WRITER = "claude-sonnet-4-5-20250929"


    class Drafts:
        def __init__(self) -> None:
            self.llm = anthropic.AsyncAnthropic()

        async def draft(self, topic: str) -> str:
            reply = await self.llm.messages.create(
                model=WRITER,
                max_tokens=700,
                messages=[{"role": "user", "content": topic}],
            )
            return reply.content[0].text
    """)

# a model deprecated with a (tentative) retirement on 2027-01-22
UPCOMING = textwrap.dedent("""\
    from anthropic import Anthropic

    llm = Anthropic()
    PLANNER = "claude-opus-4-5"
    llm.messages.create(model=PLANNER, max_tokens=300, messages=[{"role": "user", "content": "x"}])
    """)


def lifecycle_findings(lint, code: str, day: str | None, **config) -> list:
    return [f for f in lint(code, today=day, **config) if f.code in ("PRL202", "PRL203")]


# ---- the date logic -------------------------------------------------------------------------


def test_retired_on_the_retirement_day_and_deprecated_the_day_before() -> None:
    sonnet = catalogue().get("claude-sonnet-4-5")
    assert sonnet is not None and sonnet.retirement_date == "2026-11-30"
    assert status_on(sonnet, "2026-11-29")[0] == "deprecated"
    assert status_on(sonnet, "2026-11-30")[0] == "retired"
    assert status_on(sonnet, "2027-05-01")[0] == "retired"


def test_a_tentative_date_that_passed_does_not_retire_the_model() -> None:
    opus = catalogue().get("claude-opus-4-5")
    assert opus is not None and opus.is_uncertain("retirement_date")
    assert status_on(opus, "2027-02-01") == ("deprecated", True)


def test_day_counts_read_naturally() -> None:
    assert [in_days(n) for n in (0, 1, 2, 50)] == ["today", "in 1 day", "in 2 days",
                                                  "in 50 days"]


@pytest.mark.parametrize("text", ["2026-02-30", "2026-1-5", "tomorrow", "", "20261203"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(DateError, match="YYYY-MM-DD"):
        parse_day(text, "--today")


def test_a_bad_day_in_the_python_api_is_a_config_error() -> None:
    from promptlint.config import Config, ConfigError

    with pytest.raises(ConfigError, match="today must be a date as YYYY-MM-DD"):
        Config(today="3 Dec 2026")
    assert Config(today="2026-12-03").day() == "2026-12-03"


def test_today_is_the_override_else_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("PROMPTLINT_TODAY", "2030-01-02")
    assert today() == "2030-01-02"
    assert today("2029-12-31") == "2029-12-31"
    monkeypatch.delenv("PROMPTLINT_TODAY")
    assert len(today()) == 10 and today().startswith("20")  # the UTC date


# ---- PRL202 / PRL203 by date ------------------------------------------------------------------


def test_past_the_date_the_model_is_retired_in_the_past_tense(lint) -> None:
    (finding,) = lifecycle_findings(lint, STALE, "2026-12-03")
    assert finding.code == "PRL202" and finding.line == 12 and finding.severity == "error"
    assert "was retired on 2026-11-30: requests to it fail" in finding.message
    assert "will be retired" not in finding.message


def test_on_the_day_itself_it_is_retired(lint) -> None:
    (finding,) = lifecycle_findings(lint, STALE, "2026-11-30")
    assert finding.code == "PRL202"


def test_before_the_date_it_says_when_and_in_how_many_days(lint) -> None:
    (finding,) = lifecycle_findings(lint, STALE, "2026-11-29")
    assert finding.code == "PRL203" and finding.severity == "warning"
    assert "it will be retired on 2026-11-30, in 1 day" in finding.message
    (earlier,) = lifecycle_findings(lint, STALE, "2026-10-31")
    assert "in 30 days" in earlier.message


def test_the_environment_sets_the_day_for_a_run(lint, monkeypatch) -> None:
    monkeypatch.setenv("PROMPTLINT_TODAY", "2026-11-01")
    (finding,) = lifecycle_findings(lint, STALE, None)
    assert finding.code == "PRL203" and "in 29 days" in finding.message


def test_tentative_dates_are_said_to_be_tentative(lint) -> None:
    (finding,) = lifecycle_findings(lint, UPCOMING, "2026-12-03")
    assert finding.code == "PRL203" and finding.line == 5
    assert "2027-01-22 (tentative), in 50 days; use 'claude-opus-5-5'" in finding.message
    (late,) = lifecycle_findings(lint, UPCOMING, "2027-02-10")
    assert late.code == "PRL203" and "now passed" in late.message


# ---- the retirement window ----------------------------------------------------------------------


def test_window_makes_near_retirements_errors(lint) -> None:
    (near,) = lifecycle_findings(lint, UPCOMING, "2026-12-03", fail_within=50)
    assert near.severity == "error" and not near.data.get("advisory")
    assert "within the 50-day retirement window" in near.message
    (far,) = lifecycle_findings(lint, UPCOMING, "2026-12-03", fail_within=49)
    assert far.severity == "warning" and far.data.get("advisory") is True


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_window_decides_the_exit_code(tmp_path: Path) -> None:
    write(tmp_path, "plan.py", UPCOMING)
    outside = run_cli("check", "--no-cache", "--select", "PRL2", "--fail-within", "30", ".",
                      cwd=tmp_path)
    assert outside.returncode == 0, outside.stdout + outside.stderr
    assert "PRL203" in outside.stdout  # still shown
    assert "1 retiring after the --fail-within window: they do not fail the run" in outside.stdout
    inside = run_cli("check", "--no-cache", "--select", "PRL2", "--fail-within", "60", ".",
                     cwd=tmp_path)
    assert inside.returncode == 1 and "retirement window" in inside.stdout
    # without the option every finding fails the run, as before
    plain = run_cli("check", "--no-cache", "--select", "PRL2", ".", cwd=tmp_path)
    assert plain.returncode == 1


def test_window_does_not_excuse_retired_models(tmp_path: Path) -> None:
    write(tmp_path, "old.py", STALE)
    proc = run_cli("check", "--no-cache", "--fail-within", "0", ".", cwd=tmp_path)
    assert proc.returncode == 1 and "PRL202" in proc.stdout


def test_window_from_pyproject_and_json_severity(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.promptlint]\nfail-within = 90\n")
    write(tmp_path, "plan.py", UPCOMING)
    proc = run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    (item,) = [f for f in json.loads(proc.stdout) if f["code"] == "PRL203"]
    assert item["severity"] == "error"


@pytest.mark.parametrize("value", ["-1", '"soon"', "true"])
def test_bad_window_config_is_one_line_and_exit_2(tmp_path: Path, value: str) -> None:
    write(tmp_path, "pyproject.toml", f"[tool.promptlint]\nfail-within = {value}\n")
    write(tmp_path, "plan.py", UPCOMING)
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "fail-within" in proc.stderr


# ---- the date override on the command line ------------------------------------------------------


def test_today_flag_reproduces_an_earlier_run(tmp_path: Path) -> None:
    write(tmp_path, "old.py", STALE)
    proc = run_cli("check", "--no-cache", "--today", "2026-11-15", ".", cwd=tmp_path)
    assert "PRL203" in proc.stdout and "in 15 days" in proc.stdout
    assert "PRL202" not in proc.stdout


def test_result_cache_knows_the_day(tmp_path: Path) -> None:
    write(tmp_path, "old.py", STALE)
    first = run_cli("check", "--today", "2026-11-15", ".", cwd=tmp_path)
    second = run_cli("check", "--today", "2026-12-15", ".", cwd=tmp_path)
    assert "PRL203" in first.stdout and "PRL202" in second.stdout


def test_notebooks_are_judged_on_the_same_day(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
         "source": ["import anthropic\n", "client = anthropic.Anthropic()\n",
                    "MODEL = 'claude-opus-4-5-20251101'"]},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
         "source": ["client.messages.create(model=MODEL, max_tokens=50, messages=[])"]},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    write(tmp_path, "explore.ipynb", json.dumps(notebook))
    soon = run_cli("check", "--no-cache", "--output-format", "json", "--today", "2027-01-20",
                   "--fail-within", "7", ".", cwd=tmp_path)
    (item,) = [f for f in json.loads(soon.stdout) if f["code"] == "PRL203"]
    assert item["cell"] == 2 and item["severity"] == "error" and "in 2 days" in item["message"]
    assert soon.returncode == 1


@pytest.mark.parametrize(("args", "env", "named"), [
    (("check", "--today", "2026-02-30", "."), {}, "--today"),
    (("check", "."), {"PROMPTLINT_TODAY": "03/12/2026"}, "PROMPTLINT_TODAY"),
    (("models", "--today", "soon"), {}, "--today"),
])
def test_bad_date_override_exits_2_with_one_line(tmp_path: Path, args, env, named) -> None:
    write(tmp_path, "old.py", STALE)
    proc = run_cli(*args, cwd=tmp_path, env=env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and named in proc.stderr
    assert "Traceback" not in proc.stderr


# ---- promptlint models as of a day --------------------------------------------------------------


def rows_of(text: str) -> dict[str, str]:
    return {line.split()[0]: line for line in text.splitlines() if line.startswith("claude")}


def test_models_shows_status_as_of_the_day_and_the_catalogue_age(tmp_path: Path) -> None:
    before = run_cli("models", "--today", "2026-11-29", cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    rows = rows_of(before.stdout)
    assert "deprecated (retires 2026-11-30, in 1 day)" in rows["claude-sonnet-4-5-20250929"]
    after = run_cli("models", "--today", "2027-03-01", cwd=tmp_path)
    rows = rows_of(after.stdout)
    assert "retired 2026-11-30" in rows["claude-sonnet-4-5-20250929"]
    assert "end of life 2027-01-22* passed, unconfirmed" in rows["claude-opus-4-5-20251101"]
    as_of = catalogue().as_of
    assert f"bundled facts checked {as_of}, 88 days old" in after.stdout
    assert "status as of 2027-03-01" in after.stdout
    as_json = json.loads(run_cli("models", "--output-format", "json", "--today", "2026-11-29",
                                 cwd=tmp_path).stdout)
    sonnet = next(m for m in as_json if m["id"] == "claude-sonnet-4-5-20250929")
    assert sonnet["status_today"] == "deprecated"


# ---- facts from the installed anthropic package -------------------------------------------------


def fake_sdk(root: Path, deprecations: dict[str, str], ids: list[str], version: str = "9.1.0",
             in_messages: bool = False) -> Path:
    """An `anthropic` package directory in the SDK's file layout (no code that runs)."""
    pkg = root / "anthropic"
    (pkg / "types").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise ImportError('checks must not import the SDK')\n")
    (pkg / "_version.py").write_text(f'__title__ = "anthropic"\n__version__ = "{version}"\n')
    literal = ",\n        ".join(f'"{i}"' for i in ids)
    (pkg / "types" / "model_param.py").write_text(
        "from typing import Union\nfrom typing_extensions import Literal, TypeAlias\n\n"
        f"ModelParam: TypeAlias = Union[\n    Literal[\n        {literal},\n    ],\n    str,\n]\n")
    table = "".join(f'    "{k}": "{v}",\n' for k, v in deprecations.items())
    text = f"from typing import Dict\n\nDEPRECATED_MODELS: Dict[str, str] = {{\n{table}}}\n"
    if in_messages:  # older SDKs kept the table beside the messages resource
        (pkg / "resources" / "messages").mkdir(parents=True)
        (pkg / "resources" / "messages" / "messages.py").write_text(
            "import warnings\n\n" + text + "\n\nclass Messages:\n    pass\n")
    else:
        (pkg / "_data").mkdir()
        (pkg / "_data" / "deprecated_models.py").write_text(text)
    return root


@pytest.fixture
def sdk_on_path(tmp_path: Path, monkeypatch):
    """Put a fake installed SDK first on sys.path; caches are cleared around the test."""

    def install(**kwargs) -> Path:
        root = fake_sdk(tmp_path / "site", **kwargs)
        monkeypatch.syspath_prepend(str(root))
        installed_sdk.installed.cache_clear()
        catalogue.cache_clear()
        return root

    yield install
    installed_sdk.installed.cache_clear()
    catalogue.cache_clear()


NEW_IDS = textwrap.dedent("""\
    import anthropic

    client = anthropic.Anthropic()
    for name in ("a", "b"):
        pass
    client.messages.create(model="claude-quill-1", max_tokens=64, messages=[])
    client.messages.create(model="claude-quill-2", max_tokens=64, messages=[])
    client.messages.create(model="claude-quill-3", max_tokens=64, messages=[])
    """)


def test_sdk_text_is_read_without_importing_it(sdk_on_path) -> None:
    sdk_on_path(deprecations={"claude-quill-1": "November 2nd, 2026",
                              "claude-opus-4-8": "March 3rd, 2027"},
                ids=["claude-quill-1", "claude-quill-2", "claude-opus-4-8"])
    facts = installed_sdk.installed()
    assert facts is not None and facts.version == "9.1.0"
    assert facts.model_ids == {"claude-quill-1", "claude-quill-2", "claude-opus-4-8"}
    assert facts.deprecations == {"claude-quill-1": "2026-11-02",
                                  "claude-opus-4-8": "2027-03-03"}
    assert facts.deprecation_file == "_data/deprecated_models.py"


def test_older_sdk_layout_keeps_the_table_in_messages(sdk_on_path) -> None:
    sdk_on_path(deprecations={"claude-quill-1": "January 1st, 2027"}, ids=["claude-quill-1"],
                in_messages=True)
    facts = installed_sdk.installed()
    assert facts is not None and facts.deprecations == {"claude-quill-1": "2027-01-01"}
    assert facts.deprecation_file == "resources/messages/messages.py"


def test_ids_only_the_sdk_knows_are_used_in_checks(lint, sdk_on_path) -> None:
    sdk_on_path(deprecations={"claude-quill-1": "November 2nd, 2026"},
                ids=["claude-quill-1", "claude-quill-2"])
    found = {(f.line, f.code): f for f in lint(NEW_IDS, today="2026-12-03")}
    retired = found[(6, "PRL202")]
    assert "was retired on 2026-11-02" in retired.message
    assert "installed anthropic 9.1.0" in retired.message
    assert (7, "PRL201") not in found and (7, "PRL202") not in found  # listed: a known ID
    assert (8, "PRL201") in found  # in neither: still unknown
    early = {(f.line, f.code) for f in lint(NEW_IDS, today="2026-10-01")}
    assert (6, "PRL203") in early


def test_models_reports_what_the_sdk_knows_and_the_catalogue_lacks(tmp_path: Path) -> None:
    root = fake_sdk(tmp_path / "site", deprecations={"claude-opus-4-8": "March 3rd, 2027",
                                                     "claude-opus-4-5": "January 22nd, 2027"},
                    ids=["claude-quill-2", "claude-opus-4-8"])
    proc = run_cli("models", cwd=tmp_path, env={"PYTHONPATH": str(root)})
    assert proc.returncode == 0, proc.stderr
    assert "installed anthropic 9.1.0 lists models this catalogue lacks" in proc.stdout
    assert "claude-quill-2" in proc.stdout
    assert ("says claude-opus-4-8 reaches end of life on 2027-03-03; the catalogue says "
            "legacy, no date") in proc.stdout
    assert "claude-opus-4-5 reaches" not in proc.stdout  # agrees with the catalogue


def test_known_models_never_read_the_sdk(lint, monkeypatch) -> None:
    def refuse() -> None:
        raise AssertionError("the installed SDK was read for a model the catalogue knows")

    monkeypatch.setattr(installed_sdk, "installed", refuse)
    catalogue.cache_clear()
    try:
        assert [f.code for f in lint(UPCOMING, today="2026-12-03")] == ["PRL203"]
        # not a Claude ID at all: no reason to look either
        lint(UPCOMING.replace('"claude-opus-4-5"', '"gpt-4o"'), today="2026-12-03")
    finally:
        catalogue.cache_clear()


def test_an_unreadable_sdk_is_no_sdk(sdk_on_path) -> None:
    root = sdk_on_path(deprecations={}, ids=["claude-quill-2"])
    (root / "anthropic" / "types" / "model_param.py").write_bytes(b"\xff\xfe not python")
    installed_sdk.installed.cache_clear()
    facts = installed_sdk.installed()
    assert facts is not None and facts.model_ids == frozenset()
