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
