"""The command line as a user meets it: output formats, exit codes, config, bad input."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from tests.helpers import BAD, findings_json, run_cli

CLEAN = textwrap.dedent("""\
    import anthropic

    client = anthropic.Anthropic()
    client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, messages=[])
    """)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "bad.py").write_text(BAD)
    (tmp_path / "app" / "clean.py").write_text(CLEAN)
    return tmp_path


def test_text_output_and_exit_code(project: Path) -> None:
    proc = run_cli("check", "app", cwd=project)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        "app/bad.py:8:28: PRL101 `max_tokens` is missing: the API requires it and the SDK "
        "raises TypeError without it"
    )
    assert lines[1].startswith("app/bad.py:9:15: PRL202 Model 'claude-3-opus-20240229' was "
                               "retired on 2026-01-05")
    assert lines[2] == "  app/bad.py:4:9: note: model defined here"
    assert "Found 2 errors." in proc.stdout
    assert proc.stderr == ""


def test_clean_exit_zero(project: Path) -> None:
    proc = run_cli("check", "app/clean.py", cwd=project)
    assert proc.returncode == 0
    assert "All checks passed!" in proc.stdout


def test_exit_zero_flag(project: Path) -> None:
    assert run_cli("check", "--exit-zero", "app", cwd=project).returncode == 0


def test_json_output_contract(project: Path) -> None:
    items = findings_json("app", cwd=project)
    assert [i["code"] for i in items] == ["PRL101", "PRL202"]
    first = items[1]
    for key in ("path", "line", "column", "end_line", "end_column", "cell", "code", "rule",
                "severity", "message", "fix"):
        assert key in first
    assert first["rule"] == "model-retired"
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (
        9, 15, 9, 20)
    assert first["related"][0]["line"] == 4
    assert first["fix"]["applicability"] == "unsafe"
    assert first["fix"]["title"] == "Use 'claude-opus-5-5'"


def test_github_output(project: Path) -> None:
    proc = run_cli("check", "--output-format", "github", "app/bad.py", cwd=project)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith(
        "::error file=app/bad.py,line=8,col=28,endLine=8,endColumn=34,"
        "title=promptlint (PRL101 max-tokens-missing)::PRL101 `max_tokens` is missing"
    )


def test_select_and_ignore(project: Path) -> None:
    assert [i["code"] for i in findings_json("--select", "PRL2", "app", cwd=project)] == [
        "PRL202"]
    assert [i["code"] for i in findings_json("--ignore", "model-retired", "app",
                                             cwd=project)] == ["PRL101"]


def test_pyproject_config(project: Path) -> None:
    (project / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.promptlint]
        ignore = ["PRL101"]
        per-file-ignores = {"app/other.py" = ["PRL2"]}
        """))
    (project / "app" / "other.py").write_text(BAD)
    items = findings_json("app", cwd=project)
    assert [(i["path"], i["code"]) for i in items] == [("app/bad.py", "PRL202")]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[tool.promptlint]\nselct = ["PRL1"]\n', "unknown key 'selct' in [tool.promptlint]"),
        ('[tool.promptlint]\nselect = "PRL1"\n', "select must be a list of strings"),
        ('[tool.promptlint]\nselect = ["PRL999"]\n', "unknown rule selector 'PRL999'"),
        ('[tool.promptlint]\ndefault-max-tokens = -5\n', "default-max-tokens must be a positive"),
        ("[tool.promptlint\nselect = [\n", "invalid TOML"),
    ],
)
def test_bad_config_exits_2(project: Path, toml: str, message: str) -> None:
    (project / "pyproject.toml").write_text(toml)
    proc = run_cli("check", "app", cwd=project)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_cli_selector_exits_2(project: Path) -> None:
    proc = run_cli("check", "--select", "NOPE", "app", cwd=project)
    assert proc.returncode == 2
    assert "unknown rule selector 'NOPE'" in proc.stderr


def test_missing_path_exits_2(project: Path) -> None:
    proc = run_cli("check", "nope/", cwd=project)
    assert proc.returncode == 2
    assert "nope: no such file or directory" in proc.stderr


def test_gitignore_and_exclude(project: Path) -> None:
    (project / ".gitignore").write_text("generated/\n")
    (project / "generated").mkdir()
    (project / "generated" / "bad.py").write_text(BAD)
    (project / "vendor").mkdir()
    (project / "vendor" / "bad.py").write_text(BAD)
    (project / ".venv").mkdir()
    (project / ".venv" / "bad.py").write_text(BAD)
    paths = {i["path"] for i in findings_json("--extend-exclude", "vendor", ".", cwd=project)}
    assert paths == {"app/bad.py"}
    # a file named on the command line is always checked (pre-commit passes names)
    assert {i["path"] for i in findings_json("generated/bad.py", cwd=project)} == {
        "generated/bad.py"}
    assert findings_json("--force-exclude", "--extend-exclude", "generated",
                         "generated/bad.py", cwd=project) == []


def test_stdin(project: Path) -> None:
    proc = run_cli("check", "--stdin-filename", "snippet.py", "-", stdin=BAD.encode())
    assert proc.returncode == 1
    assert proc.stdout.startswith("snippet.py:8:28: PRL101")


def test_notebook_cells(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Demo\n"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
             "source": ["%pip install anthropic\n", "import anthropic\n",
                        "client = anthropic.Anthropic()"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [],
             "source": ["!echo hi\n", "reply = client.messages.create(\n",
                        "    model=\"claude-3-opus-20240229\", max_tokens=512, messages=[])"]},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (tmp_path / "demo.ipynb").write_text(json.dumps(notebook))
    items = findings_json("demo.ipynb", cwd=tmp_path)
    assert [(i["code"], i["cell"], i["line"], i["column"]) for i in items] == [
        ("PRL202", 3, 3, 11)]
    text = run_cli("check", "demo.ipynb", cwd=tmp_path).stdout
    assert text.startswith("demo.ipynb:cell 3:3:11: PRL202")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("syntax.py", b"import anthropic\nclient.messages.create(\ndef f(:\n",
         "syntax.py:3:"),
        ("latin.py", b"import anthropic\nx = '\xe9t\xe9'\n", "latin.py: not valid utf-8"),
        ("binary.py", b"\x00\x01\x02messages", "binary.py: binary file"),
        ("broken.ipynb", b"{not json", "broken.ipynb: invalid notebook: not valid JSON"),
        ("nocells.ipynb", b'{"cells": 3}', "nocells.ipynb: invalid notebook"),
    ],
)
def test_bad_files_are_reported_and_run_continues(tmp_path: Path, name: str, content: bytes,
                                                  message: str) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "z_bad.py").write_text(BAD)
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "z_bad.py:8:28: PRL101" in proc.stdout  # the other file was still checked


def test_coding_cookie_is_honoured(tmp_path: Path) -> None:
    code = "# -*- coding: latin-1 -*-\n" + BAD.replace("import anthropic",
                                                       "import anthropic  # caf\xe9")
    (tmp_path / "cookie.py").write_bytes(code.encode("latin-1"))
    items = findings_json("cookie.py", cwd=tmp_path)
    assert [i["code"] for i in items] == ["PRL101", "PRL202"]


def test_broken_symlink_and_directory_named_py(tmp_path: Path) -> None:
    os.symlink(tmp_path / "missing.py", tmp_path / "link.py")
    (tmp_path / "pkg.py").mkdir()
    proc = run_cli("check", "link.py", "pkg.py", cwd=tmp_path)
    assert "link.py: broken symbolic link" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 1)


def test_rule_and_rules_commands() -> None:
    proc = run_cli("rule", "PRL101")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# PRL101: max-tokens-missing")
    assert run_cli("rule", "model-retired").stdout.startswith("# PRL202: model-retired")
    assert run_cli("rule", "PRL999").returncode == 2
    listing = run_cli("rules").stdout
    assert "PRL202  model-retired" in listing


def test_the_project_passes_its_own_check() -> None:
    """promptlint dogfoods itself: [tool.promptlint] in the repository's pyproject.toml."""
    root = Path(__file__).resolve().parent.parent
    proc = run_cli("check", "--no-cache", ".", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_examples_show_every_rule() -> None:
    from promptlint.rules import ALL_RULES

    root = Path(__file__).resolve().parent.parent
    items = findings_json("--no-cache", "examples/", cwd=root)
    assert {i["code"] for i in items} == {rule.code for rule in ALL_RULES}


def test_diff_against_reports_only_changed_lines(tmp_path: Path) -> None:
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.invalid")
    git("config", "user.name", "t")
    (tmp_path / "old.py").write_text(BAD)
    git("add", ".")
    git("commit", "-q", "-m", "legacy code with findings")
    changed = BAD.replace('        messages=[{"role": "user", "content": question}],\n',
                          '        messages=[{"role": "user", "content": question}],\n'
                          '        temperature=0.5,\n')
    assert changed != BAD
    (tmp_path / "old.py").write_text(changed)
    (tmp_path / "new.py").write_text(BAD)
    items = findings_json("--diff-against", "HEAD", ".", cwd=tmp_path)
    assert sorted((i["path"], i["code"]) for i in items) == [
        ("new.py", "PRL101"), ("new.py", "PRL202"), ("old.py", "PRL301")]
    proc = run_cli("check", "--diff-against", "no-such-ref", ".", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith(
        "promptlint: error: --diff-against: 'no-such-ref' is not a commit in this repository "
        "(git rev-parse: fatal:")
