"""The locator's positions equal libcst's PositionProvider for every node it is asked about."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from promptlint.resolve.positions import Locator
from promptlint.resolve.scope import build_scopes
from promptlint.resolve.walk import walk

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
