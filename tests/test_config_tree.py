"""Configuration per file, as Ruff: the closest configuration file above each file, `extend`,
`--config` for every file, `--isolated` for none; the cache follows each file's configuration."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from promptlint.cli import cli
from promptlint.config import ConfigError, ConfigTree, Overrides, load_file
from promptlint.discovery import discover
from tests.helpers import BAD

ROOT_CONFIG = '[tool.promptlint]\nignore = ["PRL101"]\n'
SUB_CONFIG = '[tool.promptlint]\nignore = ["PRL202"]\n'


@pytest.fixture(autouse=True)
def _no_user_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTLINT_NO_USER_CATALOGUE", "1")
    monkeypatch.delenv("PROMPTLINT_OUTPUT_FORMAT", raising=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/a.py under the root's config (PRL101 ignored), root/sub/b.py under sub's (PRL202
    ignored); both files hold the same request, with both problems."""
    (tmp_path / "pyproject.toml").write_text(ROOT_CONFIG)
    (tmp_path / "a.py").write_text(BAD)
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text(SUB_CONFIG)
    (sub / "b.py").write_text(BAD)
    return tmp_path


def codes(*args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch,
          command: str = "check") -> dict[str, list[str]]:
    """Reported codes by file name, from ``promptlint check --output-format json ARGS``."""
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, [command, "--output-format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    out: dict[str, list[str]] = {}
    for finding in json.loads(result.stdout):
        out.setdefault(Path(finding["path"]).name, []).append(finding["code"])
    return {name: sorted(found) for name, found in out.items()}


def test_each_directory_gets_its_closest_config_from_the_root(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert codes("--no-cache", ".", cwd=tree, monkeypatch=monkeypatch) == {
        "a.py": ["PRL202"], "b.py": ["PRL101"]}


def test_from_inside_the_subdirectory_and_for_a_file_named_alone(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert codes("--no-cache", ".", cwd=tree / "sub", monkeypatch=monkeypatch) == {
        "b.py": ["PRL101"]}
    assert codes("--no-cache", "sub/b.py", cwd=tree, monkeypatch=monkeypatch) == {
        "b.py": ["PRL101"]}
    assert codes("--no-cache", "../a.py", cwd=tree / "sub", monkeypatch=monkeypatch) == {
        "a.py": ["PRL202"]}


def test_command_line_values_are_laid_over_every_file(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = codes("--no-cache", "--ignore", "PRL202", ".", cwd=tree, monkeypatch=monkeypatch)
    assert found == {"b.py": ["PRL101"]}


def test_config_flag_is_used_for_every_file(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = codes("--no-cache", "--config", "sub/pyproject.toml", ".", cwd=tree,
                  monkeypatch=monkeypatch)
    assert found == {"a.py": ["PRL101"], "b.py": ["PRL101"]}


def test_isolated_reads_no_config(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = codes("--no-cache", "--isolated", ".", cwd=tree, monkeypatch=monkeypatch)
    assert found == {"a.py": ["PRL101", "PRL202"], "b.py": ["PRL101", "PRL202"]}


def test_extend_inherits_and_the_child_wins(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tree / "pyproject.toml").write_text(
        '[tool.promptlint]\nignore = ["PRL101"]\nper-file-ignores = {"b.py" = ["PRL202"]}\n')
    (tree / "sub" / "pyproject.toml").write_text(
        '[tool.promptlint]\nextend = "../pyproject.toml"\nignore = []\n')
    # sub inherits the per-file ignore (its patterns relative to sub/) but not the ignore
    assert codes("--no-cache", ".", cwd=tree, monkeypatch=monkeypatch) == {
        "a.py": ["PRL202"], "b.py": ["PRL101"]}
    config = load_file(tree / "sub" / "pyproject.toml")
    assert config.root == (tree / "sub").resolve()
    assert config.ignore == ()


def test_promptlint_toml_wins_over_pyproject_in_its_directory(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tree / "sub" / "promptlint.toml").write_text('ignore = ["PRL101"]\n')
    assert codes("--no-cache", ".", cwd=tree, monkeypatch=monkeypatch)["b.py"] == ["PRL202"]
    (tree / "sub" / ".promptlint.toml").write_text('ignore = ["PRL101", "PRL202"]\n')
    assert "b.py" not in codes("--no-cache", ".", cwd=tree, monkeypatch=monkeypatch)


def test_a_pyproject_without_the_table_is_passed_over(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tree / "sub" / "pyproject.toml").write_text('[project]\nname = "sub"\n')
    assert codes("--no-cache", ".", cwd=tree, monkeypatch=monkeypatch) == {
        "a.py": ["PRL202"], "b.py": ["PRL202"]}


def test_a_subdirectory_config_excludes_its_own_files(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tree / "sub" / "pyproject.toml").write_text(
        '[tool.promptlint]\nextend-exclude = ["b.py"]\n')
    (tree / "sub" / "c.py").write_text(BAD)
    assert codes("--no-cache", ".", cwd=tree, monkeypatch=monkeypatch) == {
        "a.py": ["PRL202"], "c.py": ["PRL101", "PRL202"]}


def test_the_cache_follows_each_files_config(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = str(tree / ".cache")
    assert codes("--cache-dir", cache, ".", cwd=tree, monkeypatch=monkeypatch)["b.py"] == [
        "PRL101"]
    (tree / "sub" / "pyproject.toml").write_text('[tool.promptlint]\nignore = ["PRL101"]\n')
    assert codes("--cache-dir", cache, ".", cwd=tree, monkeypatch=monkeypatch)["b.py"] == [
        "PRL202"]


def test_fix_applies_each_files_config(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # PRL101's fix adds max_tokens, PRL202's replaces the model: each where it is not ignored
    monkeypatch.chdir(tree)
    result = CliRunner().invoke(cli, ["fix", "--unsafe-fixes", "."])
    assert result.exit_code in (0, 1), result.output
    fixed_root, fixed_sub = (tree / "a.py").read_text(), (tree / "sub" / "b.py").read_text()
    assert "max_tokens" not in fixed_root and "claude-3-opus" not in fixed_root
    assert "max_tokens" in fixed_sub and "claude-3-opus" in fixed_sub


def test_stdin_takes_the_config_of_the_file_it_stands_for(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    result = CliRunner().invoke(
        cli, ["check", "--output-format", "json", "--stdin-filename", "sub/b.py", "-"],
        input=BAD)
    assert sorted(f["code"] for f in json.loads(result.stdout)) == ["PRL101"]


@pytest.mark.parametrize(("text", "message"), [
    ('[tool.promptlint]\nextend = "missing.toml"\n', "extend: config file not found"),
    ('[tool.promptlint]\nextend = "pyproject.toml"\n', "extend makes a cycle"),
    ('[tool.promptlint]\nextend = 3\n', "extend must be the path"),
    ('[tool.promptlint]\nignore = "PRL101"\n', "ignore must be a list of strings"),
])
def test_a_bad_subdirectory_config_is_one_line_and_exit_2(
        tree: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    (tree / "sub" / "pyproject.toml").write_text(text)
    before = (tree / "sub" / "b.py").read_bytes()
    monkeypatch.chdir(tree)
    for command in ("check", "fix"):
        result = CliRunner().invoke(cli, [command, "--no-cache", "."] if command == "check"
                                    else [command, "."])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.stderr
        assert "sub" in lines[0] and "Traceback" not in result.output
    assert (tree / "sub" / "b.py").read_bytes() == before


def test_the_tree_finds_configs_lazily_and_shares_them(tree: Path) -> None:
    configs = ConfigTree(cwd=tree, overrides=Overrides(extend_select=("PRL6",)))
    root_config = configs.for_path(tree / "a.py")
    sub_config = configs.for_path(tree / "sub" / "b.py")
    deeper = tree / "sub" / "deeper"
    deeper.mkdir()
    assert configs.for_directory(deeper) is sub_config
    assert root_config is configs.default and sub_config.source == (
        tree / "sub" / "pyproject.toml").resolve()
    assert "PRL601" in sub_config.enabled_codes() and "PRL202" not in sub_config.enabled_codes()
    found = {c.path.name: c.config for c in discover([tree], configs)}
    assert found["a.py"] is root_config and found["b.py"] is sub_config


def test_a_directory_with_no_config_above_gets_the_working_directorys(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(ROOT_CONFIG)
    configs = ConfigTree(cwd=project)
    assert configs.for_directory(outside) is configs.default
    assert configs.default.ignore == ("PRL101",)


def test_config_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "promptlint.toml"
    bad.write_text(textwrap.dedent('select = ["PRL99"]\n'))
    with pytest.raises(ConfigError, match="promptlint.toml"):
        ConfigTree(cwd=tmp_path)


def test_an_unknown_key_in_a_promptlint_toml_is_named_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "promptlint.toml").write_text("extend-ignore = 1\n")
    with pytest.raises(ConfigError) as caught:
        ConfigTree(cwd=tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{(tmp_path / 'promptlint.toml').resolve()}: unknown key "
                              "'extend-ignore' (known: ")
    assert "[tool.promptlint]" not in message
