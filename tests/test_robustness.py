"""Hostile and broken input, failed and interrupted writes, secrets, caches and concurrent runs.

Every bad file costs one line on stderr and the run goes on: each test puts a file with a
known finding (``z_bad.py``) beside the bad one and checks that it is still reported.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from promptlint.config import Config
from promptlint.discovery import Candidate
from promptlint.fix.loop import fix_text
from promptlint.fix.run import FixRun
from promptlint.fsutil import TEMP_SUFFIX
from tests.helpers import BAD, CALL, findings_json, run_cli, without_file_privileges

BAD_FINDING = "z_bad.py:8:28: PRL101"
HEAD = "import anthropic\n\nclient = anthropic.Anthropic()\n"

def request_with(content: str, before: str = "") -> str:
    """A module whose one request carries ``content`` as the user message."""
    return (HEAD + before + 'client.messages.create(model="claude-sonnet-5-5", max_tokens=10, '
            f'messages=[{{"role": "user", "content": {content}}}])\n')


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """What went wrong, one line each (without `fix --diff`'s closing count)."""
    return [line for line in proc.stderr.splitlines() if line.strip()
            and not line.startswith("Would fix ") and line != "No fixes to apply."]


def assert_clean_failure(proc: subprocess.CompletedProcess[str]) -> None:
    """Exited by itself (no signal, no traceback, no internal error)."""
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr


def assert_one_problem_and_the_rest_checked(root: Path, message: str) -> None:
    """Next to a bad file, `check` reports it in one line starting with ``message`` and still
    reports the findings of a good one."""
    (root / "z_bad.py").write_text(BAD)
    proc = run_cli("check", ".", cwd=root)
    assert_clean_failure(proc)
    lines = stderr_lines(proc)
    assert len(lines) == 1 and lines[0].startswith(message), lines
    assert BAD_FINDING in proc.stdout


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def run_injected(preamble: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI after ``preamble`` (fault injection: the tests run as root here, so chmod
    cannot make a file unreadable). The pool workers are forked and inherit the patches."""
    code = (textwrap.dedent(preamble) + "\nimport sys\nfrom promptlint.cli import main\n"
            f"sys.argv = ['promptlint', *{list(args)!r}]\nmain()\n")
    env = {**os.environ, "PROMPTLINT_NO_USER_CATALOGUE": "1"}
    env.pop("PROMPTLINT_OUTPUT_FORMAT", None)
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, env=env,
                          timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


# ---- input that used to crash the process ------------------------------------------------------

# Each of these killed the whole run with SIGSEGV inside libcst's native parser (its stack
# overflows at ~1,200 nested brackets or a few thousand chained operations).
PARSER_CRASHERS = {
    "parens.py": request_with("(" * 2000 + '"x"' + ")" * 2000),
    "lists.py": request_with("[" * 2000 + '"x"' + "]" * 2000),
    "calls.py": request_with("str(" * 2000 + '"x"' + ")" * 2000),
    "unary.py": request_with("-" * 10_000 + "1"),
    "attributes.py": request_with("x" + ".y" * 10_000),
    "lambdas.py": request_with("(" + "lambda: " * 5000 + '"x")()'),
    "conditionals.py": request_with('"a" if x else ' * 8000 + '"b"'),
    "booleans.py": request_with("x and " * 12_000 + "x"),
    "sums.py": request_with(" + ".join(['"a"'] * 9000)),
    "fstring_field.py": request_with('f"{' + "(" * 2000 + "1" + ")" * 2000 + '}"'),
    "fstrings_nested.py": request_with("f'{" * 1500 + "1" + "}'" * 1500),
    "elifs.py": HEAD + "if x:\n    pass\n" + "elif x:\n    pass\n" * 12_000 + request_with('"x"'),
}


@pytest.mark.parametrize("command", [("check", "--no-cache"), ("fix", "--unsafe-fixes")])
def test_parser_crashers_are_refused_with_one_line(tmp_path: Path, command: tuple) -> None:
    for name, code in PARSER_CRASHERS.items():
        (tmp_path / name).write_text(code)
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": PARSER_CRASHERS["parens.py"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "deep.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "z_bad.py").write_text(BAD)
    proc = run_cli(*command, ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert_clean_failure(proc)
    expected = sorted([*PARSER_CRASHERS, "deep.ipynb"])
    lines = stderr_lines(proc)
    assert sorted(line.split(":")[0] for line in lines) == expected
    for line in lines:
        assert "too deeply nested for the parser" in line and line.endswith("; not checked")
    if command[0] == "check":
        assert BAD_FINDING in proc.stdout
    else:
        assert "max_tokens=1024" in (tmp_path / "z_bad.py").read_text()
        for name, code in PARSER_CRASHERS.items():
            assert (tmp_path / name).read_text() == code


def test_deep_code_well_below_the_limit_is_still_checked(tmp_path: Path) -> None:
    # 190 nested brackets (CPython allows 200) and a 2,500-term sum are valid Python
    (tmp_path / "ok.py").write_text(request_with("(" * 190 + '"x"' + ")" * 190).replace(
        "claude-sonnet-5-5", "claude-3-opus-20240229"))
    (tmp_path / "sum.py").write_text(request_with(" + ".join(['"a"'] * 2500)).replace(
        "claude-sonnet-5-5", "claude-3-opus-20240229"))
    proc = run_cli("check", "--no-cache", "ok.py", "sum.py", cwd=tmp_path)
    assert "too deeply nested for the parser" not in proc.stderr
    assert "ok.py:4:" in proc.stdout and "PRL202" in proc.stdout


def test_huge_generated_file_is_refused_before_parsing(tmp_path: Path) -> None:
    filler = "x = 'messages padding padding padding padding padding padding padding'\n"
    (tmp_path / "generated.py").write_text(BAD + filler * (20 * 1024 * 1024 // len(filler) + 1))
    (tmp_path / "z_bad.py").write_text(BAD)
    for command in (("check", "--no-cache"), ("fix", "--unsafe-fixes", "--diff")):
        proc = run_cli(*command, ".", cwd=tmp_path)
        assert_clean_failure(proc)
        assert stderr_lines(proc) == [
            "generated.py: file is 20 MB, over the 10 MB limit for files that are parsed; "
            "not checked"]
    assert BAD_FINDING in run_cli("check", ".", cwd=tmp_path).stdout


def test_module_over_the_line_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "long.py").write_text(BAD + "x = 1\n" * 150_001)
    (tmp_path / "z_bad.py").write_text(BAD)
    proc = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert_clean_failure(proc)
    assert stderr_lines(proc) == ["long.py: file has 150,012 lines, over the 150,000-line limit "
                                  "for files that are parsed; not checked"]
    assert BAD_FINDING in proc.stdout


@pytest.mark.slow
def test_hundred_thousand_line_module_is_checked(tmp_path: Path) -> None:
    body = "".join(f"value_{i} = {i}\n" for i in range(100_000))
    (tmp_path / "big.py").write_text(BAD + body + BAD.split("\n\n\n")[1])
    proc = run_cli("check", "--no-cache", "--output-format", "json", "big.py", cwd=tmp_path)
    assert_clean_failure(proc)
    found = [(i["line"], i["code"]) for i in json.loads(proc.stdout)]
    assert (8, "PRL101") in found and (100_013, "PRL101") in found


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # a cookie that the bytes contradict
        ("# -*- coding: ascii -*-\n" + BAD.replace("question):", "question):  # café"),
         "cookie.py: not valid ascii: byte 0xc3"),
        ("# coding: klingon\n" + BAD, "cookie.py: invalid encoding declaration: unknown "
                                      "encoding: klingon"),
        # a BOM says UTF-8, the cookie says otherwise
        ("\ufeff# coding: latin-1\n" + BAD, "cookie.py: invalid encoding declaration"),
    ],
)
def test_encoding_cookie_problems(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "cookie.py").write_bytes(content.encode("utf-8"))
    assert_one_problem_and_the_rest_checked(tmp_path, message)


def test_utf16_file_is_reported_as_binary(tmp_path: Path) -> None:
    (tmp_path / "wide.py").write_bytes(BAD.encode("utf-16"))
    (tmp_path / "z_bad.py").write_text(BAD)
    proc = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert_clean_failure(proc)
    assert stderr_lines(proc) == ["wide.py: binary file (contains NUL bytes), not checked"]
    assert (tmp_path / "wide.py").read_bytes() == BAD.encode("utf-16")


def test_symlink_loops(tmp_path: Path) -> None:
    os.symlink("self.py", tmp_path / "self.py")
    os.symlink("ping.md", tmp_path / "pong.md")  # not even a Python file: used to crash the walk
    os.symlink("pong.md", tmp_path / "ping.md")
    (tmp_path / "pkg").mkdir()
    os.symlink("..", tmp_path / "pkg" / "up")  # a directory loop
    (tmp_path / "z_bad.py").write_text(BAD)
    for command in (("check",), ("fix", "--unsafe-fixes", "--diff")):
        proc = run_cli(*command, ".", cwd=tmp_path)
        assert_clean_failure(proc)
        assert stderr_lines(proc) == ["self.py: cannot read: Too many levels of symbolic links"]
        assert proc.stdout.count("z_bad.py:8:28: PRL101") == (command[0] == "check")
    # named on the command line
    proc = run_cli("check", "self.py", "z_bad.py", cwd=tmp_path)
    assert stderr_lines(proc) == ["self.py: cannot read: Too many levels of symbolic links"]
    assert BAD_FINDING in proc.stdout


def test_directory_named_like_a_module_is_walked(tmp_path: Path) -> None:
    (tmp_path / "x.py").mkdir()
    (tmp_path / "x.py" / "z_bad.py").write_text(BAD)
    (tmp_path / "y.ipynb").mkdir()
    proc = run_cli("check", ".", cwd=tmp_path)
    assert_clean_failure(proc)
    assert proc.stderr == ""
    assert "x.py/z_bad.py:8:28: PRL101" in proc.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{}", "nb.ipynb: invalid notebook: no 'cells' list"),
        (b"[]", "nb.ipynb: invalid notebook: no 'cells' list"),
        (b'{"cells": null}', "nb.ipynb: invalid notebook: no 'cells' list"),
        (b'\xff\xfe{"cells": []}', "nb.ipynb: invalid notebook: not valid JSON"),
        (b'{"cells": [', "nb.ipynb: invalid notebook: not valid JSON"),
    ],
)
def test_notebooks_without_cells(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "nb.ipynb").write_bytes(content)
    assert_one_problem_and_the_rest_checked(tmp_path, message)


def test_notebook_with_odd_cells_is_checked_quietly(tmp_path: Path) -> None:
    cells = [1, "code", None, {"cell_type": "code"}, {"cell_type": "code", "source": 5},
             {"cell_type": "code", "source": [1, None]}, {"cell_type": "raw", "source": "x"},
             {"cell_type": "code", "source": BAD.splitlines(keepends=True)}]
    (tmp_path / "odd.ipynb").write_text(json.dumps({"cells": cells}))
    proc = run_cli("check", "odd.ipynb", cwd=tmp_path)
    assert_clean_failure(proc)
    assert proc.stderr == ""
    assert "odd.ipynb:cell 8:8:28: PRL101" in proc.stdout


TEMPLATE_APP = HEAD + textwrap.dedent("""\
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"))
    client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                           system=env.get_template("broken.j2").render(), messages=[])
    client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                           system=env.get_template("includes.j2").render(), messages=[])
    """)


@pytest.fixture
def template_project(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.j2").write_text("Hello {% if %}")
    (tmp_path / "templates" / "includes.j2").write_text("Hi {% include 'missing.j2' %}")
    (tmp_path / "app.py").write_text(TEMPLATE_APP)
    (tmp_path / "z_bad.py").write_text(BAD)
    return tmp_path


def test_broken_templates_are_one_warning_line_each(template_project: Path) -> None:
    proc = run_cli("check", "--no-cache", ".", cwd=template_project)
    assert_clean_failure(proc)
    assert stderr_lines(proc) == [
        "app.py: warning: template broken.j2:1: syntax error: Expected an expression, got "
        "'end of statement block'",
        "app.py: warning: template includes.j2: include 'missing.j2' not found",
    ]
    assert BAD_FINDING in proc.stdout


def test_fix_prints_template_warnings_too(template_project: Path) -> None:
    proc = run_cli("fix", ".", cwd=template_project)
    assert "app.py: warning: template broken.j2:1: syntax error" in proc.stderr


PROMPT_FILE_APP = HEAD + textwrap.dedent("""\
    from pathlib import Path

    client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                           system=(Path(__file__).parent / {name!r}).read_text(),
                           messages=[])
    """)


@pytest.fixture
def prompt_files(tmp_path: Path) -> Path:
    (tmp_path / "binary.md").write_bytes(b"Be helpful.\x00\x01\x02" * 100)
    with (tmp_path / "huge.md").open("wb") as handle:  # 50 MB, read with a cap
        handle.truncate(50 * 1024 * 1024)
    (tmp_path / "latin.md").write_bytes("Caf\xe9 rules".encode("latin-1"))
    for name in ("binary.md", "huge.md", "latin.md"):
        (tmp_path / f"app_{name[:-3]}.py").write_text(PROMPT_FILE_APP.format(name=name))
    (tmp_path / "z_bad.py").write_text(BAD)
    return tmp_path


def test_unusable_prompt_files_do_not_stop_the_run(prompt_files: Path) -> None:
    for command in (("check", "--no-cache"), ("tokens",), ("fix", "--diff")):
        proc = run_cli(*command, ".", cwd=prompt_files)
        assert_clean_failure(proc)
    tokens = run_cli("tokens", "--output-format", "json", "app_huge.py", cwd=prompt_files)
    assert json.loads(tokens.stdout)[0]["static_tokens"] < 1000  # a hole, not 50 MB of text


def test_unusable_prompt_files_are_one_warning_line_each(prompt_files: Path) -> None:
    proc = run_cli("check", "--no-cache", ".", cwd=prompt_files)
    lines = stderr_lines(proc)
    assert len(lines) == 3 and all(": warning: " in line for line in lines), lines


def test_prompt_file_that_is_a_symlink_loop(tmp_path: Path) -> None:
    os.symlink("loop.md", tmp_path / "loop.md")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(PROMPT_FILE_APP.format(name="../loop.md"))
    (tmp_path / "app" / "z_bad.py").write_text(BAD)
    proc = run_cli("check", "--no-cache", "app", cwd=tmp_path)
    assert_clean_failure(proc)
    assert "app/z_bad.py:8:28: PRL101" in proc.stdout


DEEP = "(" * 3000 + "1" + ")" * 3000


def test_deeply_nested_imported_module(tmp_path: Path) -> None:
    (tmp_path / "prompts.py").write_text(f'SYSTEM = "You are helpful."\nY = {DEEP}\n')
    (tmp_path / "app.py").write_text(HEAD + "from prompts import SYSTEM\n\n"
                                     'client.messages.create(model="claude-3-opus-20240229", '
                                     "max_tokens=10, system=SYSTEM, messages=[])\n")
    proc = run_cli("check", "--no-cache", "app.py", cwd=tmp_path)
    assert_clean_failure(proc)
    assert "PRL202" in proc.stdout


WRAPPER = HEAD + textwrap.dedent("""\


    def ask(question):
        return client.messages.create(model="claude-3-opus-20240229", max_tokens=10,
                                      messages=[{"role": "user", "content": question}])
    """)


@pytest.fixture
def deep_wrapper_caller(tmp_path: Path) -> Path:
    (tmp_path / "wrap.py").write_text(WRAPPER)
    (tmp_path / "caller.py").write_text(f"from wrap import ask\n\nask({DEEP})\n")
    (tmp_path / "z_bad.py").write_text(BAD)
    return tmp_path


def test_fix_refuses_a_deeply_nested_wrapper_caller(deep_wrapper_caller: Path) -> None:
    proc = run_cli("fix", "--unsafe-fixes", ".", cwd=deep_wrapper_caller)
    assert_clean_failure(proc)
    assert stderr_lines(proc) == ["caller.py: too deeply nested for the parser; not checked"]


def test_check_refuses_a_deeply_nested_wrapper_caller(deep_wrapper_caller: Path) -> None:
    proc = run_cli("check", "--no-cache", ".", cwd=deep_wrapper_caller)
    assert_clean_failure(proc)
    assert stderr_lines(proc) == ["caller.py: too deeply nested for the parser; not checked"]


def test_pyproject_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.promptlint]\nignore = ["PRL2"] # caf\xe9\n')
    (tmp_path / "z_bad.py").write_text(BAD)
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = stderr_lines(proc)
    assert len(lines) == 1 and lines[0].startswith("promptlint: error: ") and (
        "pyproject.toml: cannot read" in lines[0])


# ---- files and directories that cannot be read --------------------------------------------------

UNREADABLE = """
import errno, os, pathlib
_read_bytes, _open, _scandir = pathlib.Path.read_bytes, os.open, os.scandir
def read_bytes(self):
    if self.name == "secret.py":
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
    return _read_bytes(self)
def open_(path, *args, **kwargs):
    if os.path.basename(os.fspath(path)) == "secret.py":
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
    return _open(path, *args, **kwargs)
def scandir(path="."):
    if os.path.basename(os.fspath(path)) == "locked":
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
    return _scandir(path)
pathlib.Path.read_bytes, os.open, os.scandir = read_bytes, open_, scandir
"""


@pytest.mark.parametrize("command", [("check", "--no-cache"), ("fix", "--unsafe-fixes")])
def test_unreadable_file_and_directory(tmp_path: Path, command: tuple) -> None:
    (tmp_path / "secret.py").write_text(BAD)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.py").write_text(BAD)
    (tmp_path / "z_bad.py").write_text(BAD)
    proc = run_injected(UNREADABLE, *command, ".", cwd=tmp_path)
    assert_clean_failure(proc)
    assert proc.returncode == 1
    assert sorted(stderr_lines(proc)) == ["locked: cannot read directory: permission denied",
                                          "secret.py: permission denied"]
    if command[0] == "check":
        assert BAD_FINDING in proc.stdout
    else:
        assert "max_tokens=1024" in (tmp_path / "z_bad.py").read_text()
        assert (tmp_path / "secret.py").read_text() == BAD


UNPRIVILEGED = without_file_privileges()


@pytest.mark.skipif(UNPRIVILEGED is None, reason="file modes cannot be made to bind here "
                    "(root without setpriv); covered by fault injection")
def test_unreadable_file_and_directory_for_real(tmp_path: Path) -> None:
    (tmp_path / "secret.py").write_text(BAD)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.py").write_text(BAD)
    (tmp_path / "z_bad.py").write_text(BAD)
    os.chmod(tmp_path / "secret.py", 0)
    os.chmod(tmp_path / "locked", 0)
    try:
        proc = run_cli("check", "--no-cache", ".", cwd=tmp_path, prefix=UNPRIVILEGED or ())
    finally:
        os.chmod(tmp_path / "locked", 0o755)
    assert sorted(stderr_lines(proc)) == ["locked: cannot read directory: permission denied",
                                          "secret.py: permission denied"]
    assert BAD_FINDING in proc.stdout


# ---- writes that fail ----------------------------------------------------------------------------

FAILURES = {
    "no space": ("os.fsync", errno.ENOSPC),
    "read-only file system": ("tempfile.mkstemp", errno.EROFS),
    "directory not writable": ("tempfile.mkstemp", errno.EACCES),
    "interrupted write": ("os.fdopen", errno.EIO),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failed_write_keeps_the_original(tmp_path: Path, monkeypatch, case: str) -> None:
    from promptlint import fsutil

    target, code = FAILURES[case]
    module, name = target.split(".")
    path = tmp_path / "app.py"
    path.write_text(CALL)
    os.chmod(path, 0o640)

    def fail(*args, **kwargs):
        if name == "fdopen":  # the temp file exists by now: it must be cleaned up
            os.close(args[0])
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(getattr(fsutil, module), name, fail)
    run = FixRun(Config(), unsafe=True)
    run.fix_candidate(Candidate(path, True))
    assert path.read_text() == CALL
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert run.problems == [f"{path}: could not write the fixed file ({os.strerror(code)}); "
                            "the original is unchanged"]
    assert sorted(tmp_path.iterdir()) == [path]


def test_read_only_file_is_not_replaced(tmp_path: Path, monkeypatch) -> None:
    from promptlint import fsutil

    path = tmp_path / "app.py"
    path.write_text(CALL)
    os.chmod(path, 0o444)
    real_access = os.access
    # root may write anything: pretend to be the owner of a read-only file
    monkeypatch.setattr(fsutil.os, "access", lambda p, mode: False if mode == os.W_OK and (
        Path(p) == path) else real_access(p, mode))
    run = FixRun(Config(), unsafe=True)
    run.fix_candidate(Candidate(path, True))
    assert path.read_text() == CALL
    assert run.problems == [f"{path}: could not write the fixed file (Permission denied); "
                            "the original is unchanged"]
    assert sorted(tmp_path.iterdir()) == [path]


@pytest.mark.skipif(UNPRIVILEGED is None, reason="file modes cannot be made to bind here "
                    "(root without setpriv); covered by the test above")
def test_read_only_file_for_real(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CALL)
    os.chmod(path, 0o444)
    proc = run_cli("fix", "--unsafe-fixes", "app.py", cwd=tmp_path, prefix=UNPRIVILEGED or ())
    assert path.read_text() == CALL
    assert "app.py: could not write the fixed file (Permission denied)" in proc.stderr


def test_disk_full_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "a_full.py").write_text(CALL)
    (tmp_path / "z_bad.py").write_text(BAD)
    preamble = """
    import errno, os
    from promptlint import fsutil
    _fsync = os.fsync
    def fsync(fd):
        if "a_full.py" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return _fsync(fd)
    fsutil.os.fsync = fsync
    """
    if not Path("/proc/self/fd").exists():
        pytest.skip("needs /proc to name the file being written")
    proc = run_injected(preamble, "fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert_clean_failure(proc)
    assert proc.returncode == 1
    assert stderr_lines(proc) == ["a_full.py: could not write the fixed file (No space left on "
                                  "device); the original is unchanged"]
    assert (tmp_path / "a_full.py").read_text() == CALL
    assert "max_tokens=1024" in (tmp_path / "z_bad.py").read_text()
    assert temp_files(tmp_path) == []


# ---- interrupted runs ----------------------------------------------------------------------------

FUNCTION = textwrap.dedent("""\


    def ask_{i}(question):
        # keep this comment {i}
        return client.messages.create(
            model="claude-3-opus-20240229",  # the old default
            temperature=0.2,
            messages=[{{"role": "user", "content": question}}],
        )
    """)
SLOW_MODULE = HEAD + "".join(FUNCTION.format(i=i) for i in range(20))


def fixable_tree(root: Path, files: int, text: str = SLOW_MODULE) -> list[Path]:
    paths = []
    for index in range(files):
        path = root / f"pkg{index // 40}" / f"mod_{index:03}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(path)
    return paths


def _interruptible() -> None:
    """In the child: SIGINT as a terminal delivers it (a background job inherits it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_interrupted_fix_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    paths = fixable_tree(tmp_path, 120)
    fixed = fix_text(SLOW_MODULE, Config(root=tmp_path), unsafe=True).text
    assert fixed != SLOW_MODULE
    env = {**os.environ, "PROMPTLINT_NO_USER_CATALOGUE": "1"}
    done_before = 0
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        proc = subprocess.Popen([sys.executable, "-m", "promptlint", "fix", "--unsafe-fixes",
                                 "."], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=_interruptible)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = sum(p.read_text() == fixed for p in paths)
            if done >= done_before + 10 or proc.poll() is not None:
                break
            time.sleep(0.01)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        stderr = err.decode("utf-8", "replace")
        # stopped part-way, by the signal, quietly
        assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGTERM), stderr
        assert "Traceback" not in stderr
        if sig == signal.SIGINT:  # click turns KeyboardInterrupt into Abort
            assert stderr.strip().splitlines()[-1] in ("Aborted.", "Interrupted.")
        contents = [p.read_text() for p in paths]
        assert all(text in (SLOW_MODULE, fixed) for text in contents)
        done = contents.count(fixed)
        assert done_before < done < len(paths)
        done_before = done
        assert temp_files(tmp_path) == []
    proc = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert all(p.read_text() == fixed for p in paths)


# Ctrl-C that lands inside libcst's code generation: its cleanup code then fails with a
# KeyError about a node, and the interrupt turned into an "internal error" with a node dump.
CTRL_C_IN_CODEGEN = """
import os, signal
# as in a terminal: a background job (nohup, `&` in a script) starts with SIGINT ignored
signal.signal(signal.SIGINT, signal.default_int_handler)
from libcst.metadata import position_provider
state = position_provider.WhitespaceInclusivePositionProvidingCodegenState
after, calls = state.after_codegen, [0]
def after_codegen(self, node):
    calls[0] += 1
    if calls[0] == {n}:
        os.kill(os.getpid(), signal.SIGINT)
    return after(self, node)
state.after_codegen = after_codegen
"""


@pytest.mark.parametrize("n", [7, 10, 13])
def test_ctrl_c_inside_libcst_during_fix(tmp_path: Path, n: int) -> None:
    (tmp_path / "app.py").write_text(BAD)
    proc = run_injected(CTRL_C_IN_CODEGEN.format(n=n), "fix", "--unsafe-fixes", "app.py",
                        cwd=tmp_path)
    assert proc.returncode == 130, proc.stderr[:500]
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    # the file being fixed was finished first
    assert (tmp_path / "app.py").read_text() == fix_text(BAD, Config(root=tmp_path), True).text


def test_ctrl_c_inside_libcst_during_check(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BAD)
    # check locates most nodes by text search; force libcst's code generation for positions
    forced = CTRL_C_IN_CODEGEN + (
        "from promptlint.syntax import positions\n"
        "positions.Locator._by_text = lambda self, node: None\n")
    for n in (7, 10, 13):
        proc = run_injected(forced.format(n=n), "check", "--no-cache", "app.py",
                            cwd=tmp_path)
        assert proc.returncode == 130, proc.stderr[:200]


# ---- concurrent runs -----------------------------------------------------------------------------


@pytest.mark.parametrize("meanwhile", ["edited", "fixed"])
def test_file_changed_while_being_fixed_is_not_overwritten(tmp_path: Path, monkeypatch,
                                                           meanwhile: str) -> None:
    path = tmp_path / "app.py"
    path.write_text(CALL)
    fixed = fix_text(CALL, Config(), unsafe=True).text
    edited = CALL.replace("# keep this comment", "# the user typed this meanwhile")
    compute = FixRun._fix

    def slow_fix(self, name, file, data, *config):  # someone writes the file meanwhile
        new = compute(self, name, file, data, *config)
        file.write_text(edited if meanwhile == "edited" else fixed)
        return new

    monkeypatch.setattr(FixRun, "_fix", slow_fix)
    run = FixRun(Config(), unsafe=True)
    run.fix_candidate(Candidate(path, True))
    if meanwhile == "edited":
        assert path.read_text() == edited
        assert run.problems == [f"{path}: changed while it was being fixed; left as it is (run "
                                "fix again)"]
    else:
        assert path.read_text() == fixed and run.problems == []
    assert temp_files(tmp_path) == []


@pytest.mark.slow
def test_two_fix_runs_on_one_tree_agree_with_one_run(tmp_path: Path) -> None:
    tree, reference = tmp_path / "tree", tmp_path / "reference"
    text = HEAD + "".join(FUNCTION.format(i=i) for i in range(4))
    fixable_tree(tree, 200, text)
    # modules that share a constant and a wrapper, as a real project does
    (tree / "settings.py").write_text('MODEL = "claude-3-opus-20240229"\n')
    (tree / "wrap.py").write_text(WRAPPER)
    for index in range(10):
        (tree / f"user_{index}.py").write_text(
            HEAD + "from settings import MODEL\nfrom wrap import ask\n\nask('hi')\n"
            "client.messages.create(model=MODEL, temperature=0.5, messages=[])\n")
    shutil.copytree(tree, reference)
    single = run_cli("fix", "--unsafe-fixes", ".", cwd=reference)
    assert_clean_failure(single)
    env = {**os.environ, "PROMPTLINT_NO_USER_CATALOGUE": "1"}
    runs = [subprocess.Popen([sys.executable, "-m", "promptlint", "fix", "--unsafe-fixes", "."],
                             cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    for proc in runs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode in (0, 1), err.decode()
        assert b"Traceback" not in err
    assert temp_files(tree) == []
    expected = {p.relative_to(reference): p.read_bytes() for p in reference.rglob("*.py")}
    actual = {p.relative_to(tree): p.read_bytes() for p in tree.rglob("*.py")}
    assert actual.keys() == expected.keys()
    assert [name for name in expected if actual[name] != expected[name]] == []
    for data in actual.values():
        compile(data, "<fixed>", "exec")
    again = run_cli("fix", "--unsafe-fixes", "--diff", ".", cwd=tree)
    assert again.returncode == 0 and again.stdout == "", again.stdout
    assert again.stderr.strip() == "No fixes to apply."


# ---- secrets and the network --------------------------------------------------------------------

FAKE_KEY = "sk-ant-api03-PROMPTLINT-ROBUSTNESS-FAKE-KEY-0123456789abcdef"


class Recorder:
    """An HTTP server that records every request (any method, CONNECT included) and answers
    with ``respond(handler) -> (status, body)``."""

    def __init__(self, respond=None) -> None:
        self.requests: list[tuple[str, str, dict, bytes]] = []
        self.respond = respond or (lambda handler: (404, b'{"type": "error", "error": '
                                                         b'{"type": "not_found_error"}}'))
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def handle_any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                recorder.requests.append((self.command, self.path, headers, body))
                status, payload = recorder.respond(self)
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                if status == 429:
                    self.send_header("retry-after", "0")
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_CONNECT = handle_any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def secret_env(url: str, **extra: str) -> dict[str, str]:
    return {"ANTHROPIC_API_KEY": FAKE_KEY, "ANTHROPIC_BASE_URL": url, "HTTP_PROXY": url,
            "HTTPS_PROXY": url, "ALL_PROXY": url, "http_proxy": url, "https_proxy": url,
            "NO_PROXY": "", "no_proxy": "", "PROMPTLINT_API_TIMEOUT": "2", **extra}


def assert_no_key_anywhere(root: Path, *outputs: str) -> None:
    for output in outputs:
        assert FAKE_KEY not in output and FAKE_KEY[12:40] not in output
    for path in root.rglob("*"):
        if path.is_file():
            assert FAKE_KEY.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_nothing_is_sent_without_exact_or_refresh(tmp_path: Path) -> None:
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples", tmp_path / "examples")
    (tmp_path / "z_bad.py").write_text(BAD)
    commands = [
        ("check", "."), ("check", "--output-format", "json", "."), ("check", "--fix", "--diff",
                                                                    "."),
        ("fix", "--unsafe-fixes", "--diff", "."), ("tokens", "."),
        ("tokens", "--output-format", "json", "."), ("report", "-o", "report.html", "."),
        ("models",), ("rules",), ("rule", "PRL101"), ("fix", "--unsafe-fixes", "."),
    ]
    with Recorder() as server:
        outputs = []
        for command in commands:
            proc = run_cli(*command, cwd=tmp_path, env=secret_env(server.url))
            assert "Traceback" not in proc.stderr, command
            outputs += [proc.stdout, proc.stderr]
        assert server.requests == []
    assert_no_key_anywhere(tmp_path, *outputs)


def _count_tokens_ok(handler) -> tuple[int, bytes]:
    return 200, b'{"input_tokens": 42}'


EXACT_APP = request_with('"hi"', f"SYSTEM = {'You are the billing assistant. ' * 40!r}\n").replace(
    "max_tokens=10,", "max_tokens=10, system=SYSTEM,")
NOT_A_COUNT = "the API answered with something that is not a token count"
EXACT_FAILURES = {
    "401": (lambda h: (401, b'{"type": "error", "error": {"type": "authentication_error", '
                            b'"message": "invalid x-api-key"}}'), "the API rejected the key"),
    # an error body that quotes the key back must not reach the user either
    "400 echoing the key": (lambda h: (400, json.dumps({"type": "error", "error": {
        "type": "invalid_request_error", "message": f"bad key {FAKE_KEY}"}}).encode()),
        "the API returned 400"),
    "500": (lambda h: (500, b"{}"), "the API returned 500"),
    "429": (lambda h: (429, b'{"type": "error", "error": {"type": "rate_limit_error"}}'),
            "rate limited by the API (429) after retries"),
    "garbage": (lambda h: (200, b"<html>not json</html>"), NOT_A_COUNT),
    "wrong shape": (lambda h: (200, b'{"input_tokens": "many"}'), NOT_A_COUNT),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(EXACT_FAILURES))
def test_key_never_shown_on_exact_count_errors(tmp_path: Path, case: str) -> None:
    respond, message = EXACT_FAILURES[case]
    (tmp_path / "app.py").write_text(EXACT_APP)
    with Recorder(respond) as server:
        proc = run_cli("tokens", "--exact", "app.py", cwd=tmp_path, env=secret_env(server.url))
        assert server.requests  # it did try
        for _, _, headers, _ in server.requests:  # sent to the API, and only there
            assert FAKE_KEY in (headers.get("x-api-key"), headers.get("authorization", "")[7:])
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"estimate shown: {message}" in proc.stdout
    assert_no_key_anywhere(tmp_path, proc.stdout, proc.stderr)


@pytest.mark.slow
def test_key_not_in_the_sdk_debug_log(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(EXACT_APP)
    respond = EXACT_FAILURES["401"][0]
    with Recorder(respond) as server:
        proc = run_cli("tokens", "--exact", "app.py", cwd=tmp_path,
                       env=secret_env(server.url, ANTHROPIC_LOG="debug"))
    assert "DEBUG" in proc.stderr  # the SDK did log
    assert_no_key_anywhere(tmp_path, proc.stdout, proc.stderr)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("key", "message"),
    [
        (FAKE_KEY + "\n", "could not connect to the API"),  # httpx refuses the header
        # bytes that are not UTF-8 (an environment variable is bytes): was an internal error
        (FAKE_KEY + "\udce9", "could not send the request: the API key or ANTHROPIC_BASE_URL "
                              "holds characters HTTP cannot carry"),
    ],
)
def test_malformed_key_is_one_clear_message(tmp_path: Path, key: str, message: str) -> None:
    (tmp_path / "app.py").write_text(EXACT_APP)
    with Recorder(_count_tokens_ok) as server:
        proc = run_cli("tokens", "--exact", "app.py", cwd=tmp_path,
                       env=secret_env(server.url, ANTHROPIC_API_KEY=key))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert f"estimate shown: {message}" in proc.stdout
    assert_no_key_anywhere(tmp_path, proc.stdout, proc.stderr)


@pytest.mark.slow
def test_unreachable_api_and_timeouts(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(EXACT_APP)
    with Recorder() as server:
        closed = server.url  # nothing listens there once the server is gone
    proc = run_cli("tokens", "--exact", "app.py", cwd=tmp_path, env=secret_env(closed))
    assert "estimate shown: could not connect to the API" in proc.stdout
    proc2 = run_cli("tokens", "--exact", "app.py", cwd=tmp_path,
                    env=secret_env(closed, PROMPTLINT_API_TIMEOUT="soon"))
    assert proc2.returncode == 2
    assert proc2.stderr.strip() == ("promptlint: error: PROMPTLINT_API_TIMEOUT must be a number "
                                    "of seconds")
    assert_no_key_anywhere(tmp_path, proc.stdout, proc.stderr, proc2.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("status", [401, 500])
def test_key_never_shown_on_refresh_errors(tmp_path: Path, status: int) -> None:
    body = json.dumps({"type": "error", "error": {"type": "api_error",
                                                  "message": f"no {FAKE_KEY}"}}).encode()
    with Recorder(lambda handler: (status, body)) as server:
        proc = run_cli("models", "--refresh", cwd=tmp_path,
                       env=secret_env(server.url, PROMPTLINT_CACHE_HOME=str(tmp_path / "home")))
        assert server.requests
    assert proc.returncode == 2
    assert len(stderr_lines(proc)) == 1 and "Traceback" not in proc.stderr
    assert_no_key_anywhere(tmp_path, proc.stdout, proc.stderr)


# ---- caches that cannot be trusted --------------------------------------------------------------


class FakeCounter:
    """count_tokens without a network: 1 token per 4 characters of system text, plus 10."""

    def __init__(self) -> None:
        self.calls = 0
        self.messages = self

    def count_tokens(self, model: str, messages: list, system: str | None = None):
        self.calls += 1
        return type("Count", (), {"input_tokens": len(system or "") // 4 + 10})()


def test_exact_cache_entries_are_checked_not_trusted(tmp_path: Path) -> None:
    from promptlint.tokens import ExactCounter

    api = FakeCounter()
    counter = ExactCounter(tmp_path / "cache", client_factory=lambda: api)
    text = "You are the billing assistant. " * 10
    assert counter.count("claude-sonnet-4-5", text) == len(text) // 4
    assert api.calls == 2  # baseline and text
    entries = sorted((tmp_path / "cache" / "tokens").rglob("*.json"))
    assert len(entries) == 2
    key = counter._key("claude-sonnet-4-5", text)
    corruptions = [
        b"{not json", b"\x00\xff\xfe", b"[1, 2]", b"null", b'"text"',
        json.dumps({"key": key, "input_tokens": -5}).encode(),
        json.dumps({"key": key, "input_tokens": True}).encode(),
        json.dumps({"key": key, "input_tokens": "12"}).encode(),
        json.dumps({"key": "another", "input_tokens": 7}).encode(),
        json.dumps({"input_tokens": 7}).encode(),
    ]
    for corrupt in corruptions:
        for entry in entries:
            entry.write_bytes(corrupt)
        fresh = ExactCounter(tmp_path / "cache", client_factory=lambda: api)
        calls = api.calls
        assert fresh.count("claude-sonnet-4-5", text) == len(text) // 4, corrupt
        assert api.calls == calls + 2, corrupt  # both fetched again ...
        for entry in entries:  # ... and the entries rebuilt
            assert json.loads(entry.read_text())["input_tokens"] >= 0
    # an entry replaced by a directory, or a cache directory that is a file: counts still work
    shutil.rmtree(tmp_path / "cache")
    (tmp_path / "cache").write_text("not a directory")
    fresh = ExactCounter(tmp_path / "cache", client_factory=lambda: api)
    assert fresh.count("claude-sonnet-4-5", text) == len(text) // 4


@pytest.mark.slow
def test_exact_cache_corrupt_on_disk_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(EXACT_APP)
    with Recorder(_count_tokens_ok) as server:
        env = secret_env(server.url)
        first = run_cli("tokens", "--exact", "--output-format", "json", "app.py", cwd=tmp_path,
                        env=env)
        assert json.loads(first.stdout)[0]["exact"] is True
        sent = len(server.requests)
        for entry in (tmp_path / ".promptlint_cache" / "tokens").rglob("*.json"):
            entry.write_text('{"key": "x", "input_tokens": 999999}')
        second = run_cli("tokens", "--exact", "--output-format", "json", "app.py", cwd=tmp_path,
                         env=env)
        assert len(server.requests) == sent * 2  # asked again, not read from the bad entries
    assert json.loads(second.stdout) == json.loads(first.stdout)


@pytest.mark.slow
def test_result_cache_damage_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "z_bad.py").write_text(BAD)
    (tmp_path / "app" / "call.py").write_text(CALL)
    reference = findings_json("--no-cache", "app", cwd=tmp_path)
    assert reference
    cache = tmp_path / "cache"
    assert findings_json("--cache-dir", "cache", "app", cwd=tmp_path) == reference
    entries = sorted((cache / "results").rglob("*.json"))
    assert len(entries) == 2
    damage = [
        lambda p: p.write_bytes(b"\x00\xff binary"),
        lambda p: p.write_text("[]"),
        lambda p: p.write_text(json.dumps({**json.loads(p.read_text() or "{}"), "key": "x"})
                               if p.read_text().startswith("{") else "{}"),
        lambda p: p.write_text('{"key": 1, "version": [], "dependencies": 5, "result": null}'),
        lambda p: (p.unlink(), p.mkdir()),
    ]
    for harm in damage:
        for entry in entries:
            if entry.is_dir():
                entry.rmdir()
                entry.write_text("{}")
            harm(entry)
        proc = run_cli("check", "--cache-dir", "cache", "--output-format", "json", "app",
                       cwd=tmp_path)
        assert_clean_failure(proc)
        assert proc.stderr == ""
        assert json.loads(proc.stdout) == reference
    # a cache directory that is a file: the check runs as without a cache
    shutil.rmtree(cache)
    cache.write_text("not a directory")
    assert findings_json("--cache-dir", "cache", "app", cwd=tmp_path) == reference
