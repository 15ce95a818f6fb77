"""The project's own ``anthropic`` version, as Ruff's ``target-version``.

For a linted file, the nearest directory (from the file's upwards, not past the first project
boundary: a ``pyproject.toml``, ``setup.py``, ``setup.cfg`` or ``.git``) that declares or locks
``anthropic`` decides. In that directory a ``[tool.promptlint] sdk-version`` wins, then a lock
file (``uv.lock``, ``poetry.lock``, ``pylock.toml``: the locked version), then the declared
requirements (``[project]`` dependencies and optional dependencies, ``[dependency-groups]``,
Poetry's dependencies, ``setup.cfg``, a literal ``install_requires`` in ``setup.py``, read with
``ast`` and never executed, and ``requirements*.txt``; several declarations must all hold).
``sdk-version`` in the configuration in use overrides all of it.

A requirement admits a set of SDK releases. Rules judge by the newest release it admits (what a
fresh install resolves) and say so; the oldest admitted release is kept for messages about what
an older install in the range does. Nothing declared means the newest SDK promptlint has data
for, and messages say that this was assumed.

Each directory is read once per process. Problems (a malformed ``anthropic`` requirement, an
unreadable lock file, a version no release matches) become one warning each and are otherwise
ignored; they never stop a run.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from promptlint import sdk

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PACKAGE = "anthropic"
LOCK_FILES = ("uv.lock", "poetry.lock", "pylock.toml")
BOUNDARIES = ("pyproject.toml", "setup.py", "setup.cfg", ".git")

Predicate = Callable[[str], bool]


class SpecError(ValueError):
    """A version specifier that cannot be read."""


@dataclass(frozen=True)
class SdkTarget:
    """The SDK releases a project's ``anthropic`` requirement admits."""

    newest: str  # the release rules judge by
    oldest: str
    requirement: str  # as written, e.g. "anthropic==0.75.0" ("" when nothing is declared)
    source: str  # where it was found, e.g. "requirements.txt", "uv.lock"
    assumed: bool = False  # nothing usable was declared: the newest supported SDK
    warnings: tuple[str, ...] = ()

    @property
    def single(self) -> bool:
        return self.newest == self.oldest

    def describe(self) -> str:
        """How the project's SDK version is known, for messages."""
        if self.assumed:
            return (f"no anthropic version declared: assuming the newest supported, "
                    f"{self.newest}")
        if self.single:
            return f"the project's anthropic is {self.newest}, from {self.source}"
        return (f"the project's `{self.requirement}` in {self.source} admits "
                f"{self.oldest} to {self.newest}")

    def key(self) -> str:
        """What results depend on (part of the result cache's key)."""
        return f"sdk={self.oldest}..{self.newest}{'?' if self.assumed else ''}"


def default_target(warnings: tuple[str, ...] = ()) -> SdkTarget:
    newest = sdk.newest_version()
    return SdkTarget(newest, newest, "", "default", assumed=True, warnings=warnings)


# ---- versions and specifiers ------------------------------------------------------------------
@lru_cache(maxsize=1)
def _releases() -> tuple[str, ...]:
    listed = str(sdk.sdk_data().get("releases", "")).split()
    known = set(listed) | set(sdk.sampled_versions()) | {sdk.newest_version()}
    return tuple(sorted(known, key=_key))


def releases() -> list[str]:
    """Every known final release of the SDK, oldest first."""
    return list(_releases())


def _key(version: str) -> sdk.VersionKey:
    key = sdk.version_key(version)
    if key is None:
        raise SpecError(f"invalid version {version!r}")
    return key


def _release(version: str) -> tuple[int, ...]:
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    if match is None:
        raise SpecError(f"invalid version {version!r}")
    return tuple(int(p) for p in match.group(1).split("."))


# Requirement lines of the project's own files. Linear: anchored; operators, blanks and version
# characters are disjoint classes.
_CLAUSE = re.compile(r"^\s*(===|==|!=|~=|>=|<=|>|<)\s*([0-9][0-9A-Za-z.+*!_-]*)\s*$")


def _clause(text: str) -> Predicate:
    match = _CLAUSE.match(text)
    if match is None:
        raise SpecError(f"invalid version specifier {text.strip()!r}")
    op, version = match.groups()
    if op == "===":
        return lambda v: v == version
    if version.endswith(".*"):
        if op not in ("==", "!="):
            raise SpecError(f"invalid version specifier {text.strip()!r}")
        prefix = _release(version[:-2])

        def starts(v: str) -> bool:
            release = _release(v) + (0,) * len(prefix)
            return release[:len(prefix)] == prefix

        return starts if op == "==" else (lambda v: not starts(v))
    if "*" in version:
        raise SpecError(f"invalid version specifier {text.strip()!r}")
    bound = _key(version.split("+")[0])
    if op == "~=":
        release = _release(version)
        if len(release) < 2:
            raise SpecError(f"invalid version specifier {text.strip()!r}")
        prefix = ".".join(str(p) for p in release[:-1]) + ".*"
        same = _clause(f"=={prefix}")
        return lambda v: _key(v) >= bound and same(v)
    compare: dict[str, Callable[[sdk.VersionKey], bool]] = {
        "==": lambda k: k == bound, "!=": lambda k: k != bound, ">=": lambda k: k >= bound,
        "<=": lambda k: k <= bound, ">": lambda k: k > bound, "<": lambda k: k < bound,
    }
    check = compare[op]
    return lambda v: check(_key(v))


def pep440_spec(text: str) -> Predicate:
    """A PEP 440 specifier set (``>=0.75,<1``; empty admits everything)."""
    clauses = [_clause(part) for part in text.split(",") if part.strip()]
    return lambda v: all(c(v) for c in clauses)


def poetry_spec(text: str) -> Predicate:
    """A Poetry constraint: ``^0.75``, ``~1.2``, ``*``, ``1.2.3``, ``>=1,<2``, ``a || b``."""
    alternatives: list[list[Predicate]] = []
    for alternative in re.split(r"\|\|?", text):
        joined = re.sub(r"(>=|<=|==|!=|~=|>|<|\^|~)\s+", r"\1", alternative.strip())
        clauses = [_poetry_clause(part) for part in re.split(r"[,\s]+", joined) if part]
        if not clauses:
            raise SpecError(f"invalid version constraint {text.strip()!r}")
        alternatives.append(clauses)
    return lambda v: any(all(c(v) for c in clauses) for clauses in alternatives)


def _poetry_clause(part: str) -> Predicate:
    if part == "*":
        return lambda v: True
    if part[0] in "^~" and not part.startswith("~="):
        release = list(_release(part[1:]))
        if part[0] == "^":
            index = next((i for i, p in enumerate(release) if p != 0), len(release) - 1)
        else:
            index = 0 if len(release) == 1 else 1
        upper = release[:index + 1]
        upper[-1] += 1
        top = ".".join(str(p) for p in upper)
        return pep440_spec(f">={part[1:]},<{top}")
    if part[0].isdigit():
        return _clause(f"=={part}")
    return _clause(part)


_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$", re.S)


def requirement_spec(line: str) -> Predicate | None:
    """The specifier of a PEP 508 requirement on ``anthropic``; None when it names another
    package. Raises SpecError when it names anthropic and cannot be read."""
    text = line.split(";", 1)[0].strip()
    match = _NAME.match(text)
    if match is None or not _is_anthropic(match.group(1)):
        return None
    rest = match.group(3).strip()
    if rest.startswith("@"):
        raise SpecError(f"{text!r} is a direct reference, not a version")
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    return pep440_spec(rest)


def _is_anthropic(name: str) -> bool:
    return re.sub(r"[-_.]+", "-", name).lower() == PACKAGE


def _bare_version(text: str) -> Predicate:
    """``sdk-version = "0.75"``: that release line (0.75.x); a specifier is also accepted."""
    text = text.strip()
    if text and text[0].isdigit():
        _release(text)
        return _clause(f"=={text}.*")
    return pep440_spec(text)


# ---- reading a directory ------------------------------------------------------------------------
@dataclass
class _Found:
    specs: list[tuple[Predicate, str, str]]  # (predicate, requirement text, file)
    warnings: list[str]

    def add(self, file: str, text: str, spec: Callable[[], Predicate | None]) -> None:
        try:
            found = spec()
        except SpecError as exc:
            self.warnings.append(f"{file}: cannot read the anthropic requirement "
                                 f"{text.strip()!r} ({exc}); ignored")
            return
        if found is not None:
            self.specs.append((found, text.strip(), file))


def _read_toml(path: Path, found: _Found) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        found.warnings.append(f"{path.name}: cannot read ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else 'unreadable'}); "
                              "ignored")
        return None


def _pyproject(path: Path, found: _Found) -> str | None:
    """Declarations in pyproject.toml; returns ``[tool.promptlint] sdk-version`` if set."""
    data = _read_toml(path, found)
    if data is None:
        return None
    name = path.name
    project = data.get("project", {})
    lists: list[Any] = []
    if isinstance(project, dict):
        lists.append(project.get("dependencies", []))
        optional = project.get("optional-dependencies", {})
        if isinstance(optional, dict):
            lists.extend(optional.values())
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        lists.extend(groups.values())
    for items in lists:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, str):
                found.add(name, item, lambda item=item: requirement_spec(item))
    poetry = data.get("tool", {}).get("poetry", {})
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
        for group in (poetry.get("group", {}) or {}).values():
            if isinstance(group, dict):
                tables.append(group.get("dependencies", {}))
        for table in tables:
            for key, value in (table.items() if isinstance(table, dict) else ()):
                if not _is_anthropic(key):
                    continue
                constraint = value.get("version") if isinstance(value, dict) else value
                if isinstance(constraint, str):
                    found.add(name, f"{key} = {constraint!r}",
                              lambda c=constraint: poetry_spec(c))
    setting = data.get("tool", {}).get("promptlint", {})
    value = setting.get("sdk-version") if isinstance(setting, dict) else None
    return value if isinstance(value, str) else None


def _requirements(path: Path, found: _Found) -> None:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        found.warnings.append(f"{path.name}: cannot read ({type(exc).__name__}); ignored")
        return
    text = re.sub(r"\\\r?\n", " ", text)
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.split(r"(?:^|\s)#", raw, maxsplit=1)[0].strip()
        line = re.split(r"\s--?[a-z]", " " + line, maxsplit=1)[0].strip()
        if not line or line.startswith("-"):
            continue
        found.add(f"{path.name}:{number}", line, lambda line=line: requirement_spec(line))


def _setup_cfg(path: Path, found: _Found) -> None:
    import configparser  # only for projects that have a setup.cfg (start-up time)

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        found.warnings.append(f"{path.name}: cannot read ({type(exc).__name__}); ignored")
        return
    values = []
    if parser.has_option("options", "install_requires"):
        values.append(parser.get("options", "install_requires"))
    if parser.has_section("options.extras_require"):
        values.extend(v for _, v in parser.items("options.extras_require"))
    for value in values:
        for line in value.splitlines():
            line = line.split("#")[0].strip()
            if line:
                found.add(path.name, line, lambda line=line: requirement_spec(line))


def _setup_py(path: Path, found: _Found) -> None:
    """Literal ``install_requires`` / ``extras_require`` of a ``setup()`` call (or a module
    level name bound once to a literal), read with ``ast``: setup.py is never executed."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError) as exc:
        found.warnings.append(f"{path.name}: cannot read ({type(exc).__name__}); ignored")
        return
    names: dict[str, list[ast.expr]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, []).append(node.value)

    def literal(node: ast.expr) -> Any:
        if isinstance(node, ast.Name) and len(names.get(node.id, [])) == 1:
            node = names[node.id][0]
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, RecursionError):
            return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else "")
        if called != "setup":
            continue
        for keyword in node.keywords:
            value = literal(keyword.value) if keyword.arg in (
                "install_requires", "extras_require") else None
            groups = list(value.values()) if isinstance(value, dict) else [value]
            for group in groups:
                items = [group] if isinstance(group, str) else group
                for item in items if isinstance(items, (list, tuple)) else []:
                    if isinstance(item, str):
                        found.add(path.name, item, lambda item=item: requirement_spec(item))


def _locked(path: Path, found: _Found) -> list[str] | None:
    """Versions of anthropic a lock file pins (None: not in it, or unreadable)."""
    data = _read_toml(path, found)
    if data is None:
        return None
    packages = data.get("package", data.get("packages", []))
    versions = [p.get("version") for p in packages if isinstance(p, dict)
                and isinstance(p.get("name"), str) and _is_anthropic(p["name"])
                and isinstance(p.get("version"), str)] if isinstance(packages, list) else []
    return versions or None


def _declares(directory: Path) -> list[Path]:
    """The files of ``directory`` that may declare or lock anthropic."""
    out = [directory / n for n in ("pyproject.toml", "setup.cfg", "setup.py", *LOCK_FILES)
           if (directory / n).is_file()]
    try:
        out.extend(sorted(directory.glob("requirements*.txt")))
        requirements_dir = directory / "requirements"
        if requirements_dir.is_dir():
            out.extend(sorted(requirements_dir.glob("*.txt")))
    except OSError:
        pass
    return out


def _target(specs: list[tuple[Predicate, str, str]], source: str,
            warnings: list[str]) -> SdkTarget:
    known = releases()
    admitted = [v for v in known if all(spec(v) for spec, _, _ in specs)]
    requirement = ", ".join(dict.fromkeys(text for _, text, _ in specs))
    if not admitted:
        warnings.append(f"{source}: no anthropic release promptlint knows matches "
                        f"{requirement!r} (known: {known[0]} to {known[-1]}); assuming the "
                        f"newest supported, {sdk.newest_version()}")
        return default_target(tuple(warnings))
    return SdkTarget(admitted[-1], admitted[0], requirement, source, warnings=tuple(warnings))


def read_directory(directory: Path) -> SdkTarget | None:
    """The SDK target declared in ``directory`` alone, or None when it declares nothing."""
    found = _Found([], [])
    setting: str | None = None
    locks: list[tuple[str, list[str]]] = []
    for path in _declares(directory):
        if path.name == "pyproject.toml":
            setting = _pyproject(path, found)
        elif path.name == "setup.cfg":
            _setup_cfg(path, found)
        elif path.name == "setup.py":
            _setup_py(path, found)
        elif path.name in LOCK_FILES:
            versions = _locked(path, found)
            if versions:
                locks.append((path.name, versions))
        else:
            _requirements(path, found)
    if setting is not None:
        return from_setting(setting, "pyproject.toml [tool.promptlint] sdk-version",
                            found.warnings)
    if locks:
        name, versions = locks[0]
        keys = {sdk.version_key(v) for v in versions}
        return _target([(lambda v: sdk.version_key(v) in keys,
                         f"anthropic=={' | '.join(versions)}", name)], name, found.warnings)
    if found.specs:
        files = ", ".join(dict.fromkeys(file.split(":")[0] for _, _, file in found.specs))
        return _target(found.specs, files, found.warnings)
    if found.warnings:
        return default_target(tuple(found.warnings))
    return None


def from_setting(value: str, source: str, warnings: list[str] | None = None) -> SdkTarget:
    """``sdk-version`` as configured: a version ("0.75" means the 0.75 releases) or a
    specifier (">=2,<3")."""
    warnings = list(warnings or [])
    try:
        spec = _bare_version(value)
    except SpecError as exc:
        warnings.append(f"{source}: cannot read {value!r} ({exc}); assuming the newest "
                        f"supported, {sdk.newest_version()}")
        return default_target(tuple(warnings))
    return _target([(spec, f"anthropic {value}" if value[:1].isdigit() else
                     f"anthropic{value}", source)], source, warnings)


_read_once = lru_cache(maxsize=1024)(read_directory)  # each folder's files: read once a run


@lru_cache(maxsize=1024)
def _for_directory(directory: Path) -> SdkTarget:
    for folder in (directory, *directory.parents):
        target = _read_once(folder)
        if target is not None:
            return target
        if any((folder / name).exists() for name in BOUNDARIES):
            break
    return default_target()


@lru_cache(maxsize=64)
def _configured(value: str) -> SdkTarget:
    return from_setting(value, "[tool.promptlint] sdk-version")


def target_for(path: Path, configured: str | None = None) -> SdkTarget:
    """The SDK target of the project a linted file belongs to (read once per directory)."""
    if configured is not None:
        return _configured(configured)
    try:
        directory = path.resolve().parent
    except OSError:
        return default_target()
    return _for_directory(directory)
