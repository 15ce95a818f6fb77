"""The shape of the package: which module may import which.

The import graph is read with ``ast`` from the sources, counting every import statement
anywhere in a module (inside functions and ``if TYPE_CHECKING:`` blocks too), with relative
imports resolved. Data flows one way, so the graph has no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "promptlint"

# modules that know the Anthropic API: its request shape, its SDK, its models
API_AWARE = (
    "promptlint.prefilter", "promptlint.sdk", "promptlint.installed_sdk",
    "promptlint.sdkversion", "promptlint.models", "promptlint.facts", "promptlint.data",
    "promptlint.rules", "promptlint.ruleset", "promptlint.resolve.outline",
    "promptlint.resolve.requests", "promptlint.resolve.request_scopes",
    "promptlint.resolve.wrappers", "promptlint.resolve.analysis", "promptlint.resolve.prompt",
    "promptlint.resolve.intent",
)
# plumbing over syntax trees: no knowledge of the API
SYNTAX = ("walk", "positions", "slicing", "scope")
# loading the project's modules and files: below requests and wrappers, which use it
LOADER = ("promptlint.resolve.external",)
ABOVE_LOADER = ("promptlint.resolve.requests", "promptlint.resolve.wrappers",
                "promptlint.resolve.analysis", "promptlint.resolve.values",
                "promptlint.resolve.prompt", "promptlint.resolve.intent")


def module_names(package: Path = PACKAGE) -> dict[str, Path]:
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports."""
    modules = module_names(package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                edges.update(_known(alias.name, modules) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, name, is_package)
                for alias in node.names:
                    inner = f"{base}.{alias.name}"
                    edges.add(inner if inner in modules else _known(base, modules))
        edges.discard("")
        edges.discard(name)
        graph[name] = edges
    return graph


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = importer.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[:len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _known(dotted: str, modules: dict[str, Path]) -> str:
    """The innermost module of the package that ``dotted`` names, or "" outside it."""
    parts = dotted.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return ""


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:  # (the graph is a few dozen modules deep at most)
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _syntax_modules(graph: dict[str, set[str]]) -> list[str]:
    return sorted(name for name in graph if name.rpartition(".")[2] in SYNTAX
                  and name.rpartition(".")[0] in ("promptlint.resolve", "promptlint.syntax"))


def test_the_graph_is_read_from_every_kind_of_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import b\n")
    (package / "a.py").write_text("def f():\n    from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("from ..c import X\nimport pkg.sub.d as d\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from .a import f\n")
    (package / "sub" / "d.py").write_text("import os\nfrom .. import c\n")
    graph = import_graph(package)
    assert graph == {"pkg": set(), "pkg.a": {"pkg.sub.b"}, "pkg.c": {"pkg.a"},
                     "pkg.sub": {"pkg.sub.b"}, "pkg.sub.b": {"pkg.c", "pkg.sub.d"},
                     "pkg.sub.d": {"pkg.c"}}
    assert cycles(graph) == [["pkg.a", "pkg.c", "pkg.sub.b", "pkg.sub.d"]]


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_module_loader_is_a_leaf_of_request_finding() -> None:
    graph = import_graph()
    for loader in LOADER:
        above = sorted(m for m in reachable(graph, loader) if _within(m, ABOVE_LOADER))
        assert above == [], f"{loader} imports {above}"


def test_syntax_modules_know_nothing_of_the_api() -> None:
    graph = import_graph()
    syntax = _syntax_modules(graph)
    assert len(syntax) == len(SYNTAX)
    modules = module_names()
    for name in syntax:
        aware = sorted(m for m in reachable(graph, name) if _within(m, API_AWARE))
        assert aware == [], f"{name} imports {aware}"
        words = sorted(w for w in _code_words(modules[name])
                       if "anthropic" in w.lower() or "messages" in w.lower())
        assert words == [], f"{name} speaks of the API: {words}"


def _code_words(path: Path) -> set[str]:
    """The names, attributes and strings of a module's code (docstrings and comments aside)."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)
                  and isinstance(node.value, ast.Constant)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
        elif isinstance(node, ast.alias):
            out.add(node.name)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                id(node) not in docstrings):
            out.add(node.value)
    return out


# who may start request finding: analysis assembles the pipeline; requests and wrappers
# re-run a finder of their own module under another resolver (a fixture, a wrapper's call)
PIPELINE = {"RequestFinder": {"promptlint.resolve.analysis", "promptlint.resolve.requests",
                              "promptlint.resolve.wrappers"},
            "WrapperCalls": {"promptlint.resolve.analysis"},
            "detect": {"promptlint.resolve.analysis"}}


def test_the_request_pipeline_is_assembled_in_one_place() -> None:
    found: dict[str, set[str]] = {name: set() for name in PIPELINE}
    for module, path in module_names().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else None)
                if name in found:
                    found[name].add(module)
    assert found == PIPELINE
