"""Bounded time on any input: the screening patterns are linear, and a per-file time budget
skips (and names) a file whose analysis still runs away, with or without the process pool.

No assertion here depends on how fast the machine is: work is compared with work (the same
scan on an input four times as long, or on a plain file of the same size).
"""

from __future__ import annotations

import io
import json
import time
import tokenize
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlint import prefilter
from promptlint.cli import cli
from promptlint.prefilter import may_contain_request, request_lines


def _commented_code(lines: int, newline: str = "\n", continuation: bool = False,
                    bracket: bool = False) -> str:
    """The shape that hung the old prefilter: a sentence ending in a full stop, then a block of
    commented-out code whose lines hold a second ``#``."""
    body = [f"#     # commented-out code, line {i}" + (" \\" if continuation else "")
            for i in range(lines)]
    if bracket:
        body = ["values = (", "    1,  # see the notes.", *("    " + b for b in body), ")"]
    else:
        body = ["# see the notes.", *body]
    return newline.join(["import anthropic", "messages = []", *body, "x = 1", ""])


def _best_time(func: Callable[[], object], runs: int = 5) -> float:
    """The best of ``runs`` timings of ``func``, each repeated for at least 20 ms so that
    timer resolution and scheduling noise on a loaded machine do not decide the ratio."""
    best = float("inf")
    for _ in range(runs):
        calls, start = 0, time.perf_counter()
        while True:
            func()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= 0.02:
                break
        best = min(best, elapsed / calls)
    return best


def _growth(make: Callable[[int], bytes], base: int) -> float:
    """How much longer the scan of ``make(4 * base)`` takes than that of ``make(base)``: about
    4 for linear work, 16 for quadratic, astronomically more for exponential."""
    small, large = make(base), make(4 * base)
    request_lines(small)  # warm up
    return _best_time(lambda: request_lines(large)) / max(
        _best_time(lambda: request_lines(small)), 1e-6)


@pytest.mark.parametrize("variant", [
    {}, {"continuation": True}, {"bracket": True}, {"newline": "\r\n"},
    {"newline": "\r\n", "continuation": True},
])
def test_commented_out_code_under_a_sentence_is_screened_in_linear_time(variant: dict) -> None:
    def make(lines: int) -> bytes:
        return _commented_code(lines, **variant).encode()

    assert not may_contain_request(make(28))  # no request: the answer is unchanged
    assert _growth(make, 2_000) < 10


def test_the_file_from_the_report_is_checked_like_a_plain_file(tmp_path: Path) -> None:
    """The 28-line file took over a minute; now its check costs what a plain file of the same
    size costs (generously: twenty times, plus the fixed cost of a run)."""
    slow = tmp_path / "slow.py"
    slow.write_text(_commented_code(28))
    plain = tmp_path / "plain.py"
    plain.write_text("\n".join(["import anthropic", "messages = []",
                                *(f"value_{i} = {i}  # commented-out code, line {i}"
                                  for i in range(29)), ""]))
    runner = CliRunner()

    def check(path: Path) -> None:
        result = runner.invoke(cli, ["check", "--no-cache", str(path)])
        assert result.exit_code == 0, result.output

    check(plain)
    assert _best_time(lambda: check(slow), 3) < 20 * _best_time(lambda: check(plain), 3) + 0.2


# ---- generated inputs --------------------------------------------------------------------

_FRAGMENTS = st.sampled_from([
    "# see the notes.", "#     # old code", "#.messages", "# client.messages.create(",
    "x = '# not a comment'", "s = \"a # b . c\"", "y = 1 \\", "    ", "\t\t", " " * 200,
    "z = (((((1)))))", "w = [[[[[[[[2]]]]]]]]", "long = '" + "a" * 500 + "'",
    "messages = []", "client.messages  # note", "    .create(model='m', max_tokens=1)",
    "client.messages.batches  \\", "r = client.messages.stream(", ")", "# \\", "#",
    "client . messages . count_tokens (model='x')", "(client.messages.create)(model='x')",
])


def _reference_has_chain(code: str) -> bool:
    """A chain ``. messages . [middle .] method (`` in Python's own tokens (comments and line
    breaks skipped), or None when the text does not tokenize."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline)
                  if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                                    tokenize.INDENT, tokenize.DEDENT)]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return False
    text = [t.string for t in tokens]
    for i, word in enumerate(text):
        if word != "messages" or i == 0 or text[i - 1] != ".":
            continue
        rest = text[i + 1:]
        if rest[:1] == ["."] and len(rest) > 1 and rest[1] in prefilter.MIDDLE:
            rest = rest[2:]
        if rest[:1] == ["."] and len(rest) > 1 and rest[1] in prefilter.METHODS:
            after = rest[2:]
            while after[:1] == [")"]:
                after = after[1:]
            if after[:1] == ["("]:
                return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS, min_size=1, max_size=40), st.sampled_from(["\n", "\r\n"]))
def test_no_chain_in_code_is_dropped(lines: list[str], newline: str) -> None:
    code = newline.join(["import anthropic", *lines, ""])
    if _reference_has_chain(code.replace("\r\n", "\n")):
        assert may_contain_request(code.encode())
        assert request_lines(code.encode())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS, min_size=3, max_size=12))
def test_scan_time_grows_linearly_on_generated_inputs(lines: list[str]) -> None:
    block = "\n".join(lines) + "\n"

    def make(copies: int) -> bytes:
        return ("import anthropic\n" + block * copies).encode()

    copies = max(1, 200_000 // len(block))
    assert _growth(make, copies) < 10


# ---- the time budget ---------------------------------------------------------------------

_REQUEST = """\
import anthropic

client = anthropic.Anthropic()
client.messages.create(model="claude-3-opus-20240229", max_tokens=100, messages=[])
"""


def _slow_project(tmp_path: Path, files: int) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint]\nfile-time-limit = 0.5\n")
    for i in range(files):
        (tmp_path / f"ok_{i}.py").write_text(_REQUEST)
    (tmp_path / "slow.py").write_text(_REQUEST)
    return tmp_path


@pytest.mark.parametrize("files,jobs", [(1, "1"), (12, "2")], ids=["one-process", "pool"])
def test_a_file_over_its_time_budget_is_skipped_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int, jobs: str) -> None:
    from promptlint import lint

    real = lint.lint_source

    def lint_source(name: str, *args: object, **kwargs: object) -> object:
        if name.endswith("slow.py"):
            time.sleep(30)  # a runaway analysis (the budget is 0.5 s)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(lint, "lint_source", lint_source)
    monkeypatch.setenv("PROMPTLINT_JOBS", jobs)
    monkeypatch.chdir(_slow_project(tmp_path, files))
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json", "."])
    assert time.monotonic() - started < 25  # it did not wait for the sleep to end
    assert result.exit_code == 1  # a file could not be checked
    assert "slow.py: skipped after 0.5 s (please report)" in result.stderr
    found = json.loads(result.stdout)
    assert sorted({f["path"] for f in found}) == sorted(f"ok_{i}.py" for i in range(files))
    assert {f["code"] for f in found} == {"PRL202"}


def test_fix_skips_a_file_over_its_time_budget_and_leaves_it_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from promptlint.fix import run as fix_run

    real = fix_run.fix_document

    def fix_document(document: object, name: str, *args: object) -> object:
        if name.endswith("slow.py"):
            time.sleep(30)
        return real(document, name, *args)

    monkeypatch.setattr(fix_run, "fix_document", fix_document)
    monkeypatch.chdir(_slow_project(tmp_path, 1))
    result = CliRunner().invoke(cli, ["fix", "--unsafe-fixes", "."])
    assert "slow.py: skipped after 0.5 s (please report)" in result.stderr
    assert (tmp_path / "slow.py").read_text() == _REQUEST
    assert "claude-3-opus-20240229" not in (tmp_path / "ok_0.py").read_text()
    assert result.exit_code == 1


def test_a_bad_time_budget_is_one_line_and_exit_2(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint]\nfile-time-limit = -1\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "."])
    assert result.exit_code == 2
    assert "file-time-limit must be a number of seconds" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# ---- patterns over prompt text and messages ------------------------------------------------

def _text_growth(func: Callable[[str], object], make: Callable[[int], str], base: int) -> float:
    small, large = make(base), make(4 * base)
    func(small)
    return _best_time(lambda: func(large), 3) / max(_best_time(lambda: func(small), 3), 1e-6)


def _percent(text: str) -> object:
    from promptlint.resolve.values import _PERCENT

    return list(_PERCENT.finditer(text))


def _markdown(text: str) -> object:
    from promptlint.report import markdown

    return markdown.text(text)


def _estimate(text: str) -> object:
    from promptlint.tokens import estimate

    estimate.cache_clear()
    return estimate(text)


def _short_answer(text: str) -> object:
    from promptlint.resolve import intent

    return getattr(intent._bounded_text, "__wrapped__", intent._bounded_text)(text)


def _structure(text: str) -> object:
    from promptlint.resolve import intent

    return getattr(intent._structure_of, "__wrapped__", intent._structure_of)(text)


def _model(text: str) -> object:
    from promptlint.models import catalogue

    return catalogue().resolve(text), catalogue().suggestion(text)


def _code_of(text: str) -> object:
    from promptlint.sources import _code_of

    return _code_of(text)


@pytest.mark.parametrize(("func", "make"), [
    (_percent, lambda n: "%" + "0" * n + "!"),  # flags and width overlap on 0
    (_percent, lambda n: "%(" * n),  # mapping keys that never close
    (_markdown, lambda n: "`a " * n),  # code spans that never close
    (_markdown, lambda n: "``" + "`x" * n),
    (_estimate, lambda n: "word, " * n + " " * n),
    (_code_of, lambda n: "'''" + "\\'" * n + "'" * n),  # strings that never close
    (_code_of, lambda n: "#" * n + "\n" + "f'{" * n),
    (_short_answer, lambda n: "answer" + " " * n + "x"),  # whitespace around optional parts
    (_short_answer, lambda n: "Answer only" + " " * n + ": x"),
    (_short_answer, lambda n: "classify as a, " * n),
    (_short_answer, lambda n: "Classify as a" + " " * n + ", b"),
    (_structure, lambda n: "respond " * n + " JSON"),
    (_structure, lambda n: "wrap it in <a> " * n),
    (_model, lambda n: "anthropic.claude-" + "a-" * n + "x"),  # a lazy name part, difflib
], ids=["percent-zeros", "percent-keys", "backticks", "backtick-runs", "estimate",
        "unclosed-string", "unclosed-fstring", "answer-spaces", "only-spaces", "labels",
        "label-spaces", "json-demands", "tag-demands", "model-string"])
def test_text_patterns_take_linear_time(func: Callable[[str], object],
                                        make: Callable[[int], str]) -> None:
    assert _text_growth(func, make, 5_000) < 10
