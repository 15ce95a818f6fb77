"""Many files: the jobs of a run, the process pool, the result cache, the index of quiet files
and the wrapper pass. Shared by `check`, `fix`, `tokens` and `report`. Pure: returns results,
prints nothing."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from promptlint import screen
from promptlint.cache import ResultCache, file_context, signature
from promptlint.config import Config
from promptlint.discovery import Candidate
from promptlint.findings import FileResult, Needs
from promptlint.resolve.external import Project
from promptlint.sdkversion import SdkTarget, target_for
from promptlint.sources import SourceError, read_file
from promptlint.timelimit import FileTimeout, time_limit

T = TypeVar("T")


def display_path(path: Path) -> str:
    """Paths as the user typed them (relative stays relative)."""
    return path.as_posix() if not path.is_absolute() else str(path)


# ---- one file ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One file's work: its bytes, its configuration, what the output needs, and the wrappers
    (as ``name(``) it may call (None in the first pass)."""

    name: str
    path: Path
    data: bytes
    config: Config
    needs: Needs = field(default_factory=Needs)
    wrapper_names: frozenset[bytes] | None = None


def within_budget(name: str, config: Config, work: Callable[[], T]) -> T | FileResult:
    """``work()``, or (when the analysis of file ``name`` exceeds the configured time budget)
    its result as a one-line problem: the run goes on."""
    try:
        with time_limit(config.file_time_limit):
            return work()
    except FileTimeout as exc:
        return screen.problem(name, str(exc))


def run_job(job: Job, project: Project | None = None) -> FileResult:
    """One file's result, within the per-file time budget."""
    return within_budget(job.name, job.config, lambda: _lint(job, project))


def _lint(job: Job, project: Project | None) -> FileResult:
    screened = screen.screen(job.name, job.path, job.data, job.wrapper_names)
    if isinstance(screened, FileResult):
        return screened
    source, read = screened
    from promptlint.lint import lint_source  # libcst is imported only for files that need it

    return lint_source(job.name, source, job.config, project, read,
                       wrapper_words(job.wrapper_names), job.needs)


def wrapper_words(names: frozenset[bytes] | None) -> frozenset[str]:
    """Wrapper names as ``name(`` bytes (what the prefilter looks for) to plain names."""
    return frozenset(n.decode("utf-8", "replace").rstrip("(") for n in names or ())


def check_bytes(name: str, path: Path, data: bytes, config: Config,
                project: Project | None = None,
                wrapper_names: frozenset[bytes] | None = None,
                needs: Needs | None = None) -> FileResult:
    """One file's result from its bytes (stdin, an editor's buffer)."""
    return run_job(Job(name, path, data, config, needs or Needs(), wrapper_names), project)


# ---- many files: the pool ----------------------------------------------------------------------

POOL_MIN_FILES = 8  # below this many files to parse, a process pool costs more than it saves

_WORKER_PROJECT: Project | None = None
# the jobs of the running pool: forked workers inherit them, so only an index crosses the pipe
_POOL_JOBS: list[Job] = []
_POOL_ROOT: list[Path] = []  # the project root of the running pool (one for every config)


def _worker(index: int) -> tuple[int, FileResult]:
    global _WORKER_PROJECT
    job = _POOL_JOBS[index]
    root = _POOL_ROOT[0] if _POOL_ROOT else job.config.root
    if _WORKER_PROJECT is None or _WORKER_PROJECT.root != root:
        _WORKER_PROJECT = Project(root)
    return os.getpid(), run_job(job, _WORKER_PROJECT)


def _can_fork() -> bool:
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def _jobs() -> int:
    try:
        return max(1, int(os.environ.get("PROMPTLINT_JOBS", "0"))) if os.environ.get(
            "PROMPTLINT_JOBS") else (os.cpu_count() or 1)
    except ValueError:
        return os.cpu_count() or 1


def run_jobs(jobs: list[Job], project: Project, on_file: Callable[[], None] | None = None,
             pids: set[int] | None = None) -> list[FileResult]:
    """Lint the files of ``jobs``: in this process, or in a pool when there are many.
    ``pids``: filled with the ids of the processes that did the work."""
    workers = min(_jobs(), len(jobs) // (POOL_MIN_FILES // 2) or 1)
    if workers > 1 and len(jobs) >= POOL_MIN_FILES and _can_fork():
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        out = []
        _POOL_JOBS[:] = jobs
        _POOL_ROOT[:] = [project.root]
        gc.freeze()  # the workers' collectors leave the inherited objects (and their pages) alone
        try:
            with ProcessPoolExecutor(max_workers=workers,
                                     mp_context=mp.get_context("fork")) as pool:
                for pid, result in pool.map(_worker, range(len(jobs)),
                                            chunksize=max(1, len(jobs) // (workers * 8))):
                    out.append(result)
                    if pids is not None:
                        pids.add(pid)
                    if on_file is not None:
                        on_file()
        finally:
            gc.unfreeze()
            _POOL_JOBS.clear()
            _POOL_ROOT.clear()
        return out
    out = []
    for job in jobs:
        out.append(run_job(job, project))
        if pids is not None:
            pids.add(os.getpid())
        if on_file is not None:
            on_file()
    return out


# ---- many files: the run -----------------------------------------------------------------------

class Run:
    """One run over many files, for any command: files that make requests first, then those
    that may call one of the wrapper functions the first pass found. Cached results are reused
    while the file and everything it depended on are unchanged.

    ``config_for``: each file's configuration (default: ``config`` for every file); the cache
    keys a file's result on that configuration, the file's SDK target and ``needs``;
    ``cache_if``: which results are worth storing (default: all but problems)."""

    def __init__(self, config: Config, *, config_for: Callable[[Path], Config] | None = None,
                 needs: Needs | None = None, cache: ResultCache | None = None,
                 on_file: Callable[[], None] | None = None,
                 cache_if: Callable[[FileResult], bool] | None = None) -> None:
        self.config = config
        self.config_for = config_for  # None: ``config`` for every file
        self.needs = needs or Needs()
        self.cache = cache
        self.cache_if = cache_if
        self.on_file = on_file
        self.project = Project(config.root)  # parsed modules, prompt files and templates, shared
        self.worker_pids: set[int] = set()  # the processes that linted files (the pool's)
        self._words: dict[Path, frozenset[str]] = {}

    def wrapper_words(self, path: Path) -> frozenset[str]:
        """The wrappers a file of the last run was linted against (those it may call)."""
        return self._words.get(path, frozenset())

    def check_bytes(self, name: str, path: Path, data: bytes) -> FileResult:
        """One file given as bytes (stdin)."""
        config = self.config_for(path) if self.config_for is not None else self.config
        return run_job(Job(name, path, data, config, self.needs))

    def check(self, candidates: Iterable[Candidate]) -> list[FileResult]:
        """Every candidate's result, in order."""
        return _Pass(self, list(candidates)).run()


@dataclass
class _Pass:
    """The state of :meth:`Run.check` over one list of candidates."""

    run_: Run
    items: list[Candidate]
    results: list[FileResult | None] = field(init=False)
    contents: dict[int, bytes] = field(default_factory=dict)
    names_of: list[str] = field(init=False)
    configs: list[Config] = field(init=False)
    targets: dict[int, SdkTarget] = field(default_factory=dict)
    _fingerprints: dict[int, str] = field(default_factory=dict)  # by id of a Config in configs

    def __post_init__(self) -> None:
        self.results = [None] * len(self.items)
        self.names_of = [display_path(candidate.path) for candidate in self.items]
        # a file's own configuration: the one discovery found for it, else config_for's
        config_for = self.run_.config_for
        self.configs = [
            candidate.config if candidate.config is not None
            else config_for(candidate.path) if config_for is not None else self.run_.config
            for candidate in self.items
        ]

    def done(self, index: int, result: FileResult) -> None:
        self.results[index] = result
        if self.run_.on_file is not None:
            self.run_.on_file()

    def target(self, index: int) -> SdkTarget:
        # read in this process, before any pool forks, so that workers inherit the reading
        if index not in self.targets:
            self.targets[index] = target_for(self.items[index].path,
                                             self.configs[index].sdk_version)
        return self.targets[index]

    def fingerprint(self, index: int) -> str:
        config = self.configs[index]
        found = self._fingerprints.get(id(config))
        if found is None:
            found = self._fingerprints[id(config)] = config.fingerprint()
        return found

    def context(self, index: int) -> str:
        return file_context(self.fingerprint(index), self.target(index).key(), self.run_.needs)

    def run(self) -> list[FileResult]:
        run, cache, items = self.run_, self.run_.cache, self.items
        first: list[int] = []
        later: list[int] = []
        # files known (from the cache) to have had nothing to check, by path and signature;
        # those unchanged are not read unless a wrapper found in this run makes them
        # interesting again
        quiet = cache.quiet_files() if cache is not None else {}
        keys: dict[int, str] = {}
        signatures: dict[int, list[int | str]] = {}
        unread: set[int] = set()
        results, names_of, contents = self.results, self.names_of, self.contents
        for index, candidate in enumerate(items):
            if candidate.problem is not None:
                results[index] = screen.problem(names_of[index], candidate.problem)
                continue
            quiet_context = self.fingerprint(index) if cache is not None else ""
            if cache is not None and not candidate.explicit:
                keys[index] = key = os.path.abspath(candidate.path)
                if key in quiet:
                    try:
                        now = [*signature(os.stat(candidate.path)), quiet_context]
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
                results[index] = screen.problem(names_of[index], str(exc))
                continue
            contents[index] = data
            if cache is not None:  # (signatures serve the index of quiet files)
                signatures[index] = [*signature(info), quiet_context]
            (first if screen.makes_requests(data, candidate.path) else later).append(index)

        self.lint(first, None)
        # files whose request-like text is only in strings or comments may still call a wrapper
        unparsed = {i for i in first
                    if (r := self.results[i]) is not None and not r.request_calls}
        wrappers: set[bytes] = set()
        known: dict[Path, list[str]] = {}
        for index in first:
            result = self.results[index]
            # the anthropic package's own methods (a tree that holds the SDK, as a site-packages
            # directory does) are the SDK's surface, not the project's wrappers
            if result is not None and result.wrappers and not run.project.in_sdk(
                    items[index].path):
                wrappers.update(n.rsplit(".", 1)[-1].encode() + b"(" for n in result.wrappers)
                known[items[index].path.resolve()] = result.wrappers
        second = []
        found_here = frozenset(wrappers)
        for index in [*later, *sorted(unparsed)]:
            name = names_of[index]
            if index in unread:
                if not wrappers:  # (files named on the command line are always read)
                    self.done(index, FileResult(name))
                    continue
                try:
                    contents[index], info = read_file(items[index].path)
                    signatures[index] = [*signature(info), self.fingerprint(index)]
                except SourceError as exc:
                    self.done(index, screen.problem(name, str(exc)))
                    continue
            data = contents[index]
            # wrappers found in this run; for files named on the command line (pre-commit
            # passes just the changed files) also those of the project modules they import
            names = frozenset(wrappers | imported_wrapper_names(
                data, items[index].path, run.project, known)) if (
                items[index].explicit) else found_here
            if screen.may_call(data, names):
                second.append(index)
            elif index in unparsed:
                continue  # its first-pass result stands
            else:
                self.done(index, screen.unparsed(name, items[index].path, data))
        all_names = frozenset(wrappers | {n for i in second if items[i].explicit
                                          for n in imported_wrapper_names(
                                              self.contents[i], items[i].path, run.project,
                                              known)})
        words = wrapper_words(all_names)
        for index in second:
            run._words[items[index].path] = words
        self.lint(second, all_names)
        self.sdk_warnings_once(sorted({*first, *second}))
        if cache is not None and keys:
            updated = dict(quiet)
            for index in later:
                key = keys.get(index)
                if key is None:
                    continue
                result = self.results[index]
                if index in signatures and result is not None and result.problem is None and (
                        not result.findings and index not in second):
                    updated[key] = signatures[index]
                else:
                    updated.pop(key, None)
            if updated != quiet:
                cache.save_quiet_files(updated)
        return [r for r in self.results if r is not None]

    def lint(self, indices: list[int], names: frozenset[bytes] | None) -> None:
        run, cache = self.run_, self.run_.cache
        jobs: list[Job] = []
        todo: list[int] = []
        for index in indices:
            data, name = self.contents[index], self.names_of[index]
            cached = cache.get(name, data, self.context(index)) if cache is not None else None
            if cached is not None:
                self.done(index, cached)
                continue
            jobs.append(Job(name, self.items[index].path, data, self.configs[index], run.needs,
                            names))
            todo.append(index)
        if names is None and len(jobs) >= POOL_MIN_FILES:
            # a process pool pays only when enough files really make requests: look with the
            # C parser until that many are found (the SDK's own sources only mention them)
            confirmed, kept_jobs, kept_todo = 0, [], []
            for job, index in zip(jobs, todo, strict=True):
                screened = screen.screen(job.name, job.path, job.data, None) if (
                    confirmed < POOL_MIN_FILES) else None
                if isinstance(screened, FileResult):
                    self.store(index, screened)
                    if run.on_file is not None:
                        run.on_file()
                    continue
                confirmed += screened is not None
                kept_jobs.append(job)
                kept_todo.append(index)
            jobs, todo = kept_jobs, kept_todo
        for index, result in zip(todo, run_jobs(jobs, run.project, run.on_file,
                                                run.worker_pids), strict=True):
            self.store(index, result)

    def store(self, index: int, result: FileResult) -> None:
        self.results[index] = result
        cache, keep = self.run_.cache, self.run_.cache_if
        if cache is not None and result.problem is None and (keep is None or keep(result)):
            cache.put(result.path, self.contents[index], result, self.context(index))

    def sdk_warnings_once(self, linted: list[int]) -> None:
        """Each problem met reading a project's SDK version, once per run: on the first linted
        file of that project (results are not cached with it)."""
        shown: set[str] = set()
        for index in linted:
            result = self.results[index]
            if result is None or result.problem is not None:
                continue
            for warning in self.target(index).warnings:
                if warning not in shown:
                    shown.add(warning)
                    result.warnings.append(f"anthropic version: {warning}")


def check_candidates(candidates: Iterable[Candidate], config: Config,
                     on_file: Callable[[], None] | None = None,
                     cache: ResultCache | None = None) -> list[FileResult]:
    """Check files (see :class:`Run`) with one configuration."""
    return Run(config, cache=cache, on_file=on_file).check(candidates)


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
        from promptlint.resolve.analysis import wrappers_of  # (imports libcst)

        return list(wrappers_of(project, module_path))

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
                if not screen.makes_requests(found.read_bytes(), found):
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
                        if screen.makes_requests(sub.read_bytes(), sub):
                            out.update(n.rsplit(".", 1)[-1].encode() + b"("
                                       for n in names_of(sub))
                    except OSError:
                        continue
    return out
