"""Check files: read, prefilter, parse and lint. Pure: returns results, prints nothing."""

from __future__ import annotations

import re
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
    for index in later:
        candidate = items[index]
        try:
            data = read_bytes(candidate.path)
        except SourceError:
            data = b""
        # wrappers found in this run, and those of project modules this file imports
        names = frozenset(wrappers | imported_wrapper_names(data, candidate.path, project))
        if names and may_call_wrapper(data, names) and not may_contain_request(data):
            results[index] = check_bytes(display_path(candidate.path), candidate.path,
                                         data, config, project, names)
        if on_file is not None:
            on_file()
    return [r for r in results if r is not None]


_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w.]+))", re.M)


def imported_wrapper_names(data: bytes, path: Path, project: Project) -> set[bytes]:
    """Wrapper names (as ``name(``) of the project modules a file imports, found cheaply: only
    modules that contain the bytes ``messages`` are parsed."""
    out: set[bytes] = set()
    for match in _IMPORT.finditer(data):
        module = (match.group(1) or match.group(2) or b"").decode("ascii", "replace")
        if not module or module.split(".")[0] in ("anthropic", "os", "sys", "typing"):
            continue
        for candidate in (module, module.rsplit(".", 1)[0] if "." in module else None):
            if not candidate:
                continue
            found = project.find_module(candidate, path)
            if found is None:
                continue
            try:
                if not may_contain_request(found.read_bytes()):
                    continue
            except OSError:
                continue
            out.update(n.rsplit(".", 1)[-1].encode() + b"(" for n in project.wrappers_of(found))
            break
        # "from pkg import module" imports a module: look inside it too
        if match.group(1):
            line_end = data.find(b"\n", match.end())
            names = data[match.end():line_end if line_end != -1 else None]
            for name in re.findall(rb"\w+", names.split(b"#")[0]):
                sub = project.find_module(f"{module}.{name.decode()}", path)
                if sub is not None:
                    try:
                        if may_contain_request(sub.read_bytes()):
                            out.update(n.rsplit(".", 1)[-1].encode() + b"("
                                       for n in project.wrappers_of(sub))
                    except OSError:
                        continue
    return out
