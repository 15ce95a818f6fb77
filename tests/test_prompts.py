"""Prompt reconstruction: static text and dynamic holes from every source promptlint follows."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from promptlint.lint import find_requests
from promptlint.resolve.external import Project


def prompt_of(code: str, tmp_path: Path | None = None, name: str = "app.py", index: int = 0):
    root = tmp_path or Path.cwd()
    path = root / name
    code = textwrap.dedent(code)
    if tmp_path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
    requests = find_requests(cst.parse_module(code), path, Project(root))
    return requests[index].prompt()


def shape(text) -> list[str]:
    """Segments as strings: static text as is, holes as <description>."""
    return [s.text if not s.is_hole else f"<{s.hole}>" for s in text.segments]


HEAD = """
import anthropic
client = anthropic.Anthropic()
"""


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ('"Be " "brief."', ["Be brief."]),
        ('f"Hello {user.name}, today is {day}."',
         ["Hello ", "<{user.name}>", ", today is ", "<{day}>", "."]),
        ('"Rules: " + RULES + "\\nUser: " + name', ["Rules: be kind\nUser: ", "<name>"]),
        ('"Tone: %s. Name: %s" % (TONE, name)', ["Tone: warm. Name: ", "<%s>"]),
        ('"Tone: {}. Name: {n}".format(TONE, n=name)', ["Tone: warm. Name: ", "<{n}>"]),
        ('"\\n".join([RULES, TONE])', ["be kind\nwarm"]),
        ('textwrap.dedent("""\\n    a\\n      b\\n    """).strip()', ["a\n  b"]),
        ('inspect.cleandoc(f"""\\n    Hi {name}\\n    Bye\\n    """)',
         ["Hi ", "<{name}>", "\nBye"]),
        ("Prompts.SYSTEM", ["class attribute"]),
        ("build()", ["built by a helper"]),
        ("question", ["<question>"]),
    ],
)
def test_system_prompt_sources(system: str, expected: list[str]) -> None:
    code = HEAD + textwrap.dedent("""
    import inspect
    import textwrap
    RULES = "be kind"
    TONE = "warm"
    class Prompts:
        SYSTEM = "class attribute"
    def build():
        return "built by a " + "helper"
    def ask(question, user, day, name):
        return client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                                      system=SYSTEM_EXPR, messages=[])
    """).replace("SYSTEM_EXPR", system)
    blocks = prompt_of(code).section("system")
    assert [shape(b.text) for b in blocks] == [expected]


def test_cache_order_and_markers() -> None:
    code = HEAD + textwrap.dedent("""
    TOOLS = [{"name": "lookup", "description": "Find an order", "input_schema": {"type": "object"}}]
    def ask(question):
        history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
        return client.messages.create(
            model="claude-sonnet-5-5", max_tokens=10, tools=TOOLS,
            system=[{"type": "text", "text": "Static.", "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": f"User: {question}"}],
            messages=[*history, {"role": "user", "content": [
                {"type": "image", "source": {}}, {"type": "text", "text": question}]}],
        )
    """)
    prompt = prompt_of(code)
    assert [(b.section, b.cache_control) for b in prompt.blocks] == [
        ("tools", False), ("system", True), ("system", False),
        ("messages", False), ("messages", False), ("messages", False), ("messages", False),
    ]
    assert prompt.blocks[0].text.static_text().startswith('{"name": "lookup"')
    assert shape(prompt.blocks[5].text) == ["<image block>"]
    prefix, touched = prompt.static_prefix()
    assert prefix.endswith("Static.User: ") and len(touched) == 3


def test_list_appended_in_scope_keeps_known_prefix_and_is_open() -> None:
    code = HEAD + textwrap.dedent("""
    def ask(question):
        messages = [{"role": "user", "content": "Context"}]
        messages.append({"role": "user", "content": question})
        return client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                                      messages=messages)
    """)
    prompt = prompt_of(code)
    assert [shape(b.text) for b in prompt.blocks] == [["Context"], ["<more messages>"]]


def test_cross_module_constant(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "prompts.py").write_text(
        'from app.shared import TONE\nSYSTEM = "You are helpful. " + TONE\n')
    (tmp_path / "app" / "shared.py").write_text('TONE = "Be warm."\n')
    for line in ("from .prompts import SYSTEM", "from app.prompts import SYSTEM",
                 "from app import prompts\nSYSTEM = prompts.SYSTEM",
                 "import app.prompts as p\nSYSTEM = p.SYSTEM"):
        code = HEAD + line + textwrap.dedent("""
        client.messages.create(model="claude-sonnet-5-5", max_tokens=10, system=SYSTEM,
                               messages=[])
        """)
        prompt = prompt_of(code, tmp_path, "app/bot.py")
        assert shape(prompt.blocks[0].text) == ["You are helpful. Be warm."], line


def test_prompt_files(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "system.md").write_text("# Policy\nAlways cite.\n")
    cases = [
        'Path(__file__).parent / "prompts" / "system.md"',
        'Path(__file__).with_name("x") and None or Path(__file__).parent / "prompts/system.md"',
        'os.path.join(os.path.dirname(__file__), "prompts", "system.md")',
        '"prompts/system.md"',
    ]
    for expr in cases[:1] + cases[2:]:
        code = HEAD + textwrap.dedent(f"""
        import os
        from pathlib import Path
        SYSTEM = open({expr}).read()
        OTHER = Path({expr}).read_text(encoding="utf-8")
        client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                               system=SYSTEM + OTHER, messages=[])
        """)
        prompt = prompt_of(code, tmp_path)
        assert shape(prompt.blocks[0].text) == ["# Policy\nAlways cite.\n" * 2], expr


def test_with_open_read(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("From a file.")
    code = HEAD + textwrap.dedent("""
    with open("p.txt") as handle:
        SYSTEM = handle.read()
    client.messages.create(model="claude-sonnet-5-5", max_tokens=10, system=SYSTEM, messages=[])
    """)
    assert shape(prompt_of(code, tmp_path).blocks[0].text) == ["From a file."]


def test_missing_binary_and_huge_prompt_files_are_holes(tmp_path: Path) -> None:
    (tmp_path / "bin.md").write_bytes(b"\x00\x01\x02")
    (tmp_path / "huge.md").write_bytes(b"a" * (2 * 1024 * 1024))
    for name in ("missing.md", "bin.md", "huge.md"):
        code = HEAD + textwrap.dedent(f"""
        from pathlib import Path
        client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                               system=(Path(__file__).parent / "{name}").read_text(),
                               messages=[])
        """)
        assert shape(prompt_of(code, tmp_path).blocks[0].text) == [f"<contents of {name}>"]


def test_jinja_templates(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.j2").write_text(
        "Date: {{ today }}\n{% include 'rules.j2' %}{% if vip %}VIP{% endif %}Bye {{ name }}")
    (templates / "rules.j2").write_text("Rule one.\n")
    code = HEAD + textwrap.dedent("""
    from jinja2 import Environment, FileSystemLoader, Template
    env = Environment(loader=FileSystemLoader("templates"))
    def ask(today, vip):
        system = env.get_template("base.j2").render(today=today, vip=vip, name="Ann")
        client.messages.create(model="claude-sonnet-5-5", max_tokens=10, system=system,
                               messages=[{"role": "user",
                                          "content": Template("Q: {{ q }}").render(q="why")}])
    """)
    prompt = prompt_of(code, tmp_path)
    # (Jinja drops a template file's final newline, as it does when rendering)
    assert shape(prompt.blocks[0].text) == [
        "Date: ", "<{{ today }}>", "\nRule one.", "<{% if %}>", "Bye Ann"]
    assert shape(prompt.blocks[1].text) == ["Q: why"]


def test_broken_template_is_a_hole_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "bad.j2").write_text("Hello {% if %}")
    code = HEAD + textwrap.dedent("""
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"))
    client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                           system=env.get_template("bad.j2").render(), messages=[])
    """)
    project = Project(tmp_path)
    module = cst.parse_module(code)
    request = find_requests(module, tmp_path / "app.py", project)[0]
    assert shape(request.prompt().blocks[0].text) == ["<template bad.j2>"]
    assert len(project.warnings) == 1 and "bad.j2:1: syntax error" in project.warnings[0]
