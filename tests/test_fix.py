"""promptlint fix: safe by default, unsafe on request, never loses code or formatting."""

from __future__ import annotations

import json
import os
import stat
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from promptlint.config import Config
from promptlint.fix.loop import fix_text
from tests.helpers import CALL, run_cli

ALL = Config(select=("ALL",))


def test_a_lowered_number_keeps_the_literal_style() -> None:
    code = CALL.replace("temperature=0.2,", "max_tokens=500000,")
    code = code.replace('"claude-3-opus-20240229"', '"claude-sonnet-5-5"')
    assert "max_tokens=128000," in fix_text(code, ALL).text


def test_safe_fixes_only_by_default() -> None:
    code = CALL.replace("temperature=0.2,", "max_tokens=500_000,")
    code = code.replace('"claude-3-opus-20240229"', '"claude-sonnet-5-5"')
    outcome = fix_text(code, ALL)
    assert "max_tokens=128_000," in outcome.text  # lowered (in the literal's style): safe
    assert [f.code for f in outcome.applied] == ["PRL102"]
    # the non-streaming advice is display-only and never applied
    assert [f.code for f in outcome.remaining] == ["PRL103"]


def test_unsafe_fixes_need_the_flag_and_two_fixes_touch_one_call() -> None:
    safe = fix_text(CALL, ALL)
    assert safe.text == CALL and safe.data is None
    outcome = fix_text(CALL, ALL, unsafe=True)
    assert outcome.text == textwrap.dedent("""\
        import anthropic

        client = anthropic.Anthropic()


        def ask(question):
            # keep this comment
            return client.messages.create(
                model="claude-opus-5-5",  # the old default
                messages=[{"role": "user", "content": question}],
                max_tokens=1024,
            )
        """)
    assert sorted(f.code for f in outcome.applied) == ["PRL101", "PRL202", "PRL301"]
    assert outcome.remaining == []
    again = fix_text(outcome.text, ALL, unsafe=True)
    assert again.data is None and again.applied == []


def test_every_fix_parses_and_relints_clean_for_its_rule() -> None:
    from promptlint.lint import lint_source
    from promptlint.sources import decode

    examples = [
        CALL,
        'import anthropic\nc = anthropic.Anthropic()\n'
        'c.messages.create(model="claude-sonnet-4.5", max_tokens=10, messages=[])\n',
        'import anthropic\nc = anthropic.Anthropic()\n'
        'c.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[\n'
        '    {"role": "user", "content": "Name a colour"},\n'
        '    {"role": "assistant", "content": "The colour is "}])\n',
        'import anthropic\nc = anthropic.Anthropic()\n'
        'c.messages.create(model="claude-sonnet-5-5", max_tokens=99, messages=[],\n'
        '                  extra_body={"top_k": 5, "metadata_x": 1})\n',
    ]
    for code in examples:
        before = lint_source("x.py", decode(code.encode()), ALL).findings
        outcome = fix_text(code, ALL, unsafe=True)
        cst.parse_module(outcome.text)
        fixed_rules = {f.code for f in outcome.applied}
        assert fixed_rules, code
        after = {f.code for f in lint_source("x.py", decode(outcome.text.encode()), ALL).findings}
        assert not fixed_rules & after
        assert len(before) > len(outcome.remaining)


def test_crlf_bom_and_encoding_are_kept(tmp_path: Path) -> None:
    code = CALL.replace("\n", "\r\n")
    path = tmp_path / "crlf.py"
    path.write_bytes(b"\xef\xbb\xbf" + code.encode())
    os.chmod(path, 0o640)
    proc = run_cli("fix", "--unsafe-fixes", "crlf.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"max_tokens=1024,\r\n" in data
    assert data.count(b"\r\n") == code.count("\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [path]  # no temp files left behind


def test_diff_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CALL)
    proc = run_cli("fix", "--diff", "--unsafe-fixes", "app.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert "--- a/app.py" in proc.stdout and "+        max_tokens=1024," in proc.stdout
    assert path.read_text() == CALL


def test_file_without_fixes_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CALL)
    before = path.stat().st_mtime_ns
    proc = run_cli("fix", "app.py", cwd=tmp_path)  # only unsafe fixes available
    assert proc.returncode == 1  # findings remain: a pre-commit fix hook fails
    assert path.stat().st_mtime_ns == before
    assert "3 hidden fixes can be enabled with the `--unsafe-fixes` option" in proc.stdout


def test_exit_codes_and_exit_non_zero_on_fix(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CALL)
    assert run_cli("fix", "--unsafe-fixes", "app.py", cwd=tmp_path).returncode == 0
    path.write_text(CALL)
    proc = run_cli("fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "--show-fixes", "app.py",
                   cwd=tmp_path)
    assert proc.returncode == 1
    assert "Fixed 3 error(s):" in proc.stdout
    assert run_cli("check", "--fix", "app.py", cwd=tmp_path).returncode == 0


def test_stdin_prints_fixed_code(tmp_path: Path) -> None:
    proc = run_cli("fix", "--unsafe-fixes", "-", stdin=CALL.encode())
    assert proc.returncode == 0
    assert proc.stdout == fix_text(CALL, Config(), unsafe=True).text


def test_notebook_fix_edits_cells_and_keeps_outputs(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["setup"]},
             "outputs": [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}],
             "source": ["%pip install anthropic\n", "import anthropic\n",
                        "client = anthropic.Anthropic()"]},
            {"cell_type": "markdown", "metadata": {}, "source": ["Ask it"]},
            {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
             "source": ["!date\n", "r = client.messages.create(model=\"claude-sonnet-4-5\", "
                        "messages=[])"]},
        ],
        "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook, indent=1) + "\n")
    proc = run_cli("fix", "--unsafe-fixes", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fixed = json.loads(path.read_text())
    assert fixed["cells"][0] == notebook["cells"][0]
    assert fixed["cells"][1] == notebook["cells"][1]
    assert fixed["metadata"] == notebook["metadata"]
    assert fixed["cells"][2]["source"] == [
        "!date\n",
        "r = client.messages.create(model=\"claude-sonnet-5-5\", messages=[], max_tokens=1024)",
    ]


@pytest.mark.parametrize("errno_code", [28, 13, 30])  # ENOSPC, EACCES, EROFS
def test_failed_write_keeps_the_original(tmp_path: Path, monkeypatch, errno_code: int) -> None:
    from promptlint import fsutil
    from promptlint.discovery import Candidate
    from promptlint.fix.run import FixRun

    path = tmp_path / "app.py"
    path.write_text(CALL)

    def failing_replace(src, dst):
        raise OSError(errno_code, os.strerror(errno_code))

    monkeypatch.setattr(fsutil.os, "replace", failing_replace)
    run = FixRun(Config(), unsafe=True)
    run.fix_candidate(Candidate(path, True))
    assert path.read_text() == CALL
    assert run.problems == [
        f"{path}: could not write the fixed file ({os.strerror(errno_code)}); "
        "the original is unchanged"
    ]
    assert list(tmp_path.iterdir()) == [path]  # the temp file was removed


def test_dynamic_before_static_split_is_unsafe_and_reorders() -> None:
    policy = "\\n".join(f"{i}. Answer with the exact policy wording and cite the article."
                        for i in range(80))
    code = textwrap.dedent(f"""\
        import datetime
        import anthropic
        client = anthropic.Anthropic()
        POLICY = "{policy}"


        def ask(user, question):
            return client.messages.create(
                model="claude-sonnet-5", max_tokens=1024,
                system=f"Today is {{datetime.date.today()}}.\\n{{POLICY}}",
                messages=[{{"role": "user", "content": question}}])
        """)
    assert fix_text(code, ALL).data is None  # unsafe: not applied by default
    outcome = fix_text(code, ALL, unsafe=True)
    assert ('system=[{"type": "text", "text": f".\\n{POLICY}", "cache_control": '
            '{"type": "ephemeral"}}, {"type": "text", "text": f"Today is '
            '{datetime.date.today()}"}]') in outcome.text
    assert [f.code for f in outcome.applied] == ["PRL503"] and outcome.remaining == []


def _tree_with_a_wrapper(root: Path) -> Path:
    """Requests made directly, through a wrapper defined in another module, and a file that
    fixes cannot touch (a notebook-free mix of fixable and unfixable findings)."""
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "llm.py").write_text(textwrap.dedent("""\
        import anthropic

        client = anthropic.Anthropic()


        def ask(model, question):
            return client.messages.create(
                model=model, max_tokens=100,
                messages=[{"role": "user", "content": question}],
            )
        """))
    (root / "pkg" / "use.py").write_text(textwrap.dedent("""\
        from pkg.llm import ask


        def run():
            return ask("claude-3-opus-20240229", "hi")
        """))
    (root / "pkg" / "direct.py").write_text(CALL)
    (root / "pkg" / "plain.py").write_text("print('no requests here')\n")
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fix_sees_exactly_the_findings_check_sees(tmp_path: Path, monkeypatch,
                                                   jobs: str) -> None:
    from promptlint import api

    root = _tree_with_a_wrapper(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setenv("PROMPTLINT_JOBS", jobs)
    config = Config(root=root, today="2026-12-01")

    def seen(results: list) -> list:
        return sorted((r.path, f.line, f.column, f.code, f.message)
                      for r in results for f in r.findings)

    checked = api.check(["pkg"], config)
    report = api.fix(["pkg"], config, unsafe=True, write=False)
    assert seen(report.linted) == seen(checked)
    assert {r.path for r in checked if r.findings} == {"pkg/use.py", "pkg/direct.py"}
    assert report.diffs and all(Path(p).read_text() for p in ("pkg/direct.py", "pkg/use.py"))
    assert (root / "pkg" / "direct.py").read_text() == CALL  # nothing written
