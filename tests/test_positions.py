"""The locator's positions equal libcst's PositionProvider for every node it is asked about."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from promptlint.syntax.positions import Locator
from promptlint.syntax.scope import build_scopes
from promptlint.syntax.walk import walk

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "examples").rglob("*.py"))
SOURCES += sorted((ROOT / "promptlint").rglob("*.py"))[:15]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_locator_matches_position_provider(path: Path) -> None:
    text = path.read_text()
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    scopes = build_scopes(module)
    locator = Locator(module, text, scopes.statement_of)
    checked = 0
    for node in walk(module):
        if isinstance(node, cst.Module):
            continue
        found = locator.get(node)
        assert found == expected[node], (type(node).__name__, cst.Module([]).code_for_node(node))
        checked += 1
    assert checked or not module.body


def test_crlf_and_leading_comments() -> None:
    text = ("# header\r\n\r\nimport anthropic\r\n\r\n\r\n# about f\r\ndef f():\r\n"
            "    x = 1\r\n    return x\r\n")
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    locator = Locator(module, text, build_scopes(module).statement_of)
    for node in walk(module):
        if not isinstance(node, cst.Module):
            assert locator.get(node) == expected[node]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_arguments_found_by_text_match_position_provider(path: Path) -> None:
    """Asked first (before any statement is regenerated), expressions and arguments are
    placed by text search where it is unambiguous: the same spans as libcst's."""
    text = path.read_text()
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    statement_of = build_scopes(module).statement_of
    body = ast.parse(text).body
    found_by_text = 0
    for node in walk(module):
        if isinstance(node, (cst.Arg, cst.BaseExpression)) and (
                expected[node].start.line == expected[node].end.line):  # (others: codegen)
            found = Locator(module, text, statement_of, body)._by_text(node)
            if found is not None:
                assert found == expected[node], cst.Module([]).code_for_node(node)
                found_by_text += 1
    assert found_by_text or not module.body


def test_star_and_keyword_argument_shapes() -> None:
    text = ("import anthropic\nPARAMS = {}\nclient = anthropic.Anthropic()\n"
            "client.messages.create(**PARAMS, model = 'm')\n"
            "client.messages.create(** PARAMS)\nclient.messages.create(**(PARAMS))\n"
            "f(*args, *  more, key=\n    PARAMS, other=(PARAMS))\n")
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    statement_of = build_scopes(module).statement_of
    args = [n for n in walk(module) if isinstance(n, cst.Arg)]
    assert len(args) == 8
    for node in args:
        assert Locator(module, text, statement_of).get(node) == expected[node]
