"""Facts a request carries, each derived once: thinking, prefill, cache markers, per-item
loops, and where findings point."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from promptlint.models import catalogue
from promptlint.resolve.analysis import find_requests
from tests.helpers import run_cli


def _request(body: str, setup: str = ""):
    code = textwrap.dedent(f"""\
        import anthropic
        client = anthropic.Anthropic()
        {setup}
        client.messages.create({body})
        """)
    (request,) = find_requests(cst.parse_module(code))
    return request


def test_thinking_mode_budget_and_whether_it_is_on() -> None:
    model = catalogue().get("claude-sonnet-4-5-20250929")
    manual = _request('model="m", thinking={"type": "enabled", "budget_tokens": 2048}')
    assert manual.thinking.mode == "enabled" and manual.thinking.budget == 2048
    assert manual.thinking.on(model) and manual.thinking.may_be_on(model)
    off = _request('model="m", thinking={"type": "disabled"}')
    assert off.thinking.typed and not off.thinking.on(None) and off.thinking.budget is None
    unknown = _request("model='m', thinking=config")
    assert unknown.thinking.written and not unknown.thinking.typed
    assert unknown.thinking.on(None)  # written but unknown: may think
    absent = _request("model='m'")
    assert not absent.thinking.written
    assert not absent.thinking.on(None) and absent.thinking.may_be_on(None)


def test_prefill_is_the_final_assistant_message() -> None:
    req = _request('messages=[{"role": "user", "content": "Hi"}, '
                   '{"role": "assistant", "content": [{"type": "text", "text": "<a>"}]}]')
    assert req.prefill is not None and req.prefill.text is not None
    assert req.prefill.text.known_str() == "<a>"
    assert _request('messages=[{"role": "user", "content": "Hi"}]').prefill is None
    assert _request('messages=[*history, {"role": "assistant", "content": "x"}]').prefill is None


def test_cache_markers_are_on_blocks_and_at_the_top_level_only() -> None:
    req = _request(
        'system=[{"type": "text", "text": "S", "cache_control": {"type": "ephemeral"}}], '
        'messages=[{"role": "user", "content": "Q", "cache_control": {"type": "ephemeral"}}, '
        '{"role": "user", "content": [{"type": "text", "text": "R", '
        '"cache_control": {"type": "ephemeral"}}]}], cache_control={"type": "ephemeral"}')
    prompt = req.prompt()
    # the marker on the first message dict is not a breakpoint: the API reads it on blocks
    assert [prompt.blocks[i].section for i in prompt.markers] == ["system", "messages"]
    assert prompt.breakpoints == 3
    assert prompt.last_cached() == len(prompt.blocks) - 1


def test_breakpoint_count_agrees_with_the_prompt(lint) -> None:
    marker = '"cache_control": {"type": "ephemeral"}'
    messages = ", ".join(f'{{"role": "user", "content": "q{i}", {marker}}}' for i in range(5))
    code = textwrap.dedent(f"""\
        import anthropic
        client = anthropic.Anthropic()
        client.messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=[{messages}])
        """)
    assert "PRL501" not in {f.code for f in lint(code)}  # message-level markers: none
    blocks = ", ".join(f'{{"type": "text", "text": "s{i}", {marker}}}' for i in range(5))
    code = code.replace("messages=[", f"system=[{blocks}], messages=[", 1)
    (finding,) = [f for f in lint(code) if f.code == "PRL501"]
    assert finding.message.startswith("5 cache_control breakpoints in one request (5 in system)")


def test_replace_starts_without_the_computed_facts() -> None:
    req = _request('model="m", messages=[{"role": "user", "content": "Hi"}]')
    first = req.prompt()
    assert req.prompt() is first  # computed once
    params = dict(req.params)
    del params["messages"]
    copy = dataclasses.replace(req, params=params)
    assert copy.prompt() is not first and not copy.prompt().blocks


def test_per_item_loop() -> None:
    code = textwrap.dedent("""\
        import anthropic
        client = anthropic.Anthropic()
        out = []
        for doc in docs:
            out.append(client.messages.create(model="m", messages=[{"role": "user",
                                                                     "content": doc}]))
        for doc in docs:
            client.messages.create(model="m", messages=[{"role": "user", "content": "same"}])
        """)
    per_item, constant = find_requests(cst.parse_module(code))
    assert isinstance(per_item.per_item_loop(), cst.Name)
    assert constant.per_item_loop() is None


def test_at_points_at_a_parameter_or_the_call() -> None:
    req = _request('model=MODEL, max_tokens=5', setup='MODEL = "m"')
    assert req.at().node is req.anchor
    at = req.at("model", "model defined here")
    assert at.node is req.arg("model").node
    assert [message for _, message, *_ in at.related] == ["model defined here"]
    assert req.at("max_tokens", "max_tokens defined here").related == ()
    assert req.at("system").node is req.anchor  # not passed: the call


HOUR = '{"type": "ephemeral", "ttl": "1h"}'
FIVE = '{"type": "ephemeral"}'


@pytest.mark.parametrize(("where", "ttl"), [
    (f'system=[{{"type": "text", "text": "Be terse.", "cache_control": {HOUR}}}]', 3600),
    (f'system=[{{"type": "text", "text": "Be terse.", "cache_control": {FIVE}}}]', 300),
    (f'cache_control={HOUR}', 3600),
    (f'tools=[{{"name": "t", "input_schema": {{}}, "cache_control": {HOUR}}}]', 3600),
    # a text block inside a tool_result's content is a content block too
    ('messages=[{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "x", '
     f'"content": [{{"type": "text", "text": "42", "cache_control": {HOUR}}}]}}]}}]', 3600),
    # the API takes no marker on a message itself: it sets no lifetime
    (f'messages=[{{"role": "user", "content": "hi", "cache_control": {HOUR}}}]', 300),
])
def test_cache_lifetime_is_read_from_the_prompts_markers(tmp_path: Path, where: str,
                                                           ttl: int) -> None:
    messages = '' if where.startswith("messages=") else (
        'messages=[{"role": "user", "content": "hi"}], ')
    (tmp_path / "app.py").write_text(
        "import anthropic\n\nclient = anthropic.Anthropic()\n"
        f'client.messages.create(model="claude-opus-5-5", max_tokens=100, {messages}{where})\n')
    proc = run_cli("tokens", "--output-format", "json", "app.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [row["cache_ttl"] for row in json.loads(proc.stdout)] == [ttl]


def test_a_marker_inside_a_tool_result_marks_its_block() -> None:
    prompt = _request(
        'model="m", max_tokens=1, messages=[{"role": "user", '
        '"content": [{"type": "tool_result", "tool_use_id": "x", "content": [{"type": "text", '
        '"text": "42", "cache_control": {"type": "ephemeral"}}]}]}]').prompt()
    assert prompt.breakpoints == 1 and prompt.last_cached() == 0
