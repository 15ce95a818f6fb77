"""Paths on the command line -> the files to check.

Directories are walked with the configured excludes and ``.gitignore`` files honoured; a file
named on the command line is always checked unless ``force-exclude`` is set.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from promptlint.config import Config, ConfigTree

SUFFIXES = (".py", ".pyi", ".ipynb")


class DiscoveryError(Exception):
    """A path given on the command line does not exist."""


@dataclass(frozen=True)
class Candidate:
    path: Path
    explicit: bool
    problem: str | None = None  # found but unusable (an unreadable directory)
    config: Config | None = None  # the file's own (closest) configuration


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    anchored: bool


def _compile(line: str) -> _Pattern | None:
    line = line.rstrip("\n").rstrip("\r")
    if not line.strip() or line.startswith("#"):
        return None
    line = line.rstrip(" ") if not line.endswith("\\ ") else line
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    if line.startswith("\\"):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    anchored = "/" in line
    line = line.lstrip("/")
    regex = ""
    i = 0
    while i < len(line):
        if line.startswith("**/", i):
            regex += "(?:.*/)?"
            i += 3
        elif line.startswith("/**", i) and i + 3 == len(line):
            regex += "/.*"
            i += 3
        elif line.startswith("**", i):
            regex += ".*"
            i += 2
        elif line[i] == "*":
            regex += "[^/]*"
            i += 1
        elif line[i] == "?":
            regex += "[^/]"
            i += 1
        elif line[i] == "[":
            end = line.find("]", i + 1)
            if end == -1:
                regex += re.escape("[")
                i += 1
            else:
                body = line[i + 1:end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                regex += f"[{body}]"
                i = end + 1
        else:
            regex += re.escape(line[i])
            i += 1
    # Not linear in general: a pattern with k wildcards can take time polynomial (degree k) in
    # the length of the name or relative path it is matched against, as in git's own matcher.
    # Both come from the project itself (its .gitignore, its file names of at most 255 bytes).
    return _Pattern(re.compile(f"^{regex}$"), negated, dir_only, anchored)


class GitIgnore:
    def __init__(self) -> None:
        self._rules: dict[Path, list[_Pattern]] = {}
        self._active: list[tuple[str, list[_Pattern]]] = []  # (directory + "/", patterns)

    def load(self, directory: Path) -> None:
        if directory in self._rules:
            return
        file = directory / ".gitignore"
        patterns: list[_Pattern] = []
        try:
            if file.is_file():
                for line in file.read_text("utf-8", errors="replace").splitlines():
                    pattern = _compile(line)
                    if pattern is not None:
                        patterns.append(pattern)
        except OSError:
            pass
        self._rules[directory] = patterns
        if patterns:
            prefix = str(directory).rstrip(os.sep) + os.sep
            self._active.append((prefix, patterns))
            self._active.sort(key=lambda item: len(item[0]))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        return self.ignored_text(str(path), path.name, is_dir)

    def ignored_text(self, text: str, name: str, is_dir: bool) -> bool:
        """``ignored`` for an absolute path given as text, and its last component."""
        verdict = False
        for base, patterns in self._active:  # outermost first, so deeper files win
            if not text.startswith(base):
                continue
            rel = text[len(base):].replace(os.sep, "/")
            for pattern in patterns:
                if pattern.dir_only and not is_dir:
                    continue
                target = rel if pattern.anchored else name
                if pattern.regex.match(target):
                    verdict = not pattern.negated
        return verdict


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or the absolute path when resolving fails (a symlink loop raises
    RuntimeError on Python < 3.13, OSError after)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


class Excluder:
    """`exclude` patterns, matched against a path's name and its path relative to the root
    (compiled once: this runs for every directory entry)."""

    def __init__(self, root: Path, patterns: tuple[str, ...]) -> None:
        self.root = str(_resolved(root)).rstrip(os.sep) + os.sep
        self.root_plain = os.path.abspath(root).rstrip(os.sep) + os.sep
        # fnmatch.translate emulates atomic groups for each `*` (Python 3.9+): no backtracking
        combined = "|".join(fnmatch.translate(p.rstrip("/")) for p in patterns) or "(?!)"
        self.regex = re.compile(combined)

    def __call__(self, path: Path, absolute: str | None = None) -> bool:
        return self.match(path.name, absolute or os.path.abspath(path), path.as_posix())

    def match(self, name: str, absolute: str, as_given: str) -> bool:
        """By name, by the path relative to the root, or (outside the root) as given."""
        if self.regex.match(name):
            return True
        for root in (self.root_plain, self.root):
            if absolute.startswith(root):
                return bool(self.regex.match(absolute[len(root):].replace(os.sep, "/")))
        return bool(self.regex.match(as_given))


def _excluded(path: Path, root: Path, patterns: tuple[str, ...]) -> bool:
    return Excluder(root, patterns)(path)


def _excluded_with_parents(path: Path, root: Path, patterns: tuple[str, ...]) -> bool:
    """For --force-exclude: the path or any directory above it (up to the root) is excluded."""
    absolute = Path(os.path.abspath(path))
    root_abs = Path(os.path.abspath(root))
    for candidate in (absolute, *absolute.parents):
        if candidate == root_abs or root_abs not in candidate.parents and candidate != absolute:
            break
        if _excluded(candidate, root, patterns):
            return True
    return False


def excluded(path: Path, config: Config) -> bool:
    """Whether ``config`` excludes ``path`` or a directory above it (up to its root): what
    ``--force-exclude`` applies to a file named on the command line, and editors to an open
    file."""
    return _excluded_with_parents(path, config.root, _excludes(config))


def discover(paths: list[Path], config: Config | ConfigTree) -> Iterator[Candidate]:
    """Files to check, in a stable order, each with its configuration (a directory with a
    configuration file of its own is walked with that file's excludes). Raises DiscoveryError
    for a missing path."""
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise DiscoveryError(f"{path}: no such file or directory")
    tree = config if isinstance(config, ConfigTree) else ConfigTree.fixed(config)
    seen: set[str] = set()  # absolute paths
    for path in paths:
        own = tree.for_path(path)
        if own.force_exclude and _excluded_with_parents(path, own.root, _excludes(own)):
            continue
        if path.is_dir():
            yield from _walk(path, tree, seen)
        else:
            key = os.path.abspath(path)
            if key not in seen:
                seen.add(key)
                yield Candidate(path, True, config=own)


def _excludes(config: Config) -> tuple[str, ...]:
    return (*config.exclude, *config.extend_exclude)


def _walk(top: Path, tree: ConfigTree, seen: set[str]) -> Iterator[Candidate]:
    ignore = GitIgnore()
    if tree.for_path(top).respect_gitignore:
        absolute = Path(os.path.abspath(top))
        for parent in reversed(absolute.parents):
            ignore.load(parent)
    excluders: dict[int, Excluder] = {}  # by id() of the configuration
    visited_dirs: set[tuple[int, int]] = set()
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            info = directory.stat()
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in visited_dirs:
            continue  # a symlink loop
        visited_dirs.add((info.st_dev, info.st_ino))
        absolute_dir = Path(os.path.abspath(directory))
        config = tree.for_directory(absolute_dir)
        excluded = excluders.get(id(config))
        if excluded is None:
            excluded = excluders[id(config)] = Excluder(config.root, _excludes(config))
        if config.respect_gitignore:
            ignore.load(absolute_dir)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            yield Candidate(directory, False, "cannot read directory: permission denied",
                            config=config)
            continue
        subdirs = []
        prefix = str(absolute_dir).rstrip(os.sep) + os.sep
        given = directory.as_posix().rstrip("/") + "/"
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir and not name.endswith(SUFFIXES):
                continue
            absolute = prefix + name
            if excluded.match(name, absolute, given + name):
                continue
            if config.respect_gitignore and ignore.ignored_text(absolute, name, is_dir):
                continue
            if is_dir:
                subdirs.append(directory / name)
            elif absolute not in seen:
                seen.add(absolute)
                yield Candidate(directory / name, False, config=config)
        stack.extend(reversed(subdirs))
