"""Renderers: they turn FileResults into text and never compute findings. Each format's module
is imported only when that format is asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from promptlint.findings import FileResult

Renderer = Callable[[list[FileResult], bool], str]

_MODULES = {
    "text": "text",
    "concise": "concise",
    "json": "json_format",
    "github": "github",
    "sarif": "sarif",
    "gitlab": "gitlab",
    "junit": "junit",
    "markdown": "markdown",
}
FORMATS: tuple[str, ...] = tuple(_MODULES)


def renderer(name: str) -> Renderer:
    """The ``render(results, unsafe_fixes)`` function of an output format."""
    module = importlib.import_module(f"promptlint.report.{_MODULES[name]}")
    return module.render  # type: ignore[no-any-return]


def render(name: str, results: list[FileResult], unsafe_fixes: bool, summary: bool = True
           ) -> str:
    """The report of ``results`` in output format ``name``; ``summary`` (text and concise):
    the closing lines (count, fix hints; "All checks passed!")."""
    if name in ("text", "concise"):
        from promptlint.report import text

        chosen = text.render if name == "text" else text.render_concise
        return chosen(results, unsafe_fixes, summary=summary)
    return renderer(name)(results, unsafe_fixes)
