"""The README's examples are what a user gets: its sample output is produced by running the
command it shows, and its pre-commit snippet names this repository's hooks and release."""

from __future__ import annotations

import re
import sys

import yaml

from tests.helpers import REPO, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

README = REPO / "README.md"


def fenced_blocks(text: str, language: str) -> list[str]:
    """The bodies of the README's ```language blocks, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.M | re.S)


def sample_output() -> tuple[str, list[str], list[str]]:
    """The README's sample run: its command, the lines shown before the ``...`` and after it."""
    block = next(b for b in fenced_blocks(README.read_text(), "text") if b.startswith("$ "))
    command, *lines = block.splitlines()
    if "..." in lines:
        cut = lines.index("...")
        return command[2:], lines[:cut], lines[cut + 1:]
    return command[2:], lines, []


def precommit_snippet() -> dict:
    """The README's pre-commit configuration (the yaml block with ``repos:``)."""
    block = next(b for b in fenced_blocks(README.read_text(), "yaml") if b.startswith("repos:"))
    return yaml.safe_load(block)


def test_readme_sample_output_is_what_the_command_prints() -> None:
    command, head, tail = sample_output()
    program, *args = command.split()
    assert program == "promptlint"
    proc = run_cli(*args, cwd=REPO, env={"PROMPTLINT_NO_CACHE": "1"})
    assert proc.returncode == 1, proc.stderr
    printed = proc.stdout.splitlines()
    assert head, "the README shows no output lines"
    assert printed[:len(head)] == head
    if tail:
        assert printed[-len(tail):] == tail


def test_readme_python_api_example_prints_what_it_says(tmp_path, monkeypatch, capsys) -> None:
    (block,) = [b for b in fenced_blocks(README.read_text(), "python") if "promptlint" in b]
    said = re.findall(r"print\(.*\)  # (.*)$", block, flags=re.M)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    assert said and capsys.readouterr().out.splitlines() == said


def test_readme_precommit_snippet_names_the_hooks_and_the_release() -> None:
    snippet = precommit_snippet()
    (repo,) = snippet["repos"]
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in repo["hooks"]] == [h["id"] for h in hooks]
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert repo["rev"] == f"v{version}"  # the release tag of this version
    assert repo["repo"].startswith("https://")
