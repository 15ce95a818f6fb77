"""Lexical scopes and name bindings of one module, collected in a single pass.

This is deliberately smaller than libcst's ScopeProvider: promptlint only needs to know, for a
name used at a call site, the expressions that bind it in the enclosing function, class or module,
and whether there is exactly one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from promptlint.resolve.walk import FastVisitor

BindingKind = Literal["assign", "param", "import", "with", "loop", "other", "function", "class"]


@dataclass(eq=False)
class Binding:
    kind: BindingKind
    value: cst.BaseExpression | None = None
    annotation: cst.BaseExpression | None = None
    node: cst.CSTNode | None = None
    # for imports: the dotted module and the imported name ("anthropic", "Anthropic");
    # for ``import anthropic.lib`` the module is bound with name None
    module: str | None = None
    imported: str | None = None
    scope: Scope | None = None  # for classes: the class body's scope


@dataclass(eq=False)
class Scope:
    kind: Literal["module", "class", "function"]
    node: cst.CSTNode
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    # class scopes: attributes assigned as self.NAME = value inside methods
    attributes: dict[str, list[Binding]] = field(default_factory=dict)
    # dicts mutated in this scope: name -> [(key or None for an unknown mutation, value)]
    dict_updates: dict[str, list[tuple[str | None, cst.BaseExpression | None]]] = field(
        default_factory=dict
    )
    # lists appended to in this scope: name -> [appended expression or None for unknown]
    list_appends: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    children: list[Scope] = field(default_factory=list)
    self_name: str | None = None  # first parameter of a method
    class_scope: Scope | None = None  # for methods: the class they belong to

    def __post_init__(self) -> None:
        if self.parent is not None:
            self.parent.children.append(self)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def lookup(self, name: str) -> tuple[Scope, list[Binding]]:
        """The scope that binds ``name`` by Python's rules, and its bindings there."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope, scope.bindings[name]
            first = False
            scope = scope.parent
        return self, []

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """``a.b.c`` for Name/Attribute chains, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def literal_key(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class ScopeBuilder(FastVisitor):
    """Builds the scope tree and remembers the scope of every call of interest."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.root = Scope("module", module, None)
        self.stack: list[Scope] = [self.root]
        self.call_scopes: dict[cst.Call, Scope] = {}
        self.imports_anthropic = False
        # loops (for statements and comprehensions) around each call of interest, innermost last
        self.loops: list[cst.CSTNode] = []
        self.call_loops: dict[cst.Call, tuple[cst.CSTNode, ...]] = {}
        # calls of plain names and one-level attributes (f(...), self.f(...), mod.f(...)):
        # candidates for calls of the project's own wrapper functions
        self.plain_calls: list[tuple[cst.Call, Scope]] = []
        # the top-level statement each node belongs to (positions are computed per statement)
        self.statement_of: dict[int, int] = {}
        self.statement_index = 0
        self.loop_stacks: list[list[cst.CSTNode]] = []

    @property
    def scope(self) -> Scope:
        return self.stack[-1]

    # ---- scopes -------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        scope = Scope("class", node, self.scope)
        self.scope.bind(node.name.value, Binding("class", node=node, scope=scope))
        self.stack.append(scope)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        outer.bind(node.name.value, Binding("function", node=node))
        scope = Scope("function", node, outer)
        params = node.params
        positional = [*params.posonly_params, *params.params]
        if outer.kind == "class" and positional:
            decorators = {dotted_name(d.decorator) for d in node.decorators}
            if "staticmethod" not in decorators:
                scope.self_name = positional[0].name.value
                scope.class_scope = outer
        all_params = [*positional, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                all_params.append(extra)
        for param in all_params:
            annotation = param.annotation.annotation if param.annotation else None
            scope.bind(
                param.name.value,
                Binding("param", value=param.default, annotation=annotation, node=param),
            )
        self.stack.append(scope)
        self.loop_stacks.append(self.loops)
        self.loops = []  # a loop outside a function does not repeat the function's calls

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()
        self.loops = self.loop_stacks.pop()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return True

    # ---- imports ------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            if module.split(".")[0] == "anthropic":
                self.imports_anthropic = True
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(
                    alias.asname.name.value, Binding("import", node=node, module=module)
                )
            else:
                top = module.split(".")[0]
                self.scope.bind(top, Binding("import", node=node, module=top))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = ("." * len(node.relative)) + (dotted_name(node.module) or "")
        if module.split(".")[0] == "anthropic":
            self.imports_anthropic = True
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            self.scope.bind(bound, Binding("import", node=node, module=module, imported=name))

    # ---- assignments --------------------------------------------------------------------
    def _bind_target(
        self, target: cst.BaseExpression, value: cst.BaseExpression | None, kind: BindingKind
    ) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, Binding(kind, value=value, node=target))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                self._bind_target(inner, None, "loop" if kind == "loop" else "other")
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None, "loop" if kind == "loop" else "other")
        elif isinstance(target, cst.Attribute):
            self._bind_attribute(target, value, kind)
        elif isinstance(target, cst.Subscript):
            self._record_subscript_store(target, value)

    def _bind_attribute(
        self, target: cst.Attribute, value: cst.BaseExpression | None, kind: BindingKind
    ) -> None:
        scope = self.scope
        if (
            scope.kind == "function"
            and scope.class_scope is not None
            and isinstance(target.value, cst.Name)
            and target.value.value == scope.self_name
        ):
            binding = Binding(kind, value=value, node=target)
            scope.class_scope.attributes.setdefault(target.attr.value, []).append(binding)

    def _record_subscript_store(
        self, target: cst.Subscript, value: cst.BaseExpression | None
    ) -> None:
        if not isinstance(target.value, cst.Name):
            return
        key: str | None = None
        if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
            key = literal_key(target.slice[0].slice.value)
        self.scope.dict_updates.setdefault(target.value.value, []).append((key, value))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value, "assign")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        target = node.target
        if isinstance(target, cst.Name):
            self.scope.bind(
                target.value,
                Binding("assign", value=node.value, annotation=node.annotation.annotation,
                        node=target),
            )
        elif isinstance(target, cst.Attribute):
            self._bind_attribute(target, node.value, "assign")
            scope = self.scope
            if scope.class_scope is not None and node.value is None:
                attrs = scope.class_scope.attributes.setdefault(target.attr.value, [])
                attrs.append(
                    Binding("other", annotation=node.annotation.annotation, node=target)
                )
        else:
            self._bind_target(target, node.value, "assign")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, None, "other")

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value, "other")

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, None, "loop")
        self.loops.append(node)

    def leave_For(self, original_node: cst.For) -> None:
        self.loops.pop()

    def visit_While(self, node: cst.While) -> None:
        self.loops.append(node)

    def leave_While(self, original_node: cst.While) -> None:
        self.loops.pop()

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, None, "loop")

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self.loops.append(node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self.loops.pop()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self.loops.append(node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self.loops.pop()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self.loops.append(node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self.loops.pop()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self.loops.append(node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self.loops.pop()

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            target = node.asname.name
            if isinstance(target, cst.Name):
                self.scope.bind(target.value, Binding("with", value=node.item, node=target))
            else:
                self._bind_target(target, None, "other")

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.scope.bind(node.name.name.value, Binding("other", node=node))

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.bind(item.name.value, Binding("other", node=node))

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.scope.bind(item.name.value, Binding("other", node=node))

    def visit_Del(self, node: cst.Del) -> None:
        target = node.target
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.scope.dict_updates.setdefault(target.value.value, []).append((None, None))
        elif isinstance(target, cst.Name):
            self.scope.bind(target.value, Binding("other", node=node))

    # ---- calls --------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            if func.attr.value == "messages" or _mentions_messages(func):
                self.call_scopes[node] = self.scope
                if self.loops:
                    self.call_loops[node] = tuple(self.loops)
            elif isinstance(func.value, cst.Name):
                self.plain_calls.append((node, self.scope))
            owner = func.value
            if isinstance(owner, cst.Name):
                method = func.attr.value
                name = owner.value
                if method == "update":
                    self._record_update(name, node)
                elif method in ("pop", "popitem", "clear", "setdefault"):
                    self.scope.dict_updates.setdefault(name, []).append((None, None))
                elif method in ("append", "extend", "insert"):
                    value = node.args[0].value if method == "append" and node.args else None
                    self.scope.list_appends.setdefault(name, []).append(value)
        elif isinstance(func, cst.Name):
            self.plain_calls.append((node, self.scope))
            if self.loops:
                self.call_loops[node] = tuple(self.loops)

    def _record_update(self, name: str, node: cst.Call) -> None:
        updates = self.scope.dict_updates.setdefault(name, [])
        for arg in node.args:
            if arg.keyword is not None:
                updates.append((arg.keyword.value, arg.value))
            elif arg.star == "" and isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    if isinstance(element, cst.DictElement):
                        updates.append((literal_key(element.key), element.value))
                    else:
                        updates.append((None, None))
            else:
                updates.append((None, None))


def _mentions_messages(func: cst.Attribute) -> bool:
    node: cst.BaseExpression = func
    while isinstance(node, cst.Attribute):
        if node.attr.value == "messages":
            return True
        node = node.value
    return False


def build_scopes(module: cst.Module) -> ScopeBuilder:
    builder = ScopeBuilder(module)
    for index, statement in enumerate(module.body):
        builder.statement_index = index
        builder.walk(statement)
    return builder
