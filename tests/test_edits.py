"""The helpers fixes build their code with (no rule writes code as a string)."""

from __future__ import annotations

import libcst as cst

from promptlint import edits


def _expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def test_render_keeps_the_node_as_written() -> None:
    assert edits.render(_expr("f(a,  b)")) == "f(a,  b)"


def test_literals_follow_the_old_literal_style() -> None:
    assert edits.render(edits.literal("claude-x", like=_expr("'old'"))) == "'claude-x'"
    assert edits.render(edits.literal("it's")) == '"it\'s"'
    assert edits.render(edits.literal(128000, like=_expr("200_000"))) == "128_000"
    assert edits.render(edits.literal(4096, like=_expr("8192"))) == "4096"


def test_keyword_and_dict_item() -> None:
    assert edits.keyword("max_tokens", edits.literal(1024)) == "max_tokens=1024"
    assert edits.dict_item("max_tokens", edits.literal(5), like=_expr("'model'")) == (
        "'max_tokens': 5")
    assert edits.dict_item("cache_control", edits.ephemeral()) == (
        '"cache_control": {"type": "ephemeral"}')


def test_a_cached_text_block_and_a_list_of_blocks() -> None:
    code = edits.blocks(edits.text_block(_expr("STATIC"), cached=True),
                        edits.text_block(_expr("f'{user}'")))
    assert code == ('[{"type": "text", "text": STATIC, "cache_control": {"type": "ephemeral"}}, '
                    '{"type": "text", "text": f\'{user}\'}]')
    assert cst.parse_expression(code)  # valid Python


def test_split_an_f_string_at_its_last_varying_hole() -> None:
    def varies(expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Name) and expr.value == "now"

    head, tail = edits.split_at_last_hole(_expr('f"Today is {now}. {NAME} rules: be brief"'),
                                          varies)
    assert (edits.render(head), edits.render(tail)) == (
        'f"Today is {now}"', 'f". {NAME} rules: be brief"')
    assert edits.split_at_last_hole(_expr('f"rules {now}"'), varies) is None  # nothing after
    assert edits.split_at_last_hole(_expr('f"{NAME} rules"'), varies) is None  # nothing varies


def test_split_a_sum_at_its_last_varying_operand() -> None:
    def varies(expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Name) and expr.value == "user"

    head, tail = edits.split_at_last_hole(_expr('"Hi " + user + RULES + "end"'), varies)
    assert (edits.render(head), edits.render(tail)) == ('"Hi " + user', 'RULES + "end"')
    assert edits.split_at_last_hole(_expr("RULES + user"), varies) is None
    assert edits.split_at_last_hole(_expr("user + (\n    RULES\n)"), varies) is None  # lines
