"""A `promptlint fix` run over many files: lint them all through :class:`promptlint.run.Run`
(the pool and the cache, as `check`), then run the fix loop, in this process, on the files that
have applicable fixes; write atomically, collect diffs and results."""

from __future__ import annotations

import contextlib
import difflib
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from promptlint import screen
from promptlint.cache import ResultCache
from promptlint.config import Config
from promptlint.discovery import Candidate
from promptlint.findings import FileResult, Finding
from promptlint.fix.loop import applicable, fix_document, make_document
from promptlint.fsutil import atomic_write_bytes
from promptlint.resolve.external import Project
from promptlint.run import Run, display_path, imported_wrapper_names, within_budget
from promptlint.sources import SourceError, read_bytes


class _Interrupts:
    """Ctrl-C while a file is being fixed stops the run once that file is done (a second
    Ctrl-C stops at once). An interrupt inside libcst's code generation can otherwise surface as
    an unrelated exception (its cleanup code fails), and the file would be lost half-way."""

    def __init__(self) -> None:
        self.pending = False

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Within the block, a first Ctrl-C only sets ``pending``."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: object) -> None:
            if self.pending:
                raise KeyboardInterrupt
            self.pending = True

        try:
            previous = signal.signal(signal.SIGINT, handler)
        except (ValueError, OSError):  # not in the main interpreter
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def stop_if_pending(self) -> None:
        if self.pending:
            raise KeyboardInterrupt


@dataclass
class StdinOutcome:
    output_bytes: bytes


@dataclass
class FixRun:
    config: Config
    unsafe: bool = False
    write: bool = True
    cache: ResultCache | None = None
    config_for: Callable[[Path], Config] | None = None
    results: list[FileResult] = field(default_factory=list)  # after the fixes
    linted: list[FileResult] = field(default_factory=list)  # before them (as `check` sees)
    applied: list[tuple[str, Finding]] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    files_fixed: int = 0
    _project: Project | None = field(default=None, repr=False)
    # per file: the wrappers its lint in the run looked for (None: found by its imports)
    _words: dict[Path, frozenset[str]] = field(default_factory=dict, repr=False)

    def fix_candidates(self, candidates: Iterable[Candidate],
                       on_file: Callable[[], None] | None = None) -> None:
        """Lint every file as `check` does, then fix those with fixes to apply."""
        items = list(candidates)
        # (the result of a file about to be fixed is stale once the file is written)
        run = Run(self.config, config_for=self.config_for, cache=self.cache, on_file=on_file,
                  cache_if=lambda result: not self._to_fix(result))
        interrupts = _Interrupts()
        with interrupts.deferred():  # (stopped during the lint: the first file to fix is fixed)
            results = self.linted = run.check(items)
        self._project = run.project
        by_name = {result.path: result for result in results}
        for candidate in items:
            result = by_name.get(display_path(candidate.path))
            if result is None:
                continue
            if result.problem is not None or not self._to_fix(result):
                self._problem(result)
                continue
            self._words[candidate.path] = run.wrapper_words(candidate.path)
            count = len(self.results)
            self.fix_candidate(candidate)
            for fixed in self.results[count:]:  # warnings about the project, met once a run
                fixed.warnings.extend(w for w in result.warnings if w not in fixed.warnings)
            interrupts.stop_if_pending()
        interrupts.stop_if_pending()

    def _to_fix(self, result: FileResult) -> bool:
        return any(applicable(f, self.unsafe) for f in result.findings)

    def fix_candidate(self, candidate: Candidate) -> None:
        interrupts = _Interrupts()
        with interrupts.deferred():
            self._fix_candidate(candidate)
        interrupts.stop_if_pending()

    def _fix_candidate(self, candidate: Candidate) -> None:
        name = display_path(candidate.path)
        if candidate.problem is not None:
            self._problem(screen.problem(name, candidate.problem))
            return
        try:
            data = read_bytes(candidate.path)
        except SourceError as exc:
            self._problem(screen.problem(name, str(exc)))
            return
        new = self._fix(name, candidate.path, data)
        if new is None or new == data:
            return
        if self.write:
            # Another process (a second `promptlint fix`, an editor, a formatter) may have
            # written the file while it was being fixed: never overwrite what it wrote.
            try:
                current = read_bytes(candidate.path)
            except SourceError:
                current = None
            if current == new:  # a concurrent run wrote the same fixes
                return
            if current != data:
                self.problems.append(f"{name}: changed while it was being fixed; left as it "
                                     "is (run fix again)")
                return
            try:
                atomic_write_bytes(candidate.path, new)
            except OSError as exc:
                self.problems.append(
                    f"{name}: could not write the fixed file ({exc.strerror or exc}); "
                    "the original is unchanged"
                )
                return
        self.files_fixed += 1

    def fix_bytes(self, name: str, path: Path, data: bytes) -> StdinOutcome:
        new = self._fix(name, path, data)
        return StdinOutcome(new if new is not None else data)

    def _fix(self, name: str, path: Path, data: bytes) -> bytes | None:
        """The fixed bytes (None: nothing to write); a file whose analysis exceeds the time
        budget is left as it is, with a one-line problem."""
        fixed = within_budget(name, self.config_for(path) if self.config_for else self.config,
                              lambda: self._fix_within_budget(name, path, data))
        if isinstance(fixed, FileResult):
            self._problem(fixed)
            return None
        return fixed

    def _fix_within_budget(self, name: str, path: Path, data: bytes) -> bytes | None:
        config = self.config_for(path) if self.config_for else self.config
        if self._project is None:
            self._project = Project(self.config.root)
        words = self._words.get(path)
        names = frozenset(imported_wrapper_names(data, path, self._project)) if (
            words is None) else frozenset(word.encode() + b"(" for word in words)
        source = screen.screen_for_fix(name, path, data, names)
        if isinstance(source, FileResult):
            if source.problem is not None:
                self._problem(source)
            else:
                self.results.append(source)
            return None
        outcome = fix_document(make_document(source), name, config, self.unsafe,
                               self._project, words or frozenset())
        result = outcome.result or FileResult(name)
        if result.problem is not None:
            self._problem(result)
        self.results.append(result)
        for message in outcome.problems:
            self.problems.append(f"{name}: {message}")
        self.applied.extend((name, f) for f in outcome.applied)
        if outcome.data is None:
            return None
        encoding = source.encoding if source.notebook is None else "utf-8"
        before = data.decode(encoding, errors="replace")
        after = outcome.data.decode(encoding, errors="replace")
        if before.startswith("\ufeff"):
            before, after = before[1:], after.lstrip("\ufeff")
        self.diffs.append("".join(difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            fromfile=f"a/{name}", tofile=f"b/{name}",
        )))
        return outcome.data

    def _problem(self, result: FileResult) -> None:
        if result.problem is not None:
            self.problems.append(result.problem.render())
        if result not in self.results:
            self.results.append(result)

    def summary(self, diff: bool) -> str:
        remaining = [f for r in self.results for f in r.findings]
        fixed = len(self.applied)
        if diff:
            verb = "would fix" if self.diffs else "No fixes to apply."
            if not self.diffs:
                return verb + "\n"
            return f"{len(self.diffs)} file(s) {verb} ({fixed} fix(es)); nothing written.\n"
        lines = []
        total = fixed + len(remaining)
        if total == 0:
            return "All checks passed!\n"
        lines.append(f"Found {total} error{'s' if total != 1 else ''} "
                     f"({fixed} fixed, {len(remaining)} remaining).")
        hidden = sum(1 for f in remaining if applicable(f, True)) if not self.unsafe else 0
        if hidden:
            lines.append(f"No more safe fixes; {hidden} hidden fixes can be enabled with the "
                         "`--unsafe-fixes` option.")
        return "\n".join(lines) + "\n"
