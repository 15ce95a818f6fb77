"""Rule documentation: the Markdown files in ``rules/`` (shipped as package data)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from promptlint.rules.base import Rule


def doc_filename(rule: type[Rule]) -> str:
    return f"{rule.code}-{rule.name}.md"


def _candidates(rule: type[Rule]) -> list[Path]:
    name = doc_filename(rule)
    out = []
    packaged = resources.files("promptlint").joinpath("docs", name)
    out.append(Path(str(packaged)))
    out.append(Path(__file__).resolve().parent.parent / "rules" / name)
    return out


def rule_doc(rule: type[Rule]) -> str:
    for path in _candidates(rule):
        if path.is_file():
            return path.read_text("utf-8")
    return f"# {rule.code} {rule.name}\n\n{rule.message}\n"
