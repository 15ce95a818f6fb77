"""Values that live outside the linted file: other modules, prompt files, Jinja2 templates.

Everything read from disk is size-capped and cached for the run; every file consulted is
recorded as a dependency so that result caches can be invalidated when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptlint.resolve.text import Segment, Text

if TYPE_CHECKING:
    import libcst as cst

MAX_PROMPT_FILE_BYTES = 1024 * 1024  # prompt files above 1 MB become holes
MAX_TEMPLATE_DEPTH = 8


@dataclass(frozen=True)
class PathValue:
    path: Path


@dataclass(frozen=True)
class FileHandle:
    path: Path


@dataclass(frozen=True)
class LoaderValue:
    directories: tuple[Path, ...]


@dataclass(frozen=True)
class EnvironmentValue:
    loader: LoaderValue | None


@dataclass(frozen=True)
class TemplateValue:
    source: str | None  # template text, or None when it could not be read
    name: str
    loader: LoaderValue | None = None
    path: Path | None = None
    problem: str | None = None


@dataclass
class LoadedModule:
    path: Path
    module: cst.Module
    scopes: Any  # RequestScopes
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

    # ---- templates --------------------------------------------------------------------------
    def template_from_loader(self, loader: LoaderValue | None, name: str) -> TemplateValue:
        for directory in loader.directories if loader else ():
            path = directory / name
            text = self.read_text(path)
            if text is not None:
                return TemplateValue(text, name, loader, path)
        return TemplateValue(None, name, loader, problem=f"template {name!r} not found")

    def render(self, template: TemplateValue, context: dict[str, str], node: cst.CSTNode,
               depth: int = 0, varying: set[str] | None = None) -> Text:
        """The text a template renders to: static text, and holes for what varies."""
        if template.source is None:
            return Text.hole(f"template {template.name}", node)
        try:
            import jinja2
            from jinja2 import nodes
        except ImportError:  # pragma: no cover - jinja2 is a dependency
            return Text.hole(f"template {template.name}", node)
        try:
            ast = jinja2.Environment().parse(template.source)
        except jinja2.TemplateSyntaxError as exc:
            where = template.path.name if template.path else template.name
            self.warnings.append(f"template {where}:{exc.lineno}: syntax error: {exc.message}")
            return Text.hole(f"template {template.name}", node)
        parts: list[Text | Segment | str] = []
        self._render_nodes(ast.body, template, context, node, depth, parts, nodes,
                           varying or set())
        return Text.of(*parts)

    def _render_nodes(self, body: list[Any], template: TemplateValue, context: dict[str, str],
                      node: cst.CSTNode, depth: int, parts: list[Any], nodes: Any,
                      varying: set[str]) -> None:
        for item in body:
            if isinstance(item, nodes.Output):
                for child in item.nodes:
                    if isinstance(child, nodes.TemplateData):
                        parts.append(child.data)
                    elif isinstance(child, nodes.Name) and child.name in context:
                        parts.append(context[child.name])
                    else:
                        root = _jinja_root(child)
                        parts.append(Segment(None, "{{ " + _jinja_expr(child) + " }}", node,
                                             varies=root in varying))
            elif isinstance(item, nodes.Include) and depth < MAX_TEMPLATE_DEPTH:
                name = item.template.value if isinstance(item.template, nodes.Const) else None
                if not isinstance(name, str):
                    parts.append(Segment(None, "{% include %}", node))
                    continue
                included = self.template_from_loader(template.loader, name)
                if included.source is None:
                    self.warnings.append(f"template {template.name}: include {name!r} not found")
                parts.append(self.render(included, context, node, depth + 1, varying))
            elif isinstance(item, (nodes.Assign, nodes.Macro, nodes.Import, nodes.FromImport)):
                continue
            elif isinstance(item, nodes.Block):
                self._render_nodes(item.body, template, context, node, depth, parts, nodes,
                                   varying)
            else:
                tag = type(item).__name__.lower()
                parts.append(Segment(None, "{% " + tag + " %}", node))


def _jinja_root(node: Any) -> str | None:
    from jinja2 import nodes

    while isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Filter)):
        node = node.node
    return str(node.name) if isinstance(node, nodes.Name) else None


def _jinja_expr(node: Any) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return str(node.name)
    if isinstance(node, nodes.Getattr):
        return f"{_jinja_expr(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_jinja_expr(node.node)}[...]"
    if isinstance(node, nodes.Filter):
        return f"{_jinja_expr(node.node)} | {node.name}"
    if isinstance(node, nodes.Call):
        return f"{_jinja_expr(node.node)}(...)"
    return type(node).__name__.lower()
