"""Check files: read, prefilter, parse and lint. Pure: returns results, prints nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from promptlint.config import Config
from promptlint.discovery import Candidate
from promptlint.findings import FileProblem, FileResult
from promptlint.prefilter import may_call_wrapper, may_contain_request
from promptlint.resolve.external import Project
from promptlint.sources import SourceError, read_bytes, read_source


def display_path(path: Path, root: Path | None = None) -> str:
    """Paths as the user typed them (relative stays relative)."""
    return path.as_posix() if not path.is_absolute() else str(path)


def check_bytes(name: str, path: Path, data: bytes, config: Config,
                project: Project | None = None,
                wrapper_names: frozenset[bytes] | None = None) -> FileResult:
    from promptlint.engine import lint_source  # libcst is imported only for files that need it

    try:
        source = read_source(path, data)  # undecodable or malformed files are reported
    except SourceError as exc:
        return FileResult(name, problem=FileProblem(name, str(exc)))
    if not may_contain_request(data) and not (
            wrapper_names and may_call_wrapper(data, wrapper_names)):
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
    """Check files in two passes: those that make requests, then those that may call one of
    the wrapper functions the first pass found."""
    project = Project(config.root)  # parsed modules, prompt files and templates, shared
    items = list(candidates)
    results: list[FileResult | None] = [None] * len(items)
    later: list[int] = []
    wrappers: set[bytes] = set()
    for index, candidate in enumerate(items):
        result = check_file(candidate, config, project)
        if result.problem is None and not result.requests and not result.findings:
            later.append(index)
        else:
            if on_file is not None:
                on_file()
        wrappers.update(name.rsplit(".", 1)[-1].encode() + b"(" for name in result.wrappers)
        results[index] = result
    names = frozenset(wrappers)
    for index in later:
        if names:
            candidate = items[index]
            try:
                data = read_bytes(candidate.path)
            except SourceError:
                data = b""
            if may_call_wrapper(data, names) and not may_contain_request(data):
                results[index] = check_bytes(display_path(candidate.path), candidate.path,
                                             data, config, project, names)
        if on_file is not None:
            on_file()
    return [r for r in results if r is not None]
