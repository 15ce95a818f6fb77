"""The pre-commit hooks (.pre-commit-hooks.yaml) as a user meets them, through the real pre-commit.

The hook source is a temporary git repository holding a copy of this checkout (the files needed
to install it), committed and tagged with the README snippet's ``rev``, so uncommitted work is
what gets tested; each consumer repository uses the README's snippet as its configuration.
pre-commit clones it and pip-installs it into its own virtualenv once per test module
(PRE_COMMIT_HOME is temporary).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.test_readme import precommit_snippet

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
INSTALL_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml"]
INSTALL_DIRS = ["promptlint", "rules"]  # promptlint/docs is a symlink to ../rules

BAD = textwrap.dedent("""\
    import anthropic

    client = anthropic.Anthropic()


    def summarise(text: str) -> str:
        reply = client.messages.create(
            model="claude-3-haiku-20240307",
            max_tokens=1024,
            messages=[{"role": "user", "content": text}],
        )
        return reply.content[0].text


    def report(topic: str) -> str:
        with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=200_000,
            messages=[{"role": "user", "content": topic}],
        ) as stream:
            return stream.get_final_message().content[0].text
    """)
CLEAN = textwrap.dedent("""\
    import anthropic

    client = anthropic.Anthropic()


    def ask(question: str) -> str:
        reply = client.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=1024,
            messages=[{"role": "user", "content": question}],
        )
        return reply.content[0].text
    """)


def _env(pre_commit_home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PRE_COMMIT_COLOR": "never",
        "PROMPTLINT_NO_USER_CATALOGUE": "1",
        "GIT_AUTHOR_NAME": "promptlint tests",
        "GIT_AUTHOR_EMAIL": "tests@example.invalid",
        "GIT_COMMITTER_NAME": "promptlint tests",
        "GIT_COMMITTER_EMAIL": "tests@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.pop("PROMPTLINT_OUTPUT_FORMAT", None)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str],
         timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = _run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                cwd, env)
    assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _pre_commit(cwd: Path, env: dict[str, str], *args: str,
                timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "pre_commit", *args], cwd, env, timeout)


def _consumer(path: Path, env: dict[str, str], hook_repo: tuple[Path, str],
              files: dict[str, str]) -> Path:
    """A repository whose .pre-commit-config.yaml is the README's snippet, with only the
    repository's address replaced by the local copy (its ``rev`` is a tag there)."""
    repo, _sha = hook_repo
    path.mkdir()
    _git(path, env, "init", "-q")
    snippet = precommit_snippet()
    snippet["repos"][0]["repo"] = repo.as_posix()
    (path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(snippet, sort_keys=False))
    for name, content in files.items():
        (path / name).write_text(content)
    _git(path, env, "add", "-A")
    return path


def _sections(output: str) -> dict[str, str]:
    """pre-commit's output of failed hooks, by hook id."""
    parts = re.split(r"^- hook id: (\S+)$", output, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _env(tmp_path_factory.mktemp("pre-commit-home"))


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
              ) -> tuple[Path, str]:
    """A committed copy of this checkout, with pre-commit's environment for it installed."""
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in INSTALL_FILES:
        shutil.copy2(ROOT / name, repo / name)
    for name in INSTALL_DIRS:
        shutil.copytree(ROOT / name, repo / name, symlinks=True, ignore=ignore)
    assert (repo / "promptlint" / "docs").is_symlink()
    _git(repo, env, "init", "-q")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "promptlint under test")
    sha = _git(repo, env, "rev-parse", "HEAD").strip()
    _git(repo, env, "tag", "-a", "-m", "release", precommit_snippet()["repos"][0]["rev"])
    warmup = _consumer(tmp_path_factory.mktemp("warmup") / "repo", env, (repo, sha),
                       {"clean.py": CLEAN})
    proc = _pre_commit(warmup, env, "install-hooks", timeout=900)
    assert proc.returncode == 0, (
        "pre-commit could not install the hooks (it pip-installs from PyPI):\n"
        f"{proc.stdout}\n{proc.stderr}"
    )
    return repo, sha


def test_check_hook_fails_and_fix_hook_applies_safe_fix(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    repo = _consumer(tmp_path / "app", env, hook_repo, {"bad.py": BAD, "clean.py": CLEAN})
    proc = _pre_commit(repo, env, "run", "--all-files")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    sections = _sections(out)
    assert set(sections) == {"promptlint", "promptlint-fix"}, out

    check = sections["promptlint"]
    assert "- exit code: 1" in check
    findings = re.findall(r"^(\S+):(\d+):(\d+): (PRL\d{3})\b", check, flags=re.M)
    assert findings == [("bad.py", "8", "15", "PRL202"), ("bad.py", "18", "20", "PRL102")], check
    assert "bad.py:18:20: PRL102 [*] max_tokens=200000 exceeds claude-sonnet-5-5's output " \
           "limit of 128000" in check
    assert "clean.py" not in check

    fix = sections["promptlint-fix"]
    assert "- files were modified by this hook" in fix
    assert "- exit code: 1" in fix  # the retired model (an unsafe fix) remains
    # what remains after the fix: only the retired model
    assert re.findall(r"^(\S+):(\d+):(\d+): (PRL\d{3})\b", fix, flags=re.M) == [
        ("bad.py", "8", "15", "PRL202")
    ], fix
    fixed = (repo / "bad.py").read_text()
    assert fixed == BAD.replace("max_tokens=200_000", "max_tokens=128_000")
    assert (repo / "clean.py").read_text() == CLEAN

    # Run again: nothing left to fix, the retired model still fails both hooks.
    _git(repo, env, "add", "-A")
    again = _pre_commit(repo, env, "run", "--all-files")
    assert again.returncode == 1
    sections = _sections(again.stdout)
    assert re.findall(r"^(\S+):(\d+):(\d+): (PRL\d{3})\b", sections["promptlint"],
                      flags=re.M) == [("bad.py", "8", "15", "PRL202")]
    assert "files were modified" not in again.stdout
    assert (repo / "bad.py").read_text() == fixed


def test_hooks_pass_on_clean_repository(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    repo = _consumer(tmp_path / "clean", env, hook_repo, {"clean.py": CLEAN})
    proc = _pre_commit(repo, env, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^promptlint\.+Passed$", proc.stdout, flags=re.M), proc.stdout
    assert re.search(r"^promptlint \(fix\)\.+Passed$", proc.stdout, flags=re.M), proc.stdout
    assert (repo / "clean.py").read_text() == CLEAN
