"""Check files: read, prefilter, parse and lint. Pure: returns results, prints nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from promptlint.config import Config
from promptlint.discovery import Candidate
from promptlint.findings import FileProblem, FileResult
from promptlint.prefilter import may_contain_request
from promptlint.resolve.external import Project
from promptlint.sources import SourceError, read_bytes, read_source


def display_path(path: Path, root: Path | None = None) -> str:
    """Paths as the user typed them (relative stays relative)."""
    return path.as_posix() if not path.is_absolute() else str(path)


def check_bytes(name: str, path: Path, data: bytes, config: Config,
                project: Project | None = None) -> FileResult:
    from promptlint.engine import lint_source  # libcst is imported only for files that need it

    try:
        source = read_source(path, data)  # undecodable or malformed files are reported
    except SourceError as exc:
        return FileResult(name, problem=FileProblem(name, str(exc)))
    if not may_contain_request(data):
        return FileResult(name)
    return lint_source(name, source, config, project)


def check_file(candidate: Candidate, config: Config, project: Project | None = None
               ) -> FileResult:
    name = display_path(candidate.path)
    if candidate.problem is not None:
        return FileResult(name, problem=FileProblem(name, candidate.problem))
    try:
        data = read_bytes(candidate.path)
    except SourceError as exc:
        return FileResult(name, problem=FileProblem(name, str(exc)))
    return check_bytes(name, candidate.path, data, config, project)


def check_candidates(candidates: Iterable[Candidate], config: Config,
                     on_file: Callable[[], None] | None = None) -> list[FileResult]:
    project = Project(config.root)  # parsed modules, prompt files and templates, shared
    results = []
    for candidate in candidates:
        results.append(check_file(candidate, config, project))
        if on_file is not None:
            on_file()
    return results
