"""Lexical scopes and name bindings of one module, collected in a single pass.

This is deliberately smaller than libcst's ScopeProvider: promptlint only needs to know, for a
name used at a call site, the expressions that bind it in the enclosing function, class or module,
and whether there is exactly one of them.

Nothing here knows the Anthropic API: which calls are worth remembering with their scope,
loops and place in the flow is decided by a subclass (``resolve.request_scopes.RequestScopes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeVar

import libcst as cst

from promptlint.syntax.walk import FastVisitor, children

# "declare": a bare annotation (``model: str``), which binds nothing at run time
BindingKind = Literal["assign", "param", "import", "with", "loop", "other", "function", "class",
                      "declare"]


@dataclass(eq=False)
class Binding:
    kind: BindingKind
    value: cst.BaseExpression | None = None
    annotation: cst.BaseExpression | None = None
    node: cst.CSTNode | None = None
    # for imports: the dotted module and the imported name ("pathlib", "Path");
    # for ``import os.path`` the module is bound with name None
    module: str | None = None
    imported: str | None = None
    scope: Scope | None = None  # for classes: the class body's scope
    # where the binding happens, for flow-sensitive lookups: its place in source order and the
    # blocks (ids of the enclosing statement bodies in its scope) it sits in
    order: int = 0
    blocks: tuple[int, ...] = ()
    where: Scope | None = None  # the scope its value is written in (self.x = ... in a method)


@dataclass(frozen=True)
class Point:
    """A place in a scope's code: a use of a name, compared with the bindings of the name."""

    scope: Scope
    order: int
    blocks: tuple[int, ...]


@dataclass(frozen=True)
class DictUpdate:
    """``d[k] = v`` / ``d.update(k=v)`` (set), ``del d[k]`` / ``d.pop(k)`` (delete),
    ``d.setdefault(k, v)`` (default), or any other change (unknown, key None)."""

    op: Literal["set", "delete", "default", "unknown"]
    key: str | None
    value: cst.BaseExpression | None
    order: int
    blocks: tuple[int, ...]


@dataclass(eq=False)
class Scope:
    kind: Literal["module", "class", "function"]
    node: cst.CSTNode
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    # class scopes: attributes assigned as self.NAME = value inside methods
    attributes: dict[str, list[Binding]] = field(default_factory=dict)
    # dicts mutated in this scope, in source order
    dict_updates: dict[str, list[DictUpdate]] = field(default_factory=dict)
    # lists appended to in this scope: name -> [appended expression or None for unknown]
    list_appends: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    loop_bodies: set[int] = field(default_factory=set)  # ids of the bodies of loops
    children: list[Scope] = field(default_factory=list)
    self_name: str | None = None  # first parameter of a method
    class_scope: Scope | None = None  # for methods: the class they belong to

    def __post_init__(self) -> None:
        if self.parent is not None:
            self.parent.children.append(self)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def reaching(self, bindings: list[Binding], point: Point | None) -> list[Binding]:
        """The bindings of a name in this scope that may hold its value at ``point``: the last
        one that always runs before it, the conditional ones after that, and those later in a
        loop around the point. Without a point in this scope (a function reading a global at
        some later time), every binding may."""
        if point is None or point.scope is not self:
            return list(bindings)
        out: list[Binding] = []
        for binding in reversed(bindings):
            if binding.order >= point.order:
                continue
            out.append(binding)
            if point.blocks[:len(binding.blocks)] == binding.blocks:
                break  # it encloses the point: nothing earlier reaches past it
        out.reverse()  # in source order
        loops = [b for b in point.blocks if b in self.loop_bodies]
        if loops:
            out.extend(b for b in bindings if b.order >= point.order
                       and any(block in b.blocks for block in loops))
        return out

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


def function_results(node: cst.FunctionDef, yields: bool = False) -> list[cst.BaseExpression]:
    """What a function returns (and, for fixtures, yields), not counting nested functions;
    empty when a bare ``return`` or ``yield`` leaves the value unknown."""
    out: list[cst.BaseExpression] = []
    stack: list[cst.CSTNode] = [node.body]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(current, (cst.Return, cst.Yield)):
            value = current.value
            if value is None or isinstance(current, cst.Yield) and not yields or isinstance(
                    value, cst.From):
                return []
            out.append(value)
            continue
        stack.extend(children(current))
    return out


def literal_key(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


Builder = TypeVar("Builder", bound="ScopeBuilder")


class ScopeBuilder(FastVisitor):
    """Builds the scope tree and remembers the scope of every call of interest (those
    ``of_interest`` accepts: none here)."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.root = Scope("module", module, None)
        self.stack: list[Scope] = [self.root]
        self.call_scopes: dict[cst.Call, Scope] = {}
        self.imported: set[str] = set()  # the top-level packages of absolute imports
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
        # flow: a counter in source order and the statement bodies around the current node
        self.order = 0
        self.blocks: list[int] = []
        self.block_stacks: list[list[int]] = []
        self.call_points: dict[cst.Call, Point] = {}
        self.globals: dict[int, set[str]] = {}  # names declared global, by function scope id

    @classmethod
    def of(cls: type[Builder], module: cst.Module) -> Builder:
        """The scopes of a module, collected by a builder of this class."""
        builder = cls(module)
        for index, statement in enumerate(module.body):
            builder.statement_index = index
            builder.walk(statement)
        return builder

    def point(self) -> Point:
        self.order += 1
        return Point(self.scope, self.order, tuple(self.blocks))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.append(id(node))

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self.blocks.pop()

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self.blocks.append(id(node))

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self.blocks.pop()

    @property
    def scope(self) -> Scope:
        return self.stack[-1]

    def _bind(self, scope: Scope, name: str, binding: Binding) -> None:
        point = self.point()
        binding.order, binding.where = point.order, self.scope
        binding.blocks = point.blocks if scope is self.scope else ()
        scope.bind(name, binding)
        if binding.kind != "other" and name in self.globals.get(id(scope), ()):
            # ``global NAME`` then an assignment: the function rebinds the module's name
            scope.module().bind(name, Binding("other", node=binding.node, order=point.order,
                                              where=self.scope))

    def _enter(self, scope: Scope) -> None:
        self.stack.append(scope)
        self.block_stacks.append(self.blocks)
        self.blocks = []

    def _leave(self) -> None:
        self.stack.pop()
        self.blocks = self.block_stacks.pop()

    # ---- scopes -------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        scope = Scope("class", node, self.scope)
        self._bind(self.scope, node.name.value, Binding("class", node=node, scope=scope))
        self._enter(scope)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._leave()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        self._bind(outer, node.name.value, Binding("function", node=node))
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
        self._enter(scope)
        for param in all_params:
            annotation = param.annotation.annotation if param.annotation else None
            self._bind(
                scope, param.name.value,
                Binding("param", value=param.default, annotation=annotation, node=param),
            )
        self.loop_stacks.append(self.loops)
        self.loops = []  # a loop outside a function does not repeat the function's calls

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave()
        self.loops = self.loop_stacks.pop()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return True

    # ---- imports ------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            self.imported.add(module.split(".")[0])
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(
                    self.scope, alias.asname.name.value, Binding("import", node=node, module=module)
                )
            else:
                top = module.split(".")[0]
                self._bind(self.scope, top, Binding("import", node=node, module=top))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = ("." * len(node.relative)) + (dotted_name(node.module) or "")
        if not node.relative:
            self.imported.add(module.split(".")[0])
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            self._bind(self.scope, bound,
                       Binding("import", node=node, module=module, imported=name))

    # ---- assignments --------------------------------------------------------------------
    def _bind_target(
        self, target: cst.BaseExpression, value: cst.BaseExpression | None, kind: BindingKind
    ) -> None:
        if isinstance(target, cst.Name):
            self._bind(self.scope, target.value, Binding(kind, value=value, node=target))
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
            point = self.point()
            binding = Binding(kind, value=value, node=target, order=point.order,
                              blocks=point.blocks, where=scope)
            scope.class_scope.attributes.setdefault(target.attr.value, []).append(binding)

    def _record_subscript_store(
        self, target: cst.Subscript, value: cst.BaseExpression | None
    ) -> None:
        if not isinstance(target.value, cst.Name):
            return
        key: str | None = None
        if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
            key = literal_key(target.slice[0].slice.value)
        self._update(target.value.value, "set" if key is not None and value is not None
                     else "unknown", key, value)

    def _update(self, name: str, op: Literal["set", "delete", "default", "unknown"],
                key: str | None, value: cst.BaseExpression | None) -> None:
        point = self.point()
        if key is None:
            op = "unknown"
        self.scope.dict_updates.setdefault(name, []).append(
            DictUpdate(op, key, value, point.order, point.blocks))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value, "assign")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        target = node.target
        if isinstance(target, cst.Name):
            self._bind(
                self.scope, target.value,
                Binding("assign" if node.value is not None else "declare", value=node.value,
                        annotation=node.annotation.annotation, node=target),
            )
        elif isinstance(target, cst.Attribute):
            self._bind_attribute(target, node.value, "assign")
            scope = self.scope
            if scope.class_scope is not None and node.value is None:
                attrs = scope.class_scope.attributes.setdefault(target.attr.value, [])
                attrs.append(
                    Binding("other", annotation=node.annotation.annotation, node=target,
                            where=scope)
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
        self.scope.loop_bodies.add(id(node.body))

    def leave_For(self, original_node: cst.For) -> None:
        self.loops.pop()

    def visit_While(self, node: cst.While) -> None:
        self.loops.append(node)
        self.scope.loop_bodies.add(id(node.body))

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
                self._bind(self.scope, target.value, Binding("with", value=node.item, node=target))
            else:
                self._bind_target(target, None, "other")

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(self.scope, node.name.name.value, Binding("other", node=node))

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._bind(self.scope, item.name.value, Binding("other", node=node))
            self.globals.setdefault(id(self.scope), set()).add(item.name.value)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self._bind(self.scope, item.name.value, Binding("other", node=node))

    def visit_Del(self, node: cst.Del) -> None:
        target = node.target
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            key = None
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = literal_key(target.slice[0].slice.value)
            self._update(target.value.value, "delete", key, None)
        elif isinstance(target, cst.Name):
            self._bind(self.scope, target.value, Binding("other", node=node))

    # ---- calls --------------------------------------------------------------------------
    def of_interest(self, func: cst.Attribute) -> bool:
        """Whether a call of this attribute is remembered with its scope, loops and point."""
        return False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            if self.of_interest(func):
                self.call_scopes[node] = self.scope
                self.call_points[node] = self.point()
                if self.loops:
                    self.call_loops[node] = tuple(self.loops)
            elif isinstance(func.value, cst.Name) or isinstance(func.value, cst.Call) and (
                    isinstance(func.value.func, cst.Name)):  # f(), m.f(), Class(...).f()
                self.plain_calls.append((node, self.scope))
                self.call_points[node] = self.point()
            owner = func.value
            if isinstance(owner, cst.Name):
                method = func.attr.value
                name = owner.value
                if method == "update":
                    self._record_update(name, node)
                elif method in ("pop", "setdefault") and node.args and not node.args[0].star:
                    key = literal_key(node.args[0].value)
                    value = node.args[1].value if len(node.args) > 1 else None
                    if method == "pop":
                        self._update(name, "delete", key, None)
                    else:
                        self._update(name, "default", key, value)
                elif method in ("pop", "popitem", "clear", "setdefault"):
                    self._update(name, "unknown", None, None)
                elif method in ("append", "extend", "insert"):
                    value = node.args[0].value if method == "append" and node.args else None
                    self.scope.list_appends.setdefault(name, []).append(value)
        elif isinstance(func, cst.Name):
            self.plain_calls.append((node, self.scope))
            self.call_points[node] = self.point()
            if self.loops:
                self.call_loops[node] = tuple(self.loops)

    def _record_update(self, name: str, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is not None:
                self._update(name, "set", arg.keyword.value, arg.value)
            elif arg.star == "" and isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    if isinstance(element, cst.DictElement):
                        self._update(name, "set", literal_key(element.key), element.value)
                    else:
                        self._update(name, "unknown", None, None)
            else:
                self._update(name, "unknown", None, None)


def build_scopes(module: cst.Module) -> ScopeBuilder:
    return ScopeBuilder.of(module)
