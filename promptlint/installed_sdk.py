"""What the ``anthropic`` package installed on this machine knows about models, read as text.

Importing ``anthropic`` costs seconds, so nothing here imports it: the package directory is
found with :class:`importlib.machinery.PathFinder` (which runs no package code) and three files
are parsed with :mod:`ast`:

- ``_version.py``: ``__version__``;
- ``types/model_param.py``: the model IDs in ``ModelParam``'s ``Literal[...]``;
- ``_data/deprecated_models.py`` (SDK 2.13+) and ``resources/messages/messages.py`` (older SDKs
  keep their own copy): ``DEPRECATED_MODELS = {"model-id": "January 22nd, 2027", ...}``, the
  end-of-life dates the SDK warns about.

The result is cached for the process. Callers use it only when the bundled catalogue has no
answer (an ID it does not know), or on request (``promptlint models``), so checks of files
whose models are known never read it.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib.machinery import PathFinder
from pathlib import Path

DISABLE_ENV = "PROMPTLINT_NO_INSTALLED_SDK"
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)\b")


@dataclass(frozen=True)
class InstalledSdk:
    version: str
    path: Path
    model_ids: frozenset[str] = frozenset()
    # model id -> ISO end-of-life date, and the file that said so
    deprecations: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    deprecation_file: str = ""

    def describe(self) -> str:
        return f"installed anthropic {self.version}"


def package_dir() -> Path | None:
    """The installed ``anthropic`` package directory on ``sys.path``, without importing it."""
    spec = PathFinder.find_spec("anthropic", sys.path)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _read(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def _version(tree: ast.Module | None) -> str:
    for node in tree.body if tree else ():
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__version__" for t in targets):
                value = node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    return value.value
    return "unknown"


def _model_ids(tree: ast.Module | None) -> frozenset[str]:
    """String constants inside the ``Literal[...]`` of the ``ModelParam`` assignment."""
    ids: set[str] = set()
    for node in tree.body if tree else ():
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) else [])
        if not any(isinstance(t, ast.Name) and t.id == "ModelParam" for t in targets):
            continue
        for sub in ast.walk(node):
            if (isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name)
                    and sub.value.id == "Literal"):
                for const in ast.walk(sub.slice):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str):
                        ids.add(const.value)
    return frozenset(ids)


def sdk_day(text: str) -> str | None:
    """'January 22nd, 2027' (the SDK's wording) as '2027-01-22'; None if it is not a date."""
    cleaned = _ORDINAL.sub(r"\1", text.strip())
    for fmt in ("%B %d, %Y", "%B %d %Y", "%Y-%m-%d", "%b %d, %Y"):
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _deprecations(tree: ast.Module | None) -> dict[str, str] | None:
    for node in tree.body if tree else ():
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) else [])
        if not any(isinstance(t, ast.Name) and t.id == "DEPRECATED_MODELS" for t in targets):
            continue
        if not isinstance(node.value, ast.Dict):
            return None  # imported or computed: not readable as text
        out: dict[str, str] = {}
        for key, value in zip(node.value.keys, node.value.values, strict=False):
            if (isinstance(key, ast.Constant) and isinstance(key.value, str)
                    and isinstance(value, ast.Constant) and isinstance(value.value, str)):
                day = sdk_day(value.value)
                if day is not None:
                    out[key.value] = day
        return out
    return None


@lru_cache(maxsize=1)
def installed() -> InstalledSdk | None:
    """The installed SDK's model facts, or None (not installed, unreadable, or disabled)."""
    if os.environ.get(DISABLE_ENV):
        return None
    root = package_dir()
    if root is None or not (root / "types" / "model_param.py").is_file():
        return None
    deprecations: dict[str, str] = {}
    where = ""
    for rel in ("_data/deprecated_models.py", "resources/messages/messages.py"):
        found = _deprecations(_read(root / rel))
        if found is not None:
            deprecations, where = found, rel
            break
    return InstalledSdk(
        version=_version(_read(root / "_version.py")),
        path=root,
        model_ids=_model_ids(_read(root / "types" / "model_param.py")),
        deprecations=deprecations,
        deprecation_file=where,
    )
