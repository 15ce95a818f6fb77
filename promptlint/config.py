"""Configuration from ``[tool.promptlint]`` in pyproject.toml (or a ``promptlint.toml`` /
``.promptlint.toml``), the closest one above each file, overlaid by command-line flags.

Bad configuration raises :class:`ConfigError` with one clear sentence; the CLI exits 2.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from promptlint.ruleset import RULES
from promptlint.timelimit import DEFAULT_SECONDS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache",
    ".svn", ".tox", ".venv", ".vscode", "__pypackages__", "_build", "buck-out", "dist",
    "node_modules", "site-packages", "venv", ".promptlint_cache",
)


class ConfigError(Exception):
    """Invalid configuration; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    default_max_tokens: int = 1024
    max_tokens_ceiling: int | None = None
    max_tokens_oversized_factor: float = 8.0
    max_tokens_oversized_floor: int = 256  # PRL104 never reports a max_tokens at or below this
    wrappers: tuple[str, ...] = ()  # "pkg.module:function" or "pkg.module:Class.method"
    # per wrapper: (wrapper parameter, request parameter) pairs the analysis cannot prove
    wrapper_params: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    traffic: tuple[tuple[str, float], ...] = ()
    # the day lifecycle is judged on (YYYY-MM-DD); None: $PROMPTLINT_TODAY, else the UTC date
    today: str | None = None
    # PRL203 findings whose retirement is at most this many days away are errors; the others
    # stay warnings that do not fail the run (None: every finding fails the run, as before)
    fail_within: int | None = None
    # the project's anthropic version or specifier ("0.75", ">=2,<3"); None: read the
    # project's requirements and lock files (see promptlint.sdkversion)
    sdk_version: str | None = None
    file_time_limit: float = DEFAULT_SECONDS  # seconds of analysis per file; 0: no limit
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None  # the pyproject.toml this came from

    def enabled_codes(self) -> frozenset[str]:
        if self.select is None:
            chosen = {code for code, _, default in RULES if default}
        else:
            chosen = set(expand_selectors(self.select, "select"))
        chosen |= set(expand_selectors(self.extend_select, "extend-select"))
        chosen -= set(expand_selectors(self.ignore, "ignore"))
        return frozenset(chosen)

    def ignored_for(self, path: Path) -> frozenset[str]:
        if not self.per_file_ignores:
            return frozenset()
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        out: set[str] = set()
        for pattern, selectors in self.per_file_ignores:
            if (
                fnmatch.fnmatch(rel, pattern)
                or fnmatch.fnmatch(path.name, pattern)
                or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*")
            ):
                out.update(expand_selectors(selectors, "per-file-ignores"))
        return frozenset(out)

    def fingerprint(self) -> str:
        """Stable text of everything that changes results (for result caches)."""
        fields = (
            self.select, self.extend_select, self.ignore, self.per_file_ignores,
            self.default_max_tokens, self.max_tokens_ceiling, self.max_tokens_oversized_factor,
            self.max_tokens_oversized_floor,
            self.wrappers, self.wrapper_params,
            self.day(), self.fail_within, self.sdk_version,
        )
        return repr(fields)

    def __post_init__(self) -> None:
        if self.today is not None:
            from promptlint.lifecycle import DateError, parse_day

            try:
                parse_day(self.today, "today")
            except DateError as exc:
                raise ConfigError(str(exc)) from None

    def day(self) -> str:
        """The day lifecycle is judged on (see :func:`promptlint.lifecycle.today`)."""
        from promptlint.lifecycle import today

        return today(self.today)


def expand_selectors(selectors: Iterable[str], key: str) -> list[str]:
    """Codes for selectors: ``ALL``, a code prefix (``PRL``, ``PRL1``), a code or a rule name."""
    out: list[str] = []
    for selector in selectors:
        text = selector.strip()
        matched = [
            code
            for code, name, _ in RULES
            if text == "ALL" or code.startswith(text.upper()) or name == text
        ]
        if not text or not matched:
            raise ConfigError(f"unknown rule selector {selector!r} in {key}")
        out.extend(matched)
    return out


# key in pyproject -> (Config field, converter)
def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ConfigError(f"{key} must be a list of strings, got {value!r}")
    if not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of strings, got {value!r}")
    return tuple(value)


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{key} must be a positive integer, got {value!r}")
    return value


def _positive_number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{key} must be a positive number, got {value!r}")
    return float(value)


def _days(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{key} must be a number of days (0 or more), got {value!r}")
    return value


def _seconds(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{key} must be a number of seconds (0: no limit), got {value!r}")
    return float(value)


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false, got {value!r}")
    return value


def _per_file_ignores(key: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a table of glob = [rules], got {value!r}")
    out = []
    for pattern, selectors in value.items():
        codes = _str_list(f"{key}.{pattern}", selectors)
        expand_selectors(codes, key)
        out.append((pattern, codes))
    return tuple(out)


def _wrappers(key: str, value: Any) -> dict[str, Any]:
    """`wrappers = ["app.llm:ask", {function = "app.llm:call", params = {limit = "max_tokens"}}]`"""
    if not isinstance(value, list):
        raise ConfigError(f"{key} must be a list of \"module:function\" strings or tables")
    names: list[str] = []
    params: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for item in value:
        if isinstance(item, dict):
            function = item.get("function")
            mapping = item.get("params", {})
            unknown = set(item) - {"function", "params"}
            if unknown or not isinstance(mapping, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
                raise ConfigError(f"{key} tables take function = \"module:function\" and "
                                  "params = {wrapper_parameter = \"request_parameter\"}")
            item = function
            if isinstance(function, str):
                params.append((function, tuple(sorted(mapping.items()))))
        if not isinstance(item, str) or ":" not in item or item.startswith(":"):
            raise ConfigError(f"{key} entries look like \"package.module:function\", "
                              f"got {item!r}")
        names.append(item)
    return {"wrappers": tuple(names), "wrapper_params": tuple(params)}


def _nonempty_str(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} must be a version string such as \"0.75\", got {value!r}")
    return value.strip()


def _traffic(key: str, value: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a table of call site = requests per day")
    return tuple((site, _positive_number(f"{key}.{site}", n)) for site, n in value.items())


_KEYS = {
    "select": ("select", _str_list),
    "extend-select": ("extend_select", _str_list),
    "ignore": ("ignore", _str_list),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "exclude": ("exclude", _str_list),
    "extend-exclude": ("extend_exclude", _str_list),
    "respect-gitignore": ("respect_gitignore", _bool),
    "force-exclude": ("force_exclude", _bool),
    "default-max-tokens": ("default_max_tokens", _positive_int),
    "max-tokens-ceiling": ("max_tokens_ceiling", _positive_int),
    "max-tokens-oversized-factor": ("max_tokens_oversized_factor", _positive_number),
    "max-tokens-oversized-floor": ("max_tokens_oversized_floor", _positive_int),
    "wrappers": ("wrappers", _wrappers),
    "traffic": ("traffic", _traffic),
    "fail-within": ("fail_within", _days),
    "sdk-version": ("sdk_version", _nonempty_str),
    "file-time-limit": ("file_time_limit", _seconds),
}


# The names a configuration file may have, in the order they win within one directory (as
# Ruff's .ruff.toml, ruff.toml, pyproject.toml): the two promptlint files hold the table at
# their top level, pyproject.toml under [tool.promptlint] (and counts only when it has one).
CONFIG_NAMES = (".promptlint.toml", "promptlint.toml", "pyproject.toml")


def config_file_in(directory: Path) -> Path | None:
    """The configuration file of ``directory``, if it has one."""
    for name in CONFIG_NAMES:
        candidate = directory / name
        try:
            if not candidate.is_file():
                continue
        except OSError:  # an unreadable directory has no configuration we can use
            return None
        if name != "pyproject.toml":
            return candidate
        try:
            text = candidate.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{candidate}: cannot read: {exc}") from None
        if "[tool.promptlint" in text:
            return candidate
    return None


def find_config_file(start: Path) -> Path | None:
    """The nearest configuration file, from ``start`` upwards."""
    start = start.resolve()
    for directory in (start, *start.parents):
        found = config_file_in(directory)
        if found is not None:
            return found
    return None


def load_table(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if path.name != "pyproject.toml":
        return data
    table = data.get("tool", {}).get("promptlint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.promptlint] must be a table")
    return table


def load_file(path: Path, _chain: tuple[Path, ...] = ()) -> Config:
    """The configuration of one file, with what it ``extend``s beneath it. Paths in it (the
    root of its excludes and per-file ignores) are relative to the file's directory."""
    path = path.resolve()
    if path in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, path))
        raise ConfigError(f"{_chain[-1]}: extend makes a cycle: {cycle}")
    table = dict(load_table(path))
    base = Config()
    if "extend" in table:
        target = table.pop("extend")
        if not isinstance(target, str) or not target.strip():
            raise ConfigError(f"{path}: extend must be the path of a configuration file, "
                              f"got {target!r}")
        parent = (path.parent / Path(target).expanduser()).resolve()
        if not parent.is_file():
            raise ConfigError(f"{path}: extend: config file not found: {target}")
        base = load_file(parent, (*_chain, path))
    return from_table(table, path, replace(base, root=path.parent, source=path))


def from_table(table: Mapping[str, Any], source: Path | None, base: Config) -> Config:
    where = f"{source}: " if source else ""
    table_name = "" if source is not None and source.name != "pyproject.toml" else (
        "[tool.promptlint] ")
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted([*_KEYS, "extend"]))
            inside = f"in {table_name}" if table_name else ""
            raise ConfigError(f"{where}unknown key {key!r} {inside}(known: {known})")
        name, convert = _KEYS[key]
        try:
            converted = convert(key, value)
            if isinstance(converted, dict):  # one key that sets several fields
                changes.update(converted)
            else:
                changes[name] = converted
        except ConfigError as exc:
            raise ConfigError(f"{where}{table_name}{exc}") from None
    config = replace(base, **changes)
    try:
        config.enabled_codes()  # validate selectors now, with the file named
    except ConfigError as exc:
        raise ConfigError(f"{where}{table_name}{exc}") from None
    return config


def load(config_path: Path | None = None, cwd: Path | None = None) -> Config:
    """The configuration for the working directory: ``config_path``, else the nearest file."""
    cwd = cwd or Path.cwd()
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"config file not found: {config_path}")
    path = config_path or find_config_file(cwd)
    if path is None:
        return Config(root=cwd)
    return load_file(path)


def with_overrides(config: Config, **overrides: Any) -> Config:
    """Apply command-line values (None means 'not given')."""
    changes = {k: v for k, v in overrides.items() if v is not None}
    updated = replace(config, **changes)
    try:
        updated.enabled_codes()
    except ConfigError as exc:
        raise ConfigError(f"command line: {exc}") from None
    return updated


@dataclass(frozen=True)
class Overrides:
    """Command-line values, laid over every configuration file of a run (None and empty:
    not given). ``extend-select``, ``ignore`` and ``extend-exclude`` add to each file's own."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool | None = None
    respect_gitignore: bool | None = None
    today: str | None = None
    fail_within: int | None = None

    def apply(self, config: Config) -> Config:
        return with_overrides(
            config,
            select=self.select,
            extend_select=(config.extend_select + self.extend_select) or None,
            ignore=(config.ignore + self.ignore) or None,
            exclude=self.exclude,
            extend_exclude=(config.extend_exclude + self.extend_exclude) or None,
            force_exclude=self.force_exclude,
            respect_gitignore=self.respect_gitignore,
            today=self.today,
            fail_within=self.fail_within,
        )


class ConfigTree:
    """The configuration of each file of a run, as Ruff finds it: the closest configuration
    file above the file (``.promptlint.toml``, ``promptlint.toml`` or a ``pyproject.toml`` with
    ``[tool.promptlint]``), the command line's overrides laid over it. A file with no
    configuration above it gets the working directory's (``default``). ``config_path`` (the
    ``--config`` flag) is used for every file; ``isolated`` reads no file at all."""

    def __init__(self, config_path: Path | None = None, isolated: bool = False,
                 overrides: Overrides | None = None, cwd: Path | None = None) -> None:
        self.cwd = cwd or Path.cwd()
        self.overrides = overrides or Overrides()
        self.single = config_path is not None or isolated
        base = Config(root=self.cwd) if isolated else load(config_path, self.cwd)
        self.default = self.overrides.apply(base)
        self._by_file: dict[Path, Config] = {}
        self._by_directory: dict[str, Config] = {}
        if self.default.source is not None:
            self._by_file[self.default.source.resolve()] = self.default

    @classmethod
    def fixed(cls, config: Config) -> ConfigTree:
        """A tree that gives ``config`` to every file."""
        tree = cls(isolated=True, cwd=config.root)
        tree.default = config
        return tree

    def for_path(self, path: Path) -> Config:
        """The configuration of a file (or of a directory named as a path)."""
        if self.single:
            return self.default
        absolute = os.path.abspath(path)
        return self.for_directory(absolute if os.path.isdir(absolute)
                                  else os.path.dirname(absolute))

    def for_directory(self, directory: Path | str) -> Config:
        """The configuration of the files directly inside ``directory``."""
        if self.single:
            return self.default
        key = os.path.abspath(directory)
        found = self._by_directory.get(key)
        if found is not None:
            return found
        file = config_file_in(Path(key))
        if file is not None:
            config = self._load(file)
        else:
            parent = os.path.dirname(key)
            config = self.default if parent == key else self.for_directory(parent)
        self._by_directory[key] = config
        return config

    def _load(self, file: Path) -> Config:
        key = file.resolve()
        config = self._by_file.get(key)
        if config is None:
            config = self._by_file[key] = self.overrides.apply(load_file(key))
        return config
