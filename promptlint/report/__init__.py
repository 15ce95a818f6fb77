"""Renderers: they turn FileResults into text and never compute findings."""

from __future__ import annotations

from collections.abc import Callable

from promptlint.findings import FileResult
from promptlint.report import github, gitlab, json_format, junit, markdown, sarif, text

Renderer = Callable[[list[FileResult], bool], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "concise": text.render,
    "json": json_format.render,
    "github": github.render,
    "sarif": sarif.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
    "markdown": markdown.render,
}
