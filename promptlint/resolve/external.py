"""What lives outside the linted file: other modules of the project and prompt files.

Everything read from disk is size-capped and cached for the run; every file consulted is
recorded as a dependency so that result caches can be invalidated when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptlint.resolve.text import Text

if TYPE_CHECKING:
    import libcst as cst

    from promptlint.resolve.request_scopes import RequestScopes

MAX_PROMPT_FILE_BYTES = 1024 * 1024  # prompt files above 1 MB become holes


@dataclass(frozen=True)
class PathValue:
    path: Path


@dataclass(frozen=True)
class FileHandle:
    path: Path


@dataclass
class LoadedModule:
    path: Path
    module: cst.Module
    scopes: RequestScopes
    digest: str = ""  # of the text parsed, so the linter can reuse the tree
    _positions: Any = None

    def position(self, node: cst.CSTNode) -> tuple[int, int] | None:
        if self._positions is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        where = self._positions.get(node)
        return (where.start.line, where.start.column + 1) if where is not None else None


def text_digest(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Project:
    """Shared across the files of one run: parsed modules, read files, dependencies."""

    root: Path
    modules: dict[Path, LoadedModule | None] = field(default_factory=dict)
    files: dict[Path, str | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    touched: set[Path] = field(default_factory=set)  # files consulted for the current file
    wrapper_config: tuple[str, ...] = ()  # [tool.promptlint] wrappers = ["pkg.mod:func"]
    # the wrappers each imported module defines, by path (filled by resolve.analysis)
    wrappers: dict[Path, dict[str, Any]] = field(default_factory=dict)
    _found: dict[tuple[str, str | None], Path | None] = field(default_factory=dict)

    # ---- modules ----------------------------------------------------------------------------
    def in_sdk(self, path: Path) -> bool:
        """Whether a module file belongs to the ``anthropic`` package itself (a tree that holds
        the SDK, such as a site-packages directory): its facts come from the SDK data, and its
        modules are not loaded as the project's."""
        directory = path.parent
        while (directory / "__init__.py").is_file():
            if directory.name == "anthropic":
                return True
            if directory.parent == directory:
                break
            directory = directory.parent
        return False

    def find_module(self, dotted: str, importer: Path | None) -> Path | None:
        """The source file of ``dotted`` (absolute or relative import) inside the project."""
        key = (dotted, str(importer.parent) if importer is not None else None)
        if key not in self._found:
            self._found[key] = self._find_module(dotted, importer)
        return self._found[key]

    def _find_module(self, dotted: str, importer: Path | None) -> Path | None:
        level = len(dotted) - len(dotted.lstrip("."))
        name = dotted.lstrip(".")
        parts = [p for p in name.split(".") if p]
        bases: list[Path] = []
        if level:
            if importer is None:
                return None
            base = importer.resolve().parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = [self.root, self.root / "src"]
            if importer is not None:
                bases.append(importer.resolve().parent)
        for base in bases:
            target = base.joinpath(*parts) if parts else base
            for candidate in (target.with_suffix(".py"), target / "__init__.py"):
                if parts and candidate.is_file():
                    return candidate.resolve()
            if not parts and (base / "__init__.py").is_file():
                return (base / "__init__.py").resolve()
        return None

    def load(self, path: Path) -> LoadedModule | None:
        try:
            path = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            return None
        self.touched.add(path)
        if path in self.modules:
            return self.modules[path]
        self.modules[path] = None  # guards against import cycles while loading
        try:
            data = path.read_bytes()
            if len(data) > 4 * MAX_PROMPT_FILE_BYTES or b"\x00" in data:
                return None
            import libcst as cst

            from promptlint.resolve.request_scopes import request_scopes
            from promptlint.sources import check_parseable, decode

            text = decode(data).text
            check_parseable(text)  # deep nesting crashes libcst's native parser
            module = cst.parse_module(text)
            loaded = LoadedModule(path, module, request_scopes(module), text_digest(text))
        except Exception:  # unreadable, undecodable, syntax error, too deep: just unknown
            return None
        self.modules[path] = loaded
        return loaded

    # ---- files ------------------------------------------------------------------------------
    def read_text(self, path: Path) -> str | None:
        try:
            path = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            self.warnings.append(f"prompt file {path.name}: symbolic link loop; "
                                 "treated as unknown text")
            return None
        self.touched.add(path)
        if path in self.files:
            return self.files[path]
        text: str | None = None
        problem: str | None = None
        try:
            if path.is_file():
                with path.open("rb") as handle:
                    data = handle.read(MAX_PROMPT_FILE_BYTES + 1)
                if len(data) > MAX_PROMPT_FILE_BYTES:
                    problem = f"over {MAX_PROMPT_FILE_BYTES // (1024 * 1024)} MB"
                elif b"\x00" in data:
                    problem = "binary"
                else:
                    text = data.decode("utf-8")
        except UnicodeDecodeError:
            problem = "not UTF-8"
        except OSError as exc:
            problem = f"cannot read ({exc.strerror or 'error'})"
        if problem is not None:
            self.warnings.append(f"prompt file {path.name}: {problem}; treated as unknown text")
        self.files[path] = text
        return text

    def resolve_relative(self, raw: str, importer: Path | None) -> Path:
        """A relative path string: next to the source file if it exists there, else the root."""
        candidate = Path(raw)
        if candidate.is_absolute():
            return candidate
        if importer is not None:
            near = importer.resolve().parent / candidate
            if near.exists():
                return near
        return self.root / candidate

    def file_text(self, path: Path, node: cst.CSTNode | None) -> Text:
        text = self.read_text(path)
        if text is None:
            return Text.hole(f"contents of {path.name}", node)
        return Text.of(text)
