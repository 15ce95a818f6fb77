"""Renderers: they turn FileResults into text and never compute findings."""

from __future__ import annotations

from collections.abc import Callable

from promptlint.findings import FileResult
from promptlint.report import github, json_format, text

Renderer = Callable[[list[FileResult], bool], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "concise": text.render,
    "json": json_format.render,
    "github": github.render,
}
