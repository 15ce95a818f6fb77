"""Jinja2 templates as prompt text: loaders, environments, and what a template renders to.

A template is rendered without running it: static text stays, ``{{ name }}`` becomes the value
passed for it when that is known, and anything else (expressions, tags, missing includes)
becomes a hole. Template files are read through the project, so they are size-capped, cached
and recorded as dependencies like any prompt file. Jinja2 is imported only to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptlint.resolve.text import Segment, Text

if TYPE_CHECKING:
    import libcst as cst

    from promptlint.resolve.external import Project

MAX_TEMPLATE_DEPTH = 8


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


def template_from_loader(project: Project, loader: LoaderValue | None, name: str
                         ) -> TemplateValue:
    """The template ``name`` as a loader finds it in its directories."""
    for directory in loader.directories if loader else ():
        path = directory / name
        text = project.read_text(path)
        if text is not None:
            return TemplateValue(text, name, loader, path)
    return TemplateValue(None, name, loader, problem=f"template {name!r} not found")


def render(project: Project, template: TemplateValue, context: dict[str, str],
           node: cst.CSTNode, depth: int = 0, varying: set[str] | None = None) -> Text:
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
        project.warnings.append(f"template {where}:{exc.lineno}: syntax error: {exc.message}")
        return Text.hole(f"template {template.name}", node)
    parts: list[Text | Segment | str] = []
    _render_nodes(project, ast.body, template, context, node, depth, parts, nodes,
                  varying or set())
    return Text.of(*parts)


def _render_nodes(project: Project, body: list[Any], template: TemplateValue,
                  context: dict[str, str], node: cst.CSTNode, depth: int, parts: list[Any],
                  nodes: Any, varying: set[str]) -> None:
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
            included = template_from_loader(project, template.loader, name)
            if included.source is None:
                project.warnings.append(f"template {template.name}: include {name!r} not found")
            parts.append(render(project, included, context, node, depth + 1, varying))
        elif isinstance(item, (nodes.Assign, nodes.Macro, nodes.Import, nodes.FromImport)):
            continue
        elif isinstance(item, nodes.Block):
            _render_nodes(project, item.body, template, context, node, depth, parts, nodes,
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
