"""promptlint's Python API: what the command line does, as functions that return results.

    from promptlint import api

    for result in api.check(["src"]):
        for finding in result.findings:
            print(finding.path, finding.line, finding.code, finding.message)

``config``: a :class:`~promptlint.config.Config` for every file, or a
:class:`~promptlint.config.ConfigTree` (the default, ``ConfigTree()``: as the command line, each
file with the closest configuration file above it). Errors are exceptions:
:class:`promptlint.config.ConfigError` for a bad configuration,
:class:`promptlint.discovery.DiscoveryError` for a bad path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from promptlint.cache import result_cache
from promptlint.config import Config, ConfigTree
from promptlint.discovery import Candidate, discover
from promptlint.findings import FileResult, Needs
from promptlint.run import Run

if TYPE_CHECKING:  # (libcst is imported only when a file needs it, or to fix)
    from promptlint.fix.run import FixRun

# Given the number of files, a context manager that yields the callable to call after each
Progress = Callable[[int], AbstractContextManager[Callable[[], None]]]

__all__ = ["NoqaReport", "Progress", "add_noqa", "check", "check_source", "fix", "fix_source",
           "only_changed"]


def _tree(config: Config | ConfigTree | None) -> ConfigTree:
    if config is None:
        return ConfigTree()
    return config if isinstance(config, ConfigTree) else ConfigTree.fixed(config)


def _candidates(paths: Iterable[str | Path], tree: ConfigTree) -> list[Candidate]:
    return list(discover([Path(p) for p in paths] or [Path(".")], tree))


def _source_config(tree: ConfigTree, path: Path) -> Config:
    """The configuration of a file given as text: that of the file it stands for."""
    return tree.default if str(path) == "-" else tree.for_path(path)


def check(paths: Iterable[str | Path] = (), config: Config | ConfigTree | None = None, *,
          needs: Needs | None = None, cache: bool = False, cache_dir: Path | None = None,
          config_for: Callable[[Path], Config] | None = None,
          progress: Progress | None = None) -> list[FileResult]:
    """One :class:`FileResult` per file found under ``paths`` (default: the current
    directory). ``needs``: what the output shows beyond the findings (default: fix edits and
    request sites); ``cache``: reuse and store results in ``cache_dir`` (default:
    ``.promptlint_cache`` in the project root); ``config_for``: each file's configuration
    (default: what ``config`` gives it)."""
    tree = _tree(config)
    candidates = _candidates(paths, tree)
    run = Run(tree.default, config_for=config_for or tree.for_path, needs=needs,
              cache=result_cache(tree.default.root, cache_dir, not cache))
    if progress is None:
        return run.check(candidates)
    with progress(len(candidates)) as advance:
        run.on_file = advance
        return run.check(candidates)


def check_source(source: str | bytes, path: str | Path = "-",
                 config: Config | ConfigTree | None = None, *,
                 needs: Needs | None = None) -> FileResult:
    """The result of one file given as text or bytes, reported as ``path`` (and checked
    with that file's configuration)."""
    name = Path(path)
    config_of = _source_config(_tree(config), name)
    data = source.encode("utf-8") if isinstance(source, str) else source
    return Run(config_of, needs=needs).check_bytes(name.as_posix(), name, data)


def fix(paths: Iterable[str | Path] = (), config: Config | ConfigTree | None = None, *,
        unsafe: bool = False, write: bool = True, cache: bool = False,
        cache_dir: Path | None = None,
        config_for: Callable[[Path], Config] | None = None) -> FixRun:
    """Fix the files found under ``paths`` (safe fixes; ``unsafe``: all of them), writing
    them unless ``write`` is false. The report holds the remaining findings (``results``), the
    fixes applied, the diffs and the problems met."""
    from promptlint.fix.run import FixRun

    tree = _tree(config)
    candidates = _candidates(paths, tree)
    run = FixRun(tree.default, unsafe=unsafe, write=write,
                 cache=result_cache(tree.default.root, cache_dir, not cache),
                 config_for=config_for or tree.for_path)
    run.fix_candidates(candidates)
    return run


def fix_source(source: str | bytes, path: str | Path = "-",
               config: Config | ConfigTree | None = None, *,
               unsafe: bool = False) -> tuple[bytes, FixRun]:
    """One file given as text or bytes: the fixed bytes and the report."""
    from promptlint.fix.run import FixRun

    name = Path(path)
    config_of = _source_config(_tree(config), name)
    data = source.encode("utf-8") if isinstance(source, str) else source
    run = FixRun(config_of, unsafe=unsafe, write=False)
    return run.fix_bytes(name.as_posix(), name, data).output_bytes, run


def only_changed(results: list[FileResult], ref: str, cwd: Path | None = None
                 ) -> list[FileResult]:
    """``results`` with only the findings on lines changed since git ``ref`` (and in new
    files); :class:`promptlint.gitdiff.GitDiffError` when git cannot tell."""
    from promptlint.gitdiff import changed_lines, keep

    _, changes = changed_lines(ref, cwd or Path.cwd())
    return [replace(r, findings=[f for f in r.findings
                                 if keep(f.path, f.line, f.end_line, f.cell, changes)])
            for r in results]


@dataclass
class NoqaReport:
    added: int = 0  # noqa comments added or extended
    problems: list[str] = field(default_factory=list)  # files left as they were, and why


def add_noqa(results: list[FileResult]) -> NoqaReport:
    """Write a ``# noqa: CODE`` on each line of ``results``' findings (their files, checked
    just before: a file changed since is left as it is)."""
    from promptlint.adopt import add_noqa as noqa_outcome
    from promptlint.fsutil import atomic_write_bytes
    from promptlint.sources import SourceError, read_bytes

    report = NoqaReport()
    for result in results:
        if not result.findings:
            continue
        path = Path(result.path)
        try:
            data = read_bytes(path)
            outcome = noqa_outcome(path, data, result.findings)
            if outcome.data is not None:
                if read_bytes(path) != data:
                    report.problems.append(f"{result.path}: changed while noqa comments were "
                                           "added; left as it is")
                    continue
                atomic_write_bytes(path, outcome.data)
                report.added += outcome.added
        except (SourceError, OSError) as exc:
            report.problems.append(f"{result.path}: cannot add noqa comments: "
                                   f"{getattr(exc, 'strerror', None) or exc}")
    return report
