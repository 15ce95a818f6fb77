"""Rule documentation: the Markdown files in ``rules/`` (shipped as package data), their
header line, and their executable examples (```py blocks with ``# error: [CODE]`` markers,
run by the tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from promptlint.rules.base import FixAvailability, Rule


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


_FIX_LINE = re.compile(r"\*\*Fix:\*\* (?P<fix>[^(\n]*)")


def documented_fix(rule: type[Rule]) -> FixAvailability | None:
    """The availability the doc's header line states (``**Fix:** unsafe, sometimes (...)``):
    ``none``, ``display-only``, a safety followed by ``sometimes``, else always."""
    found = _FIX_LINE.search(rule_doc(rule))
    if found is None:
        return None
    words = [w.strip() for w in found.group("fix").split(",")]
    if words[0] in ("none", "display-only"):
        return FixAvailability(words[0])
    return FixAvailability.SOMETIMES if "sometimes" in words else FixAvailability.ALWAYS


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
            "fix": {FixAvailability.ALWAYS: "yes", FixAvailability.SOMETIMES: "sometimes",
                    FixAvailability.DISPLAY_ONLY: "advice only",
                    FixAvailability.NONE: "no"}[r.fix_availability],
            "default": "on" if r.default_enabled else "opt-in",
            "summary": summary(r).replace("|", "\\|"),
        }
        for r in ALL_RULES
    ]
    template = jinja2.Environment(keep_trailing_newline=True).from_string(template_text)
    return template.render(rules=rows)


# ---- executable examples -------------------------------------------------------------------
# The project's own rule docs (never a user's file); _MARKER is anchored at the line's end.
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"\s*# error: \[(?P<codes>[A-Z0-9, ]+)\]\s*$")


@dataclass
class Block:
    code: str  # the source with markers removed
    expected: set[tuple[int, str]] = field(default_factory=set)  # (line, code)
    fixed: str | None = None  # the ```py fixed block that follows, if any
    unsafe: bool = True  # fixed blocks are produced with --unsafe-fixes unless "safe" is given
    line: int = 0  # where the block starts in the doc


def blocks(markdown: str) -> list[Block]:
    out: list[Block] = []
    for match in _FENCE.finditer(markdown):
        info = match.group("info").split()
        if not info or info[0] != "py":
            continue
        body = match.group("body")
        if len(info) > 1 and info[1] == "fixed":
            if out and out[-1].fixed is None:
                out[-1].fixed = body
                out[-1].unsafe = "safe" not in info[2:]
            continue
        expected: set[tuple[int, str]] = set()
        lines = []
        for number, line in enumerate(body.split("\n"), start=1):
            marker = _MARKER.search(line)
            if marker:
                for code in marker.group("codes").split(","):
                    expected.add((number, code.strip()))
                line = line[: marker.start()]
            lines.append(line)
        start = markdown.count("\n", 0, match.start()) + 1
        out.append(Block("\n".join(lines), expected, line=start))
    return out


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    index = Path(__file__).resolve().parent.parent / "rules" / "README.md"
    index.write_text(render_index(), encoding="utf-8")
    print(f"wrote {index}")
