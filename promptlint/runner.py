"""Check files: read, prefilter, parse and lint. Pure: returns results, prints nothing."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from promptlint.cache import ResultCache, signature
from promptlint.config import Config
from promptlint.discovery import Candidate
from promptlint.findings import FileProblem, FileResult
from promptlint.prefilter import may_call_wrapper, may_contain_request
from promptlint.resolve import outline
from promptlint.resolve.external import Project
from promptlint.sdkversion import SdkTarget, target_for
from promptlint.sources import (
    Source,
    SourceError,
    check_parseable,
    plain_ascii,
    read_bytes,
    read_file,
    read_source,
)
from promptlint.timelimit import FileTimeout, time_limit


def display_path(path: Path, root: Path | None = None) -> str:
    """Paths as the user typed them (relative stays relative)."""
    return path.as_posix() if not path.is_absolute() else str(path)


def check_bytes(name: str, path: Path, data: bytes, config: Config,
                project: Project | None = None,
                wrapper_names: frozenset[bytes] | None = None) -> FileResult:
    """One file's result; a file whose analysis exceeds the configured time budget is skipped
    with a one-line problem (the run goes on)."""
    try:
        with time_limit(config.file_time_limit):
            return _check_bytes(name, path, data, config, project, wrapper_names)
    except FileTimeout as exc:
        return FileResult(name, problem=FileProblem(name, str(exc)))


def _check_bytes(name: str, path: Path, data: bytes, config: Config, project: Project | None,
                 wrapper_names: frozenset[bytes] | None) -> FileResult:
    screened = _screen(name, path, data, wrapper_names)
    if isinstance(screened, FileResult):
        return screened
    source, read = screened
    from promptlint.lint import lint_source  # libcst is imported only for files that need it

    words = frozenset(n.decode("utf-8", "replace").rstrip("(") for n in wrapper_names or ())
    return lint_source(name, source, config, project, read, words)


def _unparsed(name: str, path: Path, data: bytes) -> FileResult:
    """The result of a file the prefilter rejected and that calls no wrapper: empty, unless it
    cannot be decoded (that is still reported)."""
    if path.suffix != ".ipynb" and plain_ascii(data):
        return FileResult(name)
    try:
        read_source(path, data, guard=False)
    except SourceError as exc:
        return FileResult(name, problem=FileProblem(name, str(exc)))
    return FileResult(name)


def _screen(name: str, path: Path, data: bytes, wrapper_names: frozenset[bytes] | None
            ) -> FileResult | tuple[Source, outline.Outline | None]:
    """A file's result when it needs no libcst parse, else its source and outline (None for
    notebooks and for text the C parser cannot read)."""
    notebook = path.suffix == ".ipynb"
    passes = may_contain_request(data, notebook)
    calls_wrapper = bool(wrapper_names) and may_call_wrapper(data, wrapper_names or frozenset())
    if not (passes or calls_wrapper):
        return _unparsed(name, path, data)
    try:
        source = read_source(path, data, passes)  # undecodable or malformed files are reported
    except SourceError as exc:
        return FileResult(name, problem=FileProblem(name, str(exc)))
    if not passes:
        try:  # decode() guards only files the prefilter passes; this one calls a wrapper
            check_parseable(source.text)
        except SourceError as exc:
            return FileResult(name, problem=FileProblem(name, str(exc)))
        return source, None
    if notebook:
        return source, None
    read = outline.read(source.text, data[3:] if source.bom else data)
    if read is not None and not calls_wrapper and not read.has_request_call():
        # ".messages.create(" only in strings or comments: no request here, but the file may
        # still call a wrapper (the runner's second pass)
        return FileResult(name, request_calls=False)
    return source, read


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


# ---- many files: cache, pool, and the wrapper pass ---------------------------------------------

POOL_MIN_FILES = 8  # below this many files to parse, a process pool costs more than it saves

_WORKER_PROJECT: Project | None = None
# the jobs of the running pool: forked workers inherit them, so only an index crosses the pipe
_POOL_JOBS: list[tuple[str, Path, bytes, Config, frozenset[bytes] | None]] = []


def _worker(index: int) -> FileResult:
    global _WORKER_PROJECT
    name, path, data, config, names = _POOL_JOBS[index]
    if _WORKER_PROJECT is None or _WORKER_PROJECT.root != config.root:
        _WORKER_PROJECT = Project(config.root)
    return check_bytes(name, path, data, config, _WORKER_PROJECT, names)


def _can_fork() -> bool:
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def _jobs() -> int:
    try:
        return max(1, int(os.environ.get("PROMPTLINT_JOBS", "0"))) if os.environ.get(
            "PROMPTLINT_JOBS") else (os.cpu_count() or 1)
    except ValueError:
        return os.cpu_count() or 1


def _run(jobs: list[tuple[str, Path, bytes, Config, frozenset[bytes] | None]],
         project: Project, on_file: Callable[[], None] | None) -> list[FileResult]:
    """Lint the files of ``jobs``: in this process, or in a pool when there are many."""
    workers = min(_jobs(), len(jobs) // (POOL_MIN_FILES // 2) or 1)
    if workers > 1 and len(jobs) >= POOL_MIN_FILES and _can_fork():
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        out = []
        _POOL_JOBS[:] = jobs
        gc.freeze()  # the workers' collectors leave the inherited objects (and their pages) alone
        try:
            with ProcessPoolExecutor(max_workers=workers,
                                     mp_context=mp.get_context("fork")) as pool:
                for result in pool.map(_worker, range(len(jobs)),
                                       chunksize=max(1, len(jobs) // (workers * 8))):
                    out.append(result)
                    if on_file is not None:
                        on_file()
        finally:
            gc.unfreeze()
            _POOL_JOBS.clear()
        return out
    out = []
    for name, path, data, config, names in jobs:
        out.append(check_bytes(name, path, data, config, project, names))
        if on_file is not None:
            on_file()
    return out


def check_candidates(candidates: Iterable[Candidate], config: Config,
                     on_file: Callable[[], None] | None = None,
                     cache: ResultCache | None = None) -> list[FileResult]:
    """Check files in two passes: those that make requests, then those that may call one of
    the wrapper functions the first pass found. Cached results are reused while the file and
    everything it depended on are unchanged."""
    project = Project(config.root)  # parsed modules, prompt files and templates, shared
    items = list(candidates)
    results: list[FileResult | None] = [None] * len(items)
    contents: dict[int, bytes] = {}
    first: list[int] = []
    later: list[int] = []
    names_of = [display_path(candidate.path) for candidate in items]
    # files known (from the cache) to have had nothing to check, by path and signature; those
    # unchanged are not read unless a wrapper found in this run makes them interesting again
    quiet = cache.quiet_files() if cache is not None else {}
    keys: dict[int, str] = {}
    signatures: dict[int, list[int]] = {}
    unread: set[int] = set()
    for index, candidate in enumerate(items):
        name = names_of[index]
        if candidate.problem is not None:
            results[index] = FileResult(name, problem=FileProblem(name, candidate.problem))
            continue
        if cache is not None and not candidate.explicit:
            keys[index] = key = os.path.abspath(candidate.path)
            if key in quiet:
                try:
                    now = signature(os.stat(candidate.path))
                except OSError:
                    now = None
                if now == quiet[key]:
                    signatures[index] = now
                    unread.add(index)
                    later.append(index)
                    continue
        try:
            data, info = read_file(candidate.path)
        except SourceError as exc:
            results[index] = FileResult(name, problem=FileProblem(name, str(exc)))
            continue
        contents[index] = data
        signatures[index] = signature(info)
        notebook = candidate.path.suffix == ".ipynb"
        (first if may_contain_request(data, notebook) else later).append(index)

    def sdk_of(index: int) -> SdkTarget:
        # read in this process, before any pool forks, so that workers inherit the reading
        return target_for(items[index].path, config.sdk_version)

    def lint(indices: list[int], names: frozenset[bytes] | None) -> None:
        jobs = []
        todo = []
        for index in indices:
            candidate, data, name = items[index], contents[index], names_of[index]
            cached = cache.get(name, data, sdk_of(index).key()) if cache is not None else None
            if cached is not None:
                results[index] = cached
                if on_file is not None:
                    on_file()
                continue
            jobs.append((name, candidate.path, data, config, names))
            todo.append(index)
        if names is None and len(jobs) >= POOL_MIN_FILES:
            # a process pool pays only when enough files really make requests: look with the
            # C parser until that many are found (the SDK's own sources only mention them)
            confirmed, kept_jobs, kept_todo = 0, [], []
            for job, index in zip(jobs, todo, strict=True):
                screened = _screen(job[0], job[1], job[2], None) if (
                    confirmed < POOL_MIN_FILES) else None
                if isinstance(screened, FileResult):
                    store(index, screened)
                    if on_file is not None:
                        on_file()
                    continue
                confirmed += screened is not None
                kept_jobs.append(job)
                kept_todo.append(index)
            jobs, todo = kept_jobs, kept_todo
        for index, result in zip(todo, _run(jobs, project, on_file), strict=True):
            store(index, result)

    def store(index: int, result: FileResult) -> None:
        results[index] = result
        if cache is not None and result.problem is None:
            cache.put(result.path, contents[index], result, sdk_of(index).key())

    lint(first, None)
    # files whose request-like text is only in strings or comments may still call a wrapper
    unparsed = {i for i in first if (r := results[i]) is not None and not r.request_calls}
    wrappers: set[bytes] = set()
    known: dict[Path, list[str]] = {}
    for index in first:
        result = results[index]
        # the anthropic package's own methods (a tree that holds the SDK, as a site-packages
        # directory does) are the SDK's surface, not the project's wrappers
        if result is not None and result.wrappers and not project.in_sdk(items[index].path):
            wrappers.update(n.rsplit(".", 1)[-1].encode() + b"(" for n in result.wrappers)
            known[items[index].path.resolve()] = result.wrappers
    second = []
    for index in [*later, *sorted(unparsed)]:
        if index in unread:
            if not wrappers:  # (files named on the command line are always read)
                results[index] = FileResult(names_of[index])
                if on_file is not None:
                    on_file()
                continue
            try:
                contents[index], info = read_file(items[index].path)
                signatures[index] = signature(info)
            except SourceError as exc:
                results[index] = FileResult(names_of[index],
                                            problem=FileProblem(names_of[index], str(exc)))
                if on_file is not None:
                    on_file()
                continue
        data = contents[index]
        # wrappers found in this run; for files named on the command line (pre-commit passes
        # just the changed files) also those of the project modules they import
        imported = imported_wrapper_names(data, items[index].path, project, known) if (
            items[index].explicit) else set()
        names = frozenset(wrappers | imported)
        if names and may_call_wrapper(data, names):
            second.append(index)
        elif index in unparsed:
            continue  # its first-pass result stands
        else:
            results[index] = _unparsed(names_of[index], items[index].path, data)
            if on_file is not None:
                on_file()
    all_names = frozenset(wrappers | {n for i in second if items[i].explicit
                                      for n in imported_wrapper_names(
                                          contents[i], items[i].path, project, known)})
    lint(second, all_names)
    _sdk_warnings_once(results, sorted({*first, *second}), sdk_of)
    if cache is not None and keys:
        updated = dict(quiet)
        for index in later:
            key = keys.get(index)
            if key is None:
                continue
            result = results[index]
            if index in signatures and result is not None and result.problem is None and (
                    not result.findings and index not in second):
                updated[key] = signatures[index]
            else:
                updated.pop(key, None)
        if updated != quiet:
            cache.save_quiet_files(updated)
    return [r for r in results if r is not None]


def _sdk_warnings_once(results: list[FileResult | None], linted: list[int],
                       target_of: Callable[[int], SdkTarget]) -> None:
    """Each problem met reading a project's SDK version, once per run: on the first linted
    file of that project (results are not cached with it)."""
    shown: set[str] = set()
    for index in linted:
        result = results[index]
        if result is None or result.problem is not None:
            continue
        for warning in target_of(index).warnings:
            if warning not in shown:
                shown.add(warning)
                result.warnings.append(f"anthropic version: {warning}")


# Source bytes. Linear: anchored at line starts; module names (``[\w.]``) and the blanks after
# them are disjoint classes.
_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w.]+))", re.M)


def imported_wrapper_names(data: bytes, path: Path, project: Project,
                           known: dict[Path, list[str]] | None = None) -> set[bytes]:
    """Wrapper names (as ``name(``) of the project modules a file imports, found cheaply: only
    modules that contain the bytes ``messages`` are parsed (and not those already linted)."""
    out: set[bytes] = set()
    known = known or {}

    def names_of(module_path: Path) -> list[str]:
        if module_path in known:
            return known[module_path]
        return list(project.wrappers_of(module_path))

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
                if not may_contain_request(found.read_bytes(), found.suffix == ".ipynb"):
                    continue
            except OSError:
                continue
            out.update(n.rsplit(".", 1)[-1].encode() + b"(" for n in names_of(found))
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
                                       for n in names_of(sub))
                    except OSError:
                        continue
    return out
