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


def summary(rule: type[Rule]) -> str:
    """The first sentence of the doc's "What it does" section."""
    text = rule_doc(rule)
    marker = "## What it does"
    if marker not in text:
        return ""
    body = text.split(marker, 1)[1].strip().split("\n\n", 1)[0]
    return " ".join(body.split())


def render_index() -> str:
    """rules/README.md, rendered from the docs with Jinja2."""
    import jinja2

    from promptlint.rules import ALL_RULES

    template_text = (
        resources.files("promptlint").joinpath("report", "templates", "rules_index.md.j2")
        .read_text("utf-8")
    )
    rows = [
        {
            "code": r.code, "name": r.name, "file": doc_filename(r), "severity": r.severity,
            "fix": {"always": "yes", "sometimes": "sometimes", "display-only": "advice only",
                    "none": "no"}[r.fix_availability],
            "default": "on" if r.default_enabled else "opt-in",
            "summary": summary(r).replace("|", "\\|"),
        }
        for r in ALL_RULES
    ]
    template = jinja2.Environment(keep_trailing_newline=True).from_string(template_text)
    return template.render(rules=rows)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    index = Path(__file__).resolve().parent.parent / "rules" / "README.md"
    index.write_text(render_index(), encoding="utf-8")
    print(f"wrote {index}")
