"""What a check produces: findings with positions, and file-level problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Safety(IntEnum):
    """Fix applicability, ordered as in Ruff: DISPLAY_ONLY < UNSAFE < SAFE."""

    DISPLAY_ONLY = 0
    UNSAFE = 1
    SAFE = 2

    @property
    def label(self) -> str:
        return {0: "display-only", 1: "unsafe", 2: "safe"}[int(self)]


@dataclass(frozen=True)
class Edit:
    """Replace source characters [start, end) of the linted text with ``content``."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: Safety
    title: str
    edits: tuple[Edit, ...] = ()
    deferred: bool = False  # edits exist but were not located (the output does not show them)

    @property
    def available(self) -> bool:
        """Whether there is something to apply (not just advice)."""
        return self.applicability != Safety.DISPLAY_ONLY and (bool(self.edits) or self.deferred)


@dataclass(frozen=True)
class Related:
    line: int
    column: int
    message: str
    path: str | None = None
    cell: int | None = None


@dataclass
class Finding:
    code: str
    rule: str
    severity: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    cell: int | None = None
    related: list[Related] = field(default_factory=list)
    fix: Fix | None = None
    # extra facts a reporter may show (estimated tokens, cost); rules fill it, reporters read it
    data: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


@dataclass
class FileProblem:
    """A file that could not be checked (syntax error, unreadable, not UTF-8, ...)."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass
class RequestSummary:
    """One request site, for reports: where it is, which model, and its prompt's size and cost.

    Token and cost fields are None when they cannot be estimated (prompt mostly unknown)."""

    path: str
    line: int
    column: int
    method: str  # create | stream | parse | count_tokens | batch
    model: str | None = None
    cell: int | None = None
    static_tokens: int | None = None  # tokens of the known static prefix (estimate or exact)
    cached_tokens: int | None = None  # tokens behind a cache_control marker
    dynamic_holes: list[str] = field(default_factory=list)  # what fills the unknown parts
    exact: bool = False  # token counts come from the count_tokens API
    cost_per_1k: float | None = None  # USD of input per 1,000 requests, as written
    cost_per_1k_fixed: float | None = None  # ... after the suggested fixes (e.g. caching)
    static_text: str = field(default="", repr=False)  # the static prefix (for --exact counts)
    cached_text: str = field(default="", repr=False)  # the prefix behind the last marker
    note: str = ""  # e.g. why an exact count fell back to the estimate
    # all static text of the prompt, also the parts after a dynamic value: what is billed at
    # least (dynamic parts add to it)
    input_tokens: int | None = None
    input_text: str = field(default="", repr=False)
    # static text of tools, system and the first user message: cacheable once the per-request
    # values are moved after it (what PRL503's advice gives)
    reorder_tokens: int | None = None
    reorder_text: str = field(default="", repr=False)
    cache_ttl: int = 300  # seconds a cache entry lives: 5 minutes, or 1 hour when marked so
    function: str | None = None  # the function that makes the request (for wrappers)
    via: str | None = None  # a request through a wrapper: "wrapper module path:function"
    end_line: int | None = None  # the last line of the call (in the cell, for notebooks)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    problem: FileProblem | None = None
    requests: list[RequestSummary] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)  # other files the result depends on
    warnings: list[str] = field(default_factory=list)  # e.g. a template with a syntax error
    wrappers: list[str] = field(default_factory=list)  # wrapper functions defined in the file
    # False when the file mentions a request call only in strings or comments (not parsed)
    request_calls: bool = True


@dataclass(frozen=True)
class Needs:
    """What the output of a run shows beyond the findings, so that a run computes only that:
    fix edits located in the source (``edits``; otherwise a fix keeps its title and is marked
    deferred) and a summary (position, size, cost) of every request site (``request_sites``).
    A run option, not configuration; part of the result cache's key."""

    edits: bool = True
    request_sites: bool = True

    @classmethod
    def for_format(cls, output_format: str) -> Needs:
        """What a `check --output-format` shows: edits in JSON and SARIF, sites in Markdown."""
        return cls(edits=output_format in ("json", "sarif"),
                   request_sites=output_format == "markdown")

    def key(self) -> str:
        return f"edits={int(self.edits)},sites={int(self.request_sites)}"
