"""`--diff-against REF`: keep only findings on lines changed since a git ref, so a large
codebase can adopt the gate without fixing everything first."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

# git's own output; anchored at line starts, digits and literals only: linear
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


class GitDiffError(Exception):
    """git is missing, this is not a repository, or the ref is unknown."""


def _git(args: list[str], cwd: Path) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=120)
    except FileNotFoundError:
        raise GitDiffError("--diff-against needs git on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitDiffError("git diff took too long") from None
    if proc.returncode != 0:
        message = (proc.stderr.strip().splitlines() or [""])[-1].strip()
        raise GitDiffError(f"git {args[0]}: {message or f'exited with {proc.returncode}'}")
    return proc.stdout


def changed_lines(ref: str, cwd: Path) -> tuple[Path, dict[str, set[int] | None]]:
    """The repository root and, per changed file (absolute path), the changed line numbers
    of the working tree version (None: every line, for new and untracked files)."""
    root = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    try:
        _git(["rev-parse", "--verify", f"{ref}^{{commit}}"], cwd)
    except GitDiffError as exc:
        raise GitDiffError(f"--diff-against: {ref!r} is not a commit in this repository "
                           f"({exc})") from None
    diff = _git(["diff", "--no-color", "--no-ext-diff", "-U0", "--relative=", ref, "--"], root)
    changes: dict[str, set[int] | None] = {}
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = None if name == "/dev/null" else str((root / name[2:]).resolve())
            if current is not None:
                changes.setdefault(current, set())
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or "1")
                lines = changes[current]
                if lines is not None:
                    lines.update(range(start, start + count))
    for name in _git(["ls-files", "--others", "--exclude-standard"], root).splitlines():
        changes[str((root / name).resolve())] = None
    return root, changes


def keep(path: str, line: int, end_line: int, cell: int | None,
         changes: dict[str, set[int] | None]) -> bool:
    lines = changes.get(str(Path(path).resolve()), set())
    if lines is None or cell is not None and path in changes:
        return True  # a new file, or a changed notebook (its lines are per cell)
    if cell is not None:
        return str(Path(path).resolve()) in changes
    return any(n in lines for n in range(line, end_line + 1))
