"""Property tests: `fix --unsafe-fixes` on generated requests always gives code that parses,
a second fix changes nothing, and no comment is lost.

The generator writes Messages requests the way people do: arguments in any order, dict params
through ``**``, nested f-strings, comments and odd whitespace (tabs, backslash continuations,
blank lines) between arguments, unicode in prompts and comments, CRLF line endings, a BOM, a
latin-1 coding cookie. Most examples go through :func:`promptlint.fix.loop.fix_document` (fast);
a few batches go through the command line.
"""

from __future__ import annotations

import io
import json
import os
import tokenize
from pathlib import Path

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlint.config import Config
from promptlint.fix.loop import fix_document, make_document
from promptlint.sources import decode
from tests.helpers import run_cli

ALL = Config(select=("ALL",))
SETTINGS = settings(max_examples=150, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# text that may appear in prompts and comments: any printable character, line separators
# (U+2028 is not a newline to Python, but str.splitlines() thinks so) and form feeds included
PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85")
ODD = st.sampled_from(["\u2028", "\u2029", "\x0c", "\u200b", "\ufeff", "é", "ß", "👩‍💻",
                       "ئ", "\u0301", "\t"])
LATIN1 = st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_categories=("Cc",))


@st.composite
def words(draw, latin1: bool = False, min_size: int = 0, max_size: int = 30) -> str:
    alphabet = LATIN1 if latin1 else st.one_of(PRINTABLE, ODD)
    return "".join(draw(st.lists(alphabet, min_size=min_size, max_size=max_size)))


def literal(text: str) -> str:
    return repr(text)


@st.composite
def prompt(draw, latin1: bool) -> str:
    """A prompt expression: a literal, a long static literal, an f-string (nested ones too), a
    concatenation, a variable."""
    text = draw(words(latin1))
    long_text = draw(words(latin1, max_size=5)) + "You are the support assistant. Answer " \
        "briefly. " * draw(st.sampled_from([1, 40, 120]))
    kind = draw(st.sampled_from(["literal", "long", "long", "fstring", "fstring", "nested",
                                 "dynamic_first", "concat", "name", "triple"]))
    if kind == "literal":
        return literal(text)
    if kind == "long":
        return literal(long_text + text)
    if kind == "fstring":
        return "f" + literal(text.replace("{", "{{").replace("}", "}}") + " {question}") + (
            " " + literal(long_text) if draw(st.booleans()) else "")
    if kind == "nested":
        inner = "f'{question!r:>{width}}'" if draw(st.booleans()) else 'f"{question}"'
        quote = '"' if inner.startswith("f'") else "'"
        return f"f{quote}Q: {{{inner}}} {{today}}{quote}"
    if kind == "dynamic_first":  # a per-request value in front of a long static text
        return "f" + literal("{user.name}: " + long_text.replace("{", "{{").replace("}", "}}"))
    if kind == "concat":
        return f"{literal(long_text)} + question + {literal(text)}"
    if kind == "triple":
        body = text.replace("\\", "\\\\").replace('"', "'")
        return f'"""{body}\nline two\n"""'
    return "question"


@st.composite
def messages(draw, latin1: bool) -> str:
    items = []
    for index in range(draw(st.integers(1, 3))):
        role = "user" if index % 2 == 0 else "assistant"
        content = draw(prompt(latin1))
        items.append(f'{{"role": {role!r}, "content": {content}}}')
    if draw(st.booleans()):  # a prefill, maybe ending in whitespace
        ending = draw(st.sampled_from(["", " ", "\n"]))
        items.append(f'{{"role": "assistant", "content": {literal(draw(words(latin1)) + ending)}}}')
    return "[" + ", ".join(items) + "]"


MODELS = ['"claude-3-opus-20240229"', '"claude-3-haiku-20240307"', '"claude-sonnet-4.5"',
          '"claude-sonnet-4-5"', '"claude-sonnet-5-5"', '"claude-sonnet-5-5"', '"claude-opus-5"',
          '"claude-opus-4-6"', "MODEL", '"claude-haiku-4-5"', "model_name"]


@st.composite
def arguments(draw, latin1: bool) -> list[str]:
    args = {
        "model": "model=" + draw(st.sampled_from(MODELS)),
        "max_tokens": "max_tokens=" + draw(st.sampled_from(
            ["1024", "500_000", "64000", "200000", "10", "limit", "2 ** 20"])),
        "messages": "messages=" + draw(messages(latin1)),
        "system": "system=" + draw(prompt(latin1)),
        "temperature": "temperature=" + draw(st.sampled_from(["0.2", "1", "temp"])),
        "top_p": "top_p=0.9",
        "top_k": "top_k=5",
        "stream": "stream=" + draw(st.sampled_from(["True", "False"])),
        "metadata": 'metadata={"user_id": "u-1"}',
        "thinking": 'thinking={"type": "enabled", "budget_tokens": '
                    + draw(st.sampled_from(["512", "2048", "100000"])) + "}",
        "splat_dict": "**{" + draw(st.sampled_from(['"temperature": 0.5', '"top_k": 3',
                                                     '"max_tokens": 99', ""])) + "}",
        "splat_name": "**params",
    }
    keys = draw(st.lists(st.sampled_from(sorted(args)), unique=True, min_size=1, max_size=8))
    if "system" not in keys and draw(st.booleans()):
        keys.append("system")
    if "messages" not in keys and draw(st.booleans()):
        keys.append("messages")
    # any order: keyword arguments may follow ** in a call
    return [args[k] for k in draw(st.permutations(keys))]


@st.composite
def separator(draw, latin1: bool, indent: str) -> str:
    """What comes after an argument's comma: spaces, tabs, a continuation, comments, blank
    lines."""
    comment = "# " + draw(words(latin1, max_size=12))
    return draw(st.sampled_from([
        " ", "", "\t", "   ", "\n" + indent, " \\\n" + indent, "\n\n" + indent,
        f"  {comment}\n" + indent, f"\n{indent}{comment}\n" + indent, f"\n{comment}\n" + indent,
        f"\t{comment}\n\n" + indent,
    ]))


@st.composite
def spaced(draw, arg: str, latin1: bool, indent: str) -> str:
    """``name=value`` written another legal way: spaces around `=`, the value in brackets,
    a comment inside those brackets."""
    if arg.startswith("**"):
        return arg
    name, value = arg.split("=", 1)
    comment = "# " + draw(words(latin1, max_size=8))
    return draw(st.sampled_from([
        f"{name}={value}", f"{name} = {value}", f"{name}=\t{value}", f"{name}=({value})",
        f"{name}=(  {comment}\n{indent}    {value}\n{indent})",
        f"{name}=(\n{indent}    {value}  {comment}\n{indent})",
    ]))


@st.composite
def module(draw) -> tuple[bytes, str]:
    """A whole file: (bytes, encoding)."""
    latin1 = draw(st.booleans()) and draw(st.booleans())
    unit = draw(st.sampled_from(["    ", "\t", "  "]))
    place = draw(st.sampled_from(["module", "function", "method", "async"]))
    depth = {"module": 0, "function": 1, "method": 2, "async": 1}[place]
    indent = unit * depth
    arg_indent = indent + draw(st.sampled_from([unit, unit * 2, "\t" if unit != "\t" else unit]))
    args = draw(arguments(latin1))
    parts = []
    for index, arg in enumerate(args):
        arg = draw(spaced(arg, latin1, arg_indent))
        last = index == len(args) - 1
        parts.append(arg + ("," if not last or draw(st.booleans()) else ""))
        parts.append(draw(separator(latin1, arg_indent)) if not last else draw(
            st.sampled_from(["", "\n" + indent, "  # end\n" + indent])))
    receiver = draw(st.sampled_from(["client.messages.create", "client.beta.messages.create",
                                     "client.messages.stream", "client.messages.count_tokens",
                                     "client.messages.with_raw_response.create"]))
    opening = draw(st.sampled_from(["(", "(\n" + arg_indent, "(  # call\n" + arg_indent]))
    call = f"{receiver}{opening}{''.join(parts)})"
    header_comment = "# " + draw(words(latin1, max_size=20))
    lines = [header_comment, "import anthropic", "",
             "client = anthropic." + ("AsyncAnthropic()" if place == "async" else "Anthropic()"),
             'MODEL = "claude-3-opus-20240229"', "params = {}", "limit = 4096", "temp = 0.5",
             "model_name = MODEL", "width = 10", "today = 'Monday'", ""]
    if place == "module":
        lines += ["question = 'why?'", f"reply = {call}"]
    elif place == "function":
        lines += ["def ask(question, user=None):", f"{indent}return {call}"]
    elif place == "async":
        lines += ["async def ask(question, user=None):", f"{indent}return await {call}"]
    else:
        lines += ["class Bot:", f"{unit}def ask(self, question, user=None):",
                  f"{indent}return {call}"]
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\n# trailing\n"]))
    encoding = "latin-1" if latin1 else "utf-8"
    if latin1:
        text = "# -*- coding: latin-1 -*-\n" + text
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode(encoding)
    if not latin1 and draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data, encoding


def comments(text: str) -> list[str]:
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            found.append(token.string)
    return sorted(found)


def assert_contains_all(before: list[str], after: list[str]) -> None:
    remaining = list(after)
    for comment in before:
        assert comment in remaining, f"lost comment {comment!r}"
        remaining.remove(comment)


def fixed_bytes(data: bytes) -> tuple[bytes, list[str]]:
    outcome = fix_document(make_document(decode(data)), "gen.py", ALL, unsafe=True)
    return (outcome.data if outcome.data is not None else data), outcome.problems


def check_fix_properties(data: bytes, encoding: str) -> None:
    source = decode(data)
    compile(source.text, "<input>", "exec", dont_inherit=True)  # the generator is sound
    output, problems = fixed_bytes(data)
    assert not any("converge" in p for p in problems), problems
    # keeps BOM, encoding and line endings
    assert output.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    fixed = decode(output)
    assert fixed.encoding == source.encoding
    if b"\r\n" in data:
        assert b"\n" not in output.replace(b"\r\n", b"")
    # parses (both parsers)
    cst.parse_module(fixed.text)
    compile(fixed.text, "<fixed>", "exec", dont_inherit=True)
    # a second fix changes nothing
    again, _ = fixed_bytes(output)
    assert again == output
    # no comment lost
    assert_contains_all(comments(source.text), comments(fixed.text))


@SETTINGS
@given(module())
def test_fix_output_parses_is_idempotent_and_keeps_comments(generated) -> None:
    check_fix_properties(*generated)


@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(st.lists(module(), min_size=12, max_size=12))
def test_fix_through_the_cli(tmp_path_factory, batch) -> None:
    root = tmp_path_factory.mktemp("generated")
    (root / "pyproject.toml").write_text('[tool.promptlint]\nselect = ["ALL"]\n')
    for index, (data, _) in enumerate(batch):
        (root / f"gen_{index:02}.py").write_bytes(data)
    proc = run_cli("fix", "--unsafe-fixes", "--exit-zero", ".", cwd=root)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr
    for index, (data, _) in enumerate(batch):
        output = (root / f"gen_{index:02}.py").read_bytes()
        assert output == fixed_bytes(data)[0]  # the CLI writes what the library computes
        fixed = decode(output)
        compile(fixed.text, "<fixed>", "exec", dont_inherit=True)
        assert_contains_all(comments(decode(data).text), comments(fixed.text))
    again = run_cli("fix", "--unsafe-fixes", "--diff", ".", cwd=root)
    assert again.returncode == 0 and again.stdout == "", again.stdout[:2000]
    assert not [p for p in root.iterdir() if p.name.endswith(".promptlint-tmp")]


@settings(max_examples=40, deadline=None)
@given(st.lists(module(), min_size=1, max_size=4))
def test_notebook_fix_properties(batch) -> None:
    """The same requests as notebook cells: the notebook stays valid JSON, outputs and
    metadata stay, every cell still parses and a second fix changes nothing."""
    cells = []
    for data, _ in batch:
        text = decode(data).text.replace("\r\n", "\n")
        if "# -*- coding" in text:
            continue
        cells.append({"cell_type": "code", "execution_count": None, "metadata": {"k": 1},
                      "outputs": [{"output_type": "stream", "name": "stdout", "text": ["x"]}],
                      "source": text.splitlines(keepends=True)})
        cells.append({"cell_type": "markdown", "metadata": {}, "source": ["# notes ñ"]})
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    data = json.dumps(notebook, indent=1).encode()
    from promptlint.sources import read_notebook

    outcome = fix_document(make_document(read_notebook(data)), "nb.ipynb", ALL, unsafe=True)
    output = outcome.data or data
    fixed = json.loads(output)
    assert len(fixed["cells"]) == len(cells)
    for before, after in zip(cells, fixed["cells"], strict=True):
        assert {k: v for k, v in before.items() if k != "source"} == {
            k: v for k, v in after.items() if k != "source"}
        if after["cell_type"] == "code":
            source = "".join(after["source"])
            compile(source, "<cell>", "exec", dont_inherit=True, flags=0x2000)  # top-level await
            assert_contains_all(comments("".join(before["source"])), comments(source))
    again = fix_document(make_document(read_notebook(output)), "nb.ipynb", ALL, unsafe=True)
    assert again.data is None


def test_generator_covers_the_interesting_shapes() -> None:
    """Sanity: the generator does produce fixable requests, CRLF, BOM and latin-1 files, comments
    between arguments and nested f-strings (a fixed, derandomized sample: no flakiness)."""
    wanted = {
        "a fix": lambda g: fixed_bytes(g[0])[0] != g[0],
        "CRLF": lambda g: b"\r\n" in g[0],
        "a BOM": lambda g: g[0].startswith(b"\xef\xbb\xbf"),
        "latin-1": lambda g: g[1] == "latin-1",
        "a comment between arguments": lambda g: b",  #" in g[0] or b",\t#" in g[0],
        "a nested f-string": lambda g: b"f'{question!r" in g[0],
    }
    seen: set[str] = set()

    @settings(max_examples=200, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(module())
    def sample(generated) -> None:
        seen.update(what for what, condition in wanted.items() if condition(generated))

    sample()
    assert seen == set(wanted), set(wanted) - seen
    assert os.environ.get("PROMPTLINT_NO_USER_CATALOGUE") == "1"


def test_helpers_find_comments() -> None:
    assert comments("x = 1  # a\n# b\ns = '# not a comment'\n") == ["# a", "# b"]
    assert Path(__file__).name == "test_properties.py"
