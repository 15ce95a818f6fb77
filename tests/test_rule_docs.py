"""Every rule has one doc; every ```py example in it runs as a test (DESIGN.md §4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptlint.config import Config
from promptlint.lint import lint_source
from promptlint.ruledocs import blocks, doc_filename
from promptlint.rules import ALL_RULES
from promptlint.rules.base import FixAvailability
from promptlint.sources import decode

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "rules"
REQUIRED_SECTIONS = (
    "## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety",
    "## References",
)


def doc_files() -> list[Path]:
    return sorted(p for p in DOCS.glob("PRL*.md"))


def test_each_rule_has_exactly_one_doc() -> None:
    names = {doc_filename(rule) for rule in ALL_RULES}
    on_disk = {p.name for p in doc_files()}
    assert names == on_disk
    codes = [rule.code for rule in ALL_RULES]
    assert len(codes) == len(set(codes)), "rule codes must be unique"
    assert len({rule.name for rule in ALL_RULES}) == len(ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_doc_has_sections_and_examples(rule) -> None:
    text = (DOCS / doc_filename(rule)).read_text("utf-8")
    assert text.startswith(f"# {rule.code}: {rule.name}\n")
    for section in REQUIRED_SECTIONS:
        assert section in text, f"{rule.code} doc lacks {section!r}"
    examples = blocks(text)
    assert any(rule.code in {c for _, c in b.expected} for b in examples), (
        f"{rule.code} doc has no example that triggers it"
    )
    assert any(not b.expected for b in examples), f"{rule.code} doc has no clean example"


def _cases():
    for path in doc_files():
        for index, block in enumerate(blocks(path.read_text("utf-8"))):
            yield pytest.param(path, block, id=f"{path.stem.split('-')[0]}-block{index}")


@pytest.mark.parametrize(("path", "block"), list(_cases()))
def test_doc_example(path: Path, block) -> None:
    config = Config(select=("ALL",), root=ROOT)
    result = lint_source(f"{path.name}:{block.line}", decode(block.code.encode()), config)
    assert result.problem is None, result.problem
    found = {(f.line, f.code) for f in result.findings}
    assert found == block.expected, (
        f"{path.name} block at line {block.line}: expected {sorted(block.expected)}, "
        f"found {sorted(found)}: " + "; ".join(f.message for f in result.findings)
    )
    if block.fixed is not None:
        from promptlint.fix.loop import fix_text

        outcome = fix_text(block.code, config, unsafe=block.unsafe)
        assert outcome.text == block.fixed, (
            f"{path.name} block at line {block.line}: fix produced\n{outcome.text}"
        )


def test_rules_index_is_fresh() -> None:
    """rules/README.md is rendered from the docs: run `python -m promptlint.ruledocs`."""
    from promptlint.ruledocs import render_index

    assert (DOCS / "README.md").read_text("utf-8") == render_index()


def test_light_rule_table_matches_the_rules() -> None:
    from promptlint.ruleset import RULES

    assert RULES == tuple((r.code, r.name, r.default_enabled) for r in ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_doc_fix_line_matches_the_rule(rule) -> None:
    """The doc's ``**Fix:**`` line states the availability the rule declares."""
    from promptlint.ruledocs import documented_fix

    assert isinstance(rule.fix_availability, FixAvailability)
    assert documented_fix(rule) == rule.fix_availability


def test_listing_the_rules_imports_no_libcst() -> None:
    """`promptlint rules` and configuration checks load the rules without the parser."""
    import subprocess
    import sys

    script = ("import sys\nfrom promptlint.cli import main\nsys.argv = ['promptlint', 'rules']\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "from promptlint.config import Config\nConfig(select=('ALL',))\n"
              "print('libcst' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert "PRL505" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "False"
