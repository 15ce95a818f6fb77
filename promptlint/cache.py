"""Result cache: a file's FileResult keyed by its content, promptlint's version, the model
catalogue and SDK data (the run's salt), the file's configuration, SDK target and what the
output needs (the file's context), and valid only while every file it depended on (imported
prompt modules, prompt files, templates, wrapper modules) still has the same content.

Entries are JSON files written atomically; anything unreadable, corrupt or from another version
is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from promptlint import __version__
from promptlint.findings import (
    Edit,
    FileProblem,
    FileResult,
    Finding,
    Fix,
    Needs,
    Related,
    RequestSummary,
    Safety,
)

FORMAT = 6  # bump when the entry layout changes
CACHE_DIR_NAME = ".promptlint_cache"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_salt() -> str:
    """What every result of a run depends on: promptlint's version, the model catalogue and
    the SDK data."""
    from promptlint import sdk
    from promptlint.models import catalogue

    return "\0".join((__version__, catalogue().version, sdk.sdk_data()["sdk_version"]))


def file_context(fingerprint: str, sdk_target: str, needs: Needs) -> str:
    """What else one file's result depends on: its configuration (``Config.fingerprint()``),
    its project's SDK target (``SdkTarget.key()``) and what the output needs."""
    return "\0".join((fingerprint, sdk_target, needs.key()))


def result_cache(root: Path, cache_dir: Path | None = None, no_cache: bool = False
                 ) -> ResultCache | None:
    """The result cache of a run in the project at ``root``, or None (``no_cache``,
    $PROMPTLINT_NO_CACHE); its directory: ``cache_dir``, else $PROMPTLINT_CACHE_DIR, else
    ``.promptlint_cache`` in the project root."""
    if no_cache or os.environ.get("PROMPTLINT_NO_CACHE"):
        return None
    directory = cache_dir or Path(os.environ.get("PROMPTLINT_CACHE_DIR") or
                                  root / CACHE_DIR_NAME)
    return ResultCache(directory, run_salt())


class ResultCache:
    def __init__(self, directory: Path, salt: str) -> None:
        self.directory = directory
        self.salt = salt  # version + catalogue + SDK data: any change invalidates everything
        self.hits = 0
        self.misses = 0
        self._file_digests: dict[str, str | None] = {}

    def _key(self, name: str, data: bytes, context: str = "") -> str:
        return digest(f"{FORMAT}\0{self.salt}\0{context}\0{name}\0".encode() + data)

    def _entry(self, key: str) -> Path:
        return self.directory / "results" / key[:2] / f"{key}.json"

    def _digest_of(self, path: str) -> str | None:
        if path not in self._file_digests:
            try:
                self._file_digests[path] = digest(Path(path).read_bytes())
            except OSError:
                self._file_digests[path] = None
        return self._file_digests[path]

    def get(self, name: str, data: bytes, context: str = "") -> FileResult | None:
        """The cached result; ``context``: what else it depends on (see :func:`file_context`)."""
        key = self._key(name, data, context)
        try:
            entry = json.loads(self._entry(key).read_text("utf-8"))
            if entry.get("key") != key or entry.get("version") != __version__:
                raise ValueError("stale entry")
            for path, expected in entry["dependencies"].items():
                if self._digest_of(path) != expected:
                    raise ValueError("a dependency changed")
            result = result_from_dict(entry["result"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, name: str, data: bytes, result: FileResult, context: str = "") -> None:
        from promptlint.fsutil import atomic_write_text

        key = self._key(name, data, context)
        dependencies = {}
        for path in result.dependencies:
            found = self._digest_of(path)
            if found is None:
                return  # a dependency we cannot read now: do not cache
            dependencies[path] = found
        entry = {"key": key, "version": __version__, "dependencies": dependencies,
                 "result": result_to_dict(result)}
        target = self._entry(key)
        try:
            self._ensure_directory()
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(target, json.dumps(entry))
        except OSError:
            pass  # a cache that cannot be written only costs time


    def _ensure_directory(self) -> None:
        if not self.directory.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / ".gitignore").write_text("# created by promptlint\n*\n")

    # ---- files with nothing to check, known by their metadata --------------------------------
    # Most files of a tree never make a request. Their verdict ("nothing to check") is kept with
    # the file's size, modification and change times and inode, so that a warm run does not even
    # read them. Any write to a file changes its change time.
    def _index_path(self) -> Path:
        return self.directory / "quiet-files.json"

    def quiet_files(self) -> dict[str, list[int | str]]:
        """Absolute path -> signature (and configuration fingerprint) of the files that had
        nothing to check."""
        try:
            entry = json.loads(self._index_path().read_text("utf-8"))
            if entry.get("salt") != digest(self.salt.encode()) or not isinstance(
                    entry.get("files"), dict):
                return {}
            return entry["files"]
        except (OSError, ValueError, AttributeError):
            return {}

    def save_quiet_files(self, files: dict[str, list[int | str]]) -> None:
        from promptlint.fsutil import atomic_write_text

        try:
            self._ensure_directory()
            atomic_write_text(self._index_path(), json.dumps(
                {"salt": digest(self.salt.encode()), "files": files}))
        except OSError:
            pass


def signature(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def result_to_dict(result: FileResult) -> dict[str, Any]:
    data = asdict(result)
    for finding in data["findings"]:
        if finding["fix"] is not None:
            finding["fix"]["applicability"] = int(finding["fix"]["applicability"])
    return data


def result_from_dict(data: dict[str, Any]) -> FileResult:
    findings = []
    for item in data["findings"]:
        fix = item.pop("fix")
        related = [Related(**r) for r in item.pop("related")]
        if fix is not None:
            fix = Fix(Safety(fix["applicability"]), fix["title"],
                      tuple(Edit(**e) for e in fix["edits"]), bool(fix.get("deferred")))
        findings.append(Finding(**item, related=related, fix=fix))
    problem = data["problem"]
    return FileResult(
        path=data["path"],
        findings=findings,
        problem=FileProblem(**problem) if problem is not None else None,
        requests=[RequestSummary(**r) for r in data["requests"]],
        dependencies=list(data["dependencies"]),
        warnings=list(data["warnings"]),
        wrappers=list(data["wrappers"]),
        request_calls=bool(data.get("request_calls", True)),
    )
