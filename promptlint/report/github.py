"""GitHub Actions workflow commands (GitHub shows at most 10 annotations of a kind per step)."""

from __future__ import annotations

from promptlint.findings import FileResult


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: list[FileResult], unsafe_fixes: bool = False) -> str:
    lines = []
    for result in results:
        for f in result.findings:
            level = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
            title = f"promptlint ({f.code} {f.rule})"
            where = f"cell {f.cell}, " if f.cell is not None else ""
            props = (
                f"file={_escape_property(f.path)},line={f.line},col={f.column},"
                f"endLine={f.end_line},endColumn={f.end_column},title={_escape_property(title)}"
            )
            lines.append(f"::{level} {props}::{_escape_data(where + f.code + ' ' + f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
