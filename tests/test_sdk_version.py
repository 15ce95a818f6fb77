"""The project's own anthropic version (requirements, lock files, sdk-version) and how PRL301
judges against it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from promptlint import sdk
from promptlint.config import Config, ConfigError, from_table
from promptlint.run import check_bytes
from promptlint.sdkversion import poetry_spec, read_directory, releases, requirement_spec
from tests.helpers import run_cli

SAMPLING = textwrap.dedent("""\
    from anthropic import AsyncAnthropic

    llm = AsyncAnthropic()


    async def rate(review: str) -> str:
        reply = await llm.messages.create(
            model="claude-haiku-5-5",
            max_tokens=64,
            top_p=0.9,
            messages=[{"role": "user", "content": review}],
        )
        return reply.content[0].text
    """)

FORWARDED = textwrap.dedent("""\
    import anthropic

    api = anthropic.Anthropic()
    api.messages.create(
        model="claude-haiku-5-5",
        max_tokens=64,
        messages=[{"role": "user", "content": "hello"}],
        extra_body={"top_k": 5},
    )
    """)


def lint_in(folder: Path, source: str = SAMPLING, config: Config | None = None,
            name: str = "reviews.py") -> list:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(source)
    result = check_bytes(str(path), path, path.read_bytes(), config or Config(root=folder))
    assert result.problem is None, result.problem
    return result.findings


def prl301(findings: list) -> list:
    return [f for f in findings if f.code == "PRL301"]


# ---- the done-when of the issue ---------------------------------------------------------------
def test_a_project_pinning_0_75_is_not_told_typeerror(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("httpx>=0.27\nanthropic==0.75.0\n")
    [finding] = prl301(lint_in(tmp_path))
    assert "raises TypeError" not in finding.message
    assert finding.severity == "warning"
    assert "0.75.0" in finding.message and "from anthropic 1.0 on" in finding.message


def test_a_project_without_a_pin_is_told_typeerror_and_what_was_assumed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')  # a boundary
    [finding] = prl301(lint_in(tmp_path))
    assert finding.severity == "error"
    assert "anthropic SDK >= 1.0 raises TypeError" in finding.message
    assert f"assuming the newest supported, {sdk.newest_version()}" in finding.message


def test_sdk_1x_raises_but_still_sends_the_old_api_version(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("anthropic==1.4.0\n")
    [keyword] = prl301(lint_in(tmp_path / "a"))  # read from the parent directory
    assert keyword.severity == "error" and "raises TypeError" in keyword.message
    assert "2026-10-21 rejects" not in keyword.message
    [forwarded] = prl301(lint_in(tmp_path / "b", FORWARDED))
    assert forwarded.severity == "warning"
    assert "sends 2023-06-01" in forwarded.message and "anthropic >= 2.0" in forwarded.message


def test_sdk_2x_forwarded_parameter_is_a_400(tmp_path: Path) -> None:
    (tmp_path / "requirements-prod.txt").write_text("anthropic~=2.3\n")
    [forwarded] = prl301(lint_in(tmp_path, FORWARDED))
    assert forwarded.severity == "error" and "rejects it (400)" in forwarded.message
    assert "admits 2.3.0 to" in forwarded.message


def test_a_range_is_judged_by_its_newest_release(tmp_path: Path) -> None:
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / "requirements.txt").write_text("anthropic>=0.75\n")
    [open_ended] = prl301(lint_in(tmp_path / "up"))
    assert open_ended.severity == "error"
    assert f"admits 0.75.0 to {sdk.newest_version()}" in open_ended.message
    (tmp_path / "capped").mkdir()
    (tmp_path / "capped" / "requirements.txt").write_text("anthropic>=0.60,<1.0\n")
    [capped] = prl301(lint_in(tmp_path / "capped"))
    assert capped.severity == "warning" and "admits 0.60.0 to 0.125.0" in capped.message


# ---- where the version is read from -----------------------------------------------------------
@pytest.mark.parametrize(("files", "newest", "oldest"), [
    ({"pyproject.toml": '[project]\nname = "a"\ndependencies = ["anthropic[vertex] == 0.75.0 ;'
                        ' python_version >= \'3.9\'"]\n'}, "0.75.0", "0.75.0"),
    ({"pyproject.toml": '[project]\nname = "a"\n[project.optional-dependencies]\n'
                        'llm = ["Anthropic>=1.2,<1.5"]\n'}, "1.4.0", "1.2.0"),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\n'
                        'anthropic = {version = "^0.75", extras = ["bedrock"]}\n'},
     "0.75.0", "0.75.0"),
    ({"pyproject.toml": '[tool.poetry.group.dev.dependencies]\nanthropic = "~1.3"\n'},
     "1.3.0", "1.3.0"),
    ({"setup.cfg": "[metadata]\nname = a\n[options]\ninstall_requires =\n    click\n"
                   "    anthropic>=2.10, <2.12  # pinned for the tool runner\n"},
     "2.11.0", "2.10.0"),
    ({"requirements.txt": "-r base.txt\nanthropic==0.100.0 \\\n    --hash=sha256:abc\n"},
     "0.100.0", "0.100.0"),
    ({"requirements.txt": "anthropic>=0.75\n", "requirements-lock.txt": "anthropic==0.80.0\n"},
     "0.80.0", "0.80.0"),  # several declarations must all hold
])
def test_declarations(tmp_path: Path, files: dict[str, str], newest: str, oldest: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    target = read_directory(tmp_path)
    assert target is not None and not target.warnings
    assert (target.newest, target.oldest) == (newest, oldest)


def test_setup_py_is_read_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    (tmp_path / "setup.py").write_text(textwrap.dedent(f"""\
        from pathlib import Path
        from setuptools import setup

        Path({str(marker)!r}).write_text("ran")
        REQUIRES = ["requests", "anthropic>=0.50,<0.51"]
        setup(name="svc", install_requires=REQUIRES,
              extras_require={{"dev": ["pytest"]}})
        """))
    target = read_directory(tmp_path)
    assert target is not None and (target.oldest, target.newest) == ("0.50.0", "0.50.0")
    assert not marker.exists()


@pytest.mark.parametrize("lock", [
    ("uv.lock", 'version = 1\n[[package]]\nname = "anthropic"\nversion = "0.75.0"\n'
                '[[package]]\nname = "httpx"\nversion = "0.28.1"\n'),
    ("poetry.lock", '[[package]]\nname = "anthropic"\nversion = "0.75.0"\n'
                    'description = "x"\n[metadata]\nlock-version = "2.0"\n'),
])
def test_the_locked_version_wins(tmp_path: Path, lock: tuple[str, str]) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "a"\ndependencies = ["anthropic>=0.70"]\n')
    (tmp_path / lock[0]).write_text(lock[1])
    target = read_directory(tmp_path)
    assert target is not None and (target.newest, target.source) == ("0.75.0", lock[0])
    [finding] = prl301(lint_in(tmp_path))
    assert finding.severity == "warning" and lock[0] in finding.message


def test_setting_in_the_project_and_in_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text('[[package]]\nname = "anthropic"\nversion = "2.16.0"\n')
    (tmp_path / "pyproject.toml").write_text('[tool.promptlint]\nsdk-version = "0.75"\n')
    target = read_directory(tmp_path)
    assert target is not None and target.newest == "0.75.0"
    [finding] = prl301(lint_in(tmp_path))
    assert finding.severity == "warning"
    config = from_table({"sdk-version": "1.2"}, None, Config(root=tmp_path))
    [overridden] = prl301(lint_in(tmp_path / "sub", config=config))
    assert overridden.severity == "error" and "anthropic is 1.2.0" in overridden.message


def test_sdk_version_must_be_a_string() -> None:
    with pytest.raises(ConfigError, match="sdk-version"):
        from_table({"sdk-version": 0.75}, None, Config())


def test_nearest_declaration_within_the_project(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("anthropic==0.75.0\n")
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "pyproject.toml").write_text('[project]\nname = "svc"\n')
    # service/ is a project of its own that declares no anthropic: the outer pin is not its
    [finding] = prl301(lint_in(tmp_path / "service" / "src"))
    assert finding.severity == "error" and "assuming the newest" in finding.message


def test_specifier_forms() -> None:
    known = releases()

    def admitted(spec: object) -> tuple[str, str]:
        found = [v for v in known if spec(v)]  # type: ignore[operator]
        return found[0], found[-1]

    assert admitted(requirement_spec("anthropic (>=1.0, !=1.1.0, <1.3)")) == ("1.0.0", "1.2.0")
    assert admitted(requirement_spec("anthropic==2.*")) == ("2.0.0", sdk.newest_version())
    assert admitted(poetry_spec("^0.75 || ^2.15")) == ("0.75.0", sdk.newest_version())
    assert admitted(poetry_spec(">= 0.100, < 0.101")) == ("0.100.0", "0.100.0")
    assert requirement_spec("langchain-anthropic>=1.0") is None
    assert requirement_spec("anthropic_bedrock==0.8") is None


# ---- bad input: one warning line, the default, never a crash -----------------------------------
@pytest.mark.parametrize(("name", "text", "words"), [
    ("requirements.txt", "anthropic>=>0.75\n", "cannot read the anthropic requirement"),
    ("requirements.txt", "anthropic==9.9.9\n", "no anthropic release promptlint knows"),
    ("uv.lock", "[[package]\nname = ", "uv.lock: cannot read"),
    ("pyproject.toml", '[tool.promptlint]\nsdk-version = "soon"\n', "cannot read 'soon'"),
])
def test_bad_input_is_one_warning_and_the_default(tmp_path: Path, name: str, text: str,
                                                  words: str) -> None:
    (tmp_path / name).write_text(text)
    (tmp_path / "one.py").write_text(SAMPLING)
    (tmp_path / "two.py").write_text(SAMPLING.replace("rate", "score"))
    proc = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path),
                   cwd=tmp_path.parent)
    assert proc.returncode == 1, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "anthropic version" in line]
    assert len(warnings) == 1 and words in warnings[0], proc.stderr
    assert "Traceback" not in proc.stderr
    findings = json.loads(proc.stdout)
    assert {f["severity"] for f in findings if f["code"] == "PRL301"} == {"error"}
    assert all("assuming the newest supported" in f["message"] for f in findings
               if f["code"] == "PRL301")


def test_a_changed_pin_invalidates_cached_results(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("anthropic==0.75.0\n")
    (tmp_path / "app.py").write_text(SAMPLING)
    args = ("check", "--output-format", "json", "--cache-dir", str(tmp_path / "cache"),
            str(tmp_path / "app.py"))

    def severities() -> list[str]:
        proc = run_cli(*args, cwd=tmp_path)
        return [f["severity"] for f in json.loads(proc.stdout) if f["code"] == "PRL301"]

    assert severities() == ["warning"]
    assert severities() == ["warning"]  # from the cache
    (tmp_path / "requirements.txt").write_text("anthropic==2.0.0\n")
    assert severities() == ["error"]


def test_a_clean_project_still_hears_about_a_bad_pin(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("anthropic >= 1.0 <2\n")
    (tmp_path / "clean.py").write_text(SAMPLING.replace("        top_p=0.9,\n", ""))
    (tmp_path / "notes.py").write_text("print('no requests here')\n")
    proc = run_cli("check", "--no-cache", str(tmp_path), cwd=tmp_path.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [warning] = [line for line in proc.stderr.splitlines() if "anthropic version" in line]
    assert "clean.py" in warning and "requirements.txt:1" in warning


LONG = textwrap.dedent("""\
    import anthropic

    writer = anthropic.Anthropic()
    draft = writer.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=60000,
        messages=[{"role": "user", "content": "Write the whole manual"}],
    )
    """)


@pytest.mark.parametrize(("pin", "severity", "words"), [
    (None, "error", "assuming the newest supported"),
    ("anthropic==2.1.0", "error", "above"),
    ("anthropic==0.75.0", "error", "above"),
    ("anthropic==0.40.0", "warning", "from anthropic 0.50 on"),
    ("anthropic==0.47.0", None, ""),  # between two samples that disagree: unknown
])
def test_the_non_streaming_guard_in_the_projects_release(
        tmp_path: Path, pin: str | None, severity: str | None, words: str) -> None:
    (tmp_path / "requirements.txt").write_text(f"{pin}\n" if pin else "# nothing pinned\n")
    (tmp_path / ".git").mkdir()  # the project's boundary: nothing above it is read
    found = [f for f in lint_in(tmp_path, LONG) if f.code == "PRL103"]
    assert [f.severity for f in found] == ([severity] if severity else [])
    assert all(words in f.message for f in found)
