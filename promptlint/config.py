"""Configuration from ``[tool.promptlint]`` in pyproject.toml, overlaid by command-line flags.

Bad configuration raises :class:`ConfigError` with one clear sentence; the CLI exits 2.
"""

from __future__ import annotations

import fnmatch
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


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.promptlint] table, from ``start`` upwards."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{candidate}: cannot read: {exc}") from None
            if "[tool.promptlint" in text:
                return candidate
    return None


def load_table(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    table = data.get("tool", {}).get("promptlint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.promptlint] must be a table")
    return table


def from_table(table: Mapping[str, Any], source: Path | None, base: Config) -> Config:
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            where = f"{source}: " if source else ""
            raise ConfigError(f"{where}unknown key {key!r} in [tool.promptlint] (known: {known})")
        name, convert = _KEYS[key]
        try:
            converted = convert(key, value)
            if isinstance(converted, dict):  # one key that sets several fields
                changes.update(converted)
            else:
                changes[name] = converted
        except ConfigError as exc:
            where = f"{source}: " if source else ""
            raise ConfigError(f"{where}[tool.promptlint] {exc}") from None
    config = replace(base, **changes)
    config.enabled_codes()  # validate selectors now, with the file named
    return config


def load(config_path: Path | None = None, cwd: Path | None = None) -> Config:
    cwd = cwd or Path.cwd()
    path = config_path or find_pyproject(cwd)
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"config file not found: {config_path}")
    if path is None:
        return Config(root=cwd)
    return from_table(load_table(path), path, Config(root=path.parent, source=path))


def with_overrides(config: Config, **overrides: Any) -> Config:
    """Apply command-line values (None means 'not given')."""
    changes = {k: v for k, v in overrides.items() if v is not None}
    updated = replace(config, **changes)
    try:
        updated.enabled_codes()
    except ConfigError as exc:
        raise ConfigError(f"command line: {exc}") from None
    return updated
