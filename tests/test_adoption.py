"""Adopting promptlint on a codebase with findings (--add-noqa, file-level noqa, statistics,
colour) and the command line's rough edges (-o -, -o modes, concise, notebook fixes listed with
their cell, syntax error and encoding messages, --diff-against, `rules` legend)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import libcst as cst

from tests.helpers import BAD, CALL, REPO, run_cli

STRING_REQUEST = textwrap.dedent('''\
    import anthropic

    client = anthropic.AsyncAnthropic()


    async def ask(topic):
        return await client.messages.create(
            model="claude-3-opus-20240229", max_tokens=300, system="""You answer
    questions about {topic}.""", temperature=0.5,
            messages=[{"role": "user", "content": topic}],
        )
    ''')


def codes(*args: str, cwd: Path) -> list[str]:
    proc = run_cli("check", "--no-cache", "--output-format", "json", *args, cwd=cwd)
    return [f["code"] for f in json.loads(proc.stdout)]


def test_add_noqa_on_the_examples_leaves_a_clean_check_and_a_second_run_adds_nothing(
        tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    before = run_cli("check", "--no-cache", ".", cwd=examples)
    assert before.returncode == 1
    found = sum(1 for line in before.stdout.splitlines() if ": PRL" in line)
    proc = run_cli("check", "--no-cache", "--add-noqa", ".", cwd=examples)
    assert proc.returncode == 0, proc.stderr
    added = int(proc.stderr.split()[1])
    assert 0 < added <= found
    after = run_cli("check", "--no-cache", ".", cwd=examples)
    assert after.returncode == 0, after.stdout
    snapshot = {p: p.read_bytes() for p in examples.rglob("*") if p.is_file()}
    again = run_cli("check", "--no-cache", "--add-noqa", ".", cwd=examples)
    assert again.returncode == 0 and "Added 0 noqa directives." in again.stderr
    assert {p: p.read_bytes() for p in snapshot} == snapshot
    for path in examples.rglob("*.py"):
        cst.parse_module(path.read_text("utf-8"))  # still valid Python
    notebook = json.loads((examples / "release_notes.ipynb").read_text("utf-8"))
    assert any("# noqa: PRL" in "".join(c["source"]) for c in notebook["cells"])


def test_add_noqa_extends_a_noqa_and_goes_after_a_multiline_string(tmp_path: Path) -> None:
    (tmp_path / "ask.py").write_text(STRING_REQUEST.replace(
        'temperature=0.5,', 'temperature=0.5,  # noqa: PRL101'))
    assert sorted(codes(".", cwd=tmp_path)) == ["PRL202", "PRL301"]
    proc = run_cli("check", "--no-cache", "--add-noqa", ".", cwd=tmp_path)
    assert proc.returncode == 0 and "Added 1 noqa directive." in proc.stderr  # one line
    text = (tmp_path / "ask.py").read_text()
    # the model is reported on a line that ends inside the system string: its noqa goes
    # after the string, which also carries the temperature's code next to the one it had
    assert 'questions about {topic}.""", temperature=0.5,  # noqa: PRL101, PRL202, PRL301\n' \
        in text
    assert codes(".", cwd=tmp_path) == []


def test_a_noqa_after_a_multiline_string_suppresses_by_hand(tmp_path: Path) -> None:
    (tmp_path / "ask.py").write_text(STRING_REQUEST.replace(
        'temperature=0.5,', 'temperature=0.5,  # noqa: PRL202'))
    assert codes(".", cwd=tmp_path) == ["PRL301"]


def test_file_level_noqa(tmp_path: Path) -> None:
    (tmp_path / "all.py").write_text("# promptlint: noqa\n" + CALL)
    (tmp_path / "some.py").write_text(CALL.replace(
        "client = anthropic.Anthropic()\n",
        "client = anthropic.Anthropic()\n    # promptlint: noqa: PRL202\n"))
    (tmp_path / "inline.py").write_text(CALL.replace(
        "import anthropic", "import anthropic  # promptlint: noqa"))
    assert codes("all.py", cwd=tmp_path) == []
    assert codes("some.py", cwd=tmp_path) == ["PRL101", "PRL301"]
    # only a comment on a line of its own exempts the file
    assert codes("inline.py", cwd=tmp_path) == ["PRL101", "PRL202", "PRL301"]


def test_statistics(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(CALL)
    (tmp_path / "b.py").write_text(BAD)
    proc = run_cli("check", "--no-cache", "--statistics", ".", cwd=tmp_path)
    assert proc.returncode == 1
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert rows == [["2", "PRL101", "[ ] max-tokens-missing"],
                    ["2", "PRL202", "[ ] model-retired"],
                    ["1", "PRL301", "[ ] sampling-param-removed"]]
    unsafe = run_cli("check", "--no-cache", "--statistics", "--unsafe-fixes", ".", cwd=tmp_path)
    assert [line.split("\t")[2][:3] for line in unsafe.stdout.splitlines()] == ["[*]"] * 3
    data = json.loads(run_cli("check", "--no-cache", "--statistics", "--output-format", "json",
                              ".", cwd=tmp_path).stdout)
    assert data[0] == {"code": "PRL101", "name": "max-tokens-missing", "count": 2,
                       "fixable": False}


def test_color(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BAD)
    red = "\x1b[31m"
    assert red in run_cli("check", "--no-cache", "--color", "always", ".", cwd=tmp_path).stdout
    assert red not in run_cli("check", "--no-cache", ".", cwd=tmp_path).stdout  # not a tty
    assert red in run_cli("check", "--no-cache", ".", cwd=tmp_path,
                          env={"FORCE_COLOR": "1"}).stdout
    assert red not in run_cli("check", "--no-cache", ".", cwd=tmp_path,
                              env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert red not in run_cli("check", "--no-cache", "--color", "never", ".", cwd=tmp_path,
                              env={"FORCE_COLOR": "1"}).stdout
    assert red not in run_cli("check", "--no-cache", "--output-format", "json", ".",
                              cwd=tmp_path, env={"FORCE_COLOR": "1"}).stdout


def test_concise_is_one_line_per_finding(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BAD)
    text = run_cli("check", "--no-cache", ".", cwd=tmp_path).stdout
    concise = run_cli("check", "--no-cache", "--output-format", "concise", ".",
                      cwd=tmp_path).stdout
    assert "note:" in text and "note:" not in concise
    assert concise.splitlines() == [line for line in text.splitlines()
                                    if line.startswith("a.py:")] + ["Found 2 errors."]


def test_output_file_dash_is_stdout_and_files_follow_the_umask(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BAD)
    proc = run_cli("check", "--no-cache", "-o", "-", ".", cwd=tmp_path)
    assert "a.py:8:28: PRL101" in proc.stdout and not (tmp_path / "-").exists()
    for umask, mode in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        target = tmp_path / f"report-{umask:o}.json"
        subprocess.run(f"umask {umask:03o} && {shlex_python()} -m promptlint check --no-cache "
                       f"--output-format json -o {target.name} .", shell=True, cwd=tmp_path,
                       check=False)
        assert stat.S_IMODE(target.stat().st_mode) == mode
    # an existing file keeps its mode
    os.chmod(tmp_path / "report-22.json", 0o640)
    run_cli("check", "--no-cache", "--output-format", "json", "-o", "report-22.json", ".",
            cwd=tmp_path)
    assert stat.S_IMODE((tmp_path / "report-22.json").stat().st_mode) == 0o640


def shlex_python() -> str:
    import shlex
    import sys

    return shlex.quote(sys.executable)


def test_show_fixes_names_a_notebook_fix_with_its_cell(tmp_path: Path) -> None:
    notebook = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# notes"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["import anthropic\n", "client = anthropic.Anthropic()"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["client.messages.create(\n", '    model="claude-3-opus-20240229",\n',
                    "    max_tokens=100, messages=[])"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notes.ipynb").write_text(json.dumps(notebook))
    proc = run_cli("fix", "--unsafe-fixes", "--show-fixes", ".", cwd=tmp_path)
    assert "  notes.ipynb:cell 3:2:11: PRL202 Use " in proc.stdout, proc.stdout


def test_syntax_error_at_pythons_position(tmp_path: Path) -> None:
    (tmp_path / "typo.py").write_text(
        "import anthropic\nclient = anthropic.Anthropic()\nreply = client.messages.create(\n"
        "    model='claude-sonnet-4-5' max_tokens=10,\n    messages=[])\n")
    proc = run_cli("check", "--no-cache", "typo.py", cwd=tmp_path)
    assert proc.stderr == "typo.py:4:11: syntax error: invalid syntax. Perhaps you forgot a " \
        "comma?\n"


def test_invalid_utf8_is_called_what_it_is(tmp_path: Path) -> None:
    (tmp_path / "first.py").write_bytes(b"# caf\xe9\n" + BAD.encode())
    (tmp_path / "cookie.py").write_bytes(b"# -*- coding: klingon -*-\n" + BAD.encode())
    proc = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert "first.py: not valid utf-8: byte 0xe9 at offset 5" in proc.stderr
    assert "encoding declaration" not in proc.stderr.split("cookie.py")[0]
    assert "cookie.py:" in proc.stderr and "klingon" in proc.stderr


def test_diff_against_a_bad_ref_says_what_git_said(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "a.py").write_text(BAD)
    proc = run_cli("check", "--no-cache", "--diff-against", "origin/nope", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert "'origin/nope' is not a commit in this repository (git rev-parse: fatal:" in \
        proc.stderr
    elsewhere = tmp_path.parent / f"{tmp_path.name}-plain"
    elsewhere.mkdir()
    (elsewhere / "a.py").write_text(BAD)
    proc = run_cli("check", "--no-cache", "--diff-against", "HEAD", ".", cwd=elsewhere)
    assert proc.returncode == 2 and "not a git repository" in proc.stderr


def test_rules_listing_has_a_header_and_a_legend() -> None:
    lines = run_cli("rules").stdout.splitlines()
    assert lines[0].split() == ["code", "name", "severity", "fix", "default"]
    assert any(line.startswith("fix: ") and "fix?:" in line and "hint:" in line
               for line in lines)
    assert any(line.startswith("PRL601") and line.endswith("opt-in") for line in lines)


UNUSED = textwrap.dedent('''\
    from anthropic import AsyncAnthropic

    llm = AsyncAnthropic()
    NOTE = "keep  # noqa: PRL999 in this string"


    async def label(text):
        reply = await llm.messages.create(
            model="claude-3-opus-20240229",  # noqa: PRL202
            max_tokens=64,  # noqa: PRL101, E501
            system="""Label the text
    with one word.""", messages=[{"role": "user", "content": text}],  # noqa: PRL9999
        )
        return reply  # noqa
    ''')


def test_unused_noqa_reports_unknown_and_unused_promptlint_codes_only(tmp_path: Path) -> None:
    (tmp_path / "label.py").write_text(UNUSED)
    proc = run_cli("check", "--no-cache", "--output-format", "json", "--extend-select", "PRL901",
                   ".", cwd=tmp_path)
    items = [(f["line"], f["column"], f["message"]) for f in json.loads(proc.stdout)]
    assert items == [
        (10, 25, "Unused `noqa` directive (unused: `PRL101`)"),
        (12, 67, "Unused `noqa` directive (unknown: `PRL9999`)"),
    ]  # the used PRL202, the string, E501 and the bare noqa are left alone
    assert codes(".", cwd=tmp_path) == []  # opt-in
    # a code of a rule that is not enabled might suppress something elsewhere: silent
    assert codes("--extend-select", "PRL901", "--ignore", "PRL101", ".", cwd=tmp_path) == [
        "PRL901"]


def test_unused_noqa_after_a_multiline_string_counts_as_used(tmp_path: Path) -> None:
    (tmp_path / "ask.py").write_text(STRING_REQUEST.replace(
        "temperature=0.5,", "temperature=0.5,  # noqa: PRL202, PRL301, PRL104"))
    found = json.loads(run_cli("check", "--no-cache", "--output-format", "json",
                               "--extend-select", "PRL901", ".", cwd=tmp_path).stdout)
    assert [f["message"] for f in found] == ["Unused `noqa` directive (unused: `PRL104`)"]


def test_unused_noqa_fix_removes_codes_or_the_directive(tmp_path: Path) -> None:
    (tmp_path / "label.py").write_text(UNUSED)
    proc = run_cli("fix", "--extend-select", "PRL901", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "label.py").read_text()
    assert "        max_tokens=64,  # noqa: E501\n" in text
    assert 'with one word.""", messages=[{"role": "user", "content": text}],\n' in text
    assert '"claude-3-opus-20240229",  # noqa: PRL202\n' in text
    assert codes("--extend-select", "PRL901", ".", cwd=tmp_path) == []


def test_add_noqa_then_unused_noqa_is_clean(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(CALL)
    run_cli("check", "--no-cache", "--add-noqa", "--extend-select", "PRL901", ".", cwd=tmp_path)
    assert codes("--extend-select", "PRL901", ".", cwd=tmp_path) == []


def test_unused_noqa_in_a_notebook_cell(tmp_path: Path) -> None:
    notebook = {"cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["import anthropic\n", "client = anthropic.Anthropic()"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["client.messages.create(\n",
                    '    model="claude-haiku-4-5",  # noqa: PRL202\n',
                    "    max_tokens=100, messages=[])"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    found = json.loads(run_cli("check", "--no-cache", "--output-format", "json",
                               "--extend-select", "PRL901", ".", cwd=tmp_path).stdout)
    assert [(f["cell"], f["line"], f["code"]) for f in found] == [(2, 2, "PRL901")]
    run_cli("fix", "--extend-select", "PRL901", ".", cwd=tmp_path)
    cell = json.loads((tmp_path / "nb.ipynb").read_text())["cells"][1]["source"]
    assert cell[1] == '    model="claude-haiku-4-5",\n'
