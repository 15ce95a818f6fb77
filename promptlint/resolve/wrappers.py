"""The project's own wrapper functions around Messages requests.

A wrapper is a function (or method) that makes a request whose arguments depend on the
function's parameters: ``def ask(prompt, max_tokens=1024): return client.messages.create(...)``.
Each call of a wrapper is analysed as a request with the caller's arguments substituted (the
wrapper's defaults where the caller passes none), and findings are reported at the call.
Wrappers named in ``[tool.promptlint] wrappers`` are treated as wrappers even when the flow from
parameter to request cannot be proven (their unmatched parameters stay unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import libcst as cst

from promptlint.resolve.external import Project
from promptlint.resolve.request_scopes import RequestScopes
from promptlint.resolve.requests import Request, RequestFinder
from promptlint.resolve.values import UNKNOWN, DictValue, ListValue, Resolver, Value
from promptlint.syntax.scope import Scope, dotted_name
from promptlint.syntax.walk import walk


@dataclass(eq=False, repr=False)
class Wrapper:
    name: str
    function: cst.FunctionDef
    scope: Scope  # the function body's scope
    module: cst.Module
    scopes: RequestScopes
    path: Path | None
    requests: list[Request]  # the requests it makes, as seen inside the function


def _names(node: cst.CSTNode) -> set[str]:
    return {n.value for n in walk(node) if isinstance(n, cst.Name)}


def _reaching_names(scope: Scope, expressions: list[cst.BaseExpression]) -> set[str]:
    """Names the expressions use, and those used by the local bindings they name (``args =
    {"max_tokens": max_tokens}`` before ``create(**args)``), followed a few steps."""
    used = set().union(*(_names(e) for e in expressions)) if expressions else set()
    seen: set[str] = set()
    for _ in range(4):
        new = used - seen
        if not new:
            break
        seen |= new
        for name in new:
            for binding in scope.bindings.get(name, [])[:8]:
                if binding.kind == "assign" and binding.value is not None:
                    used |= _names(binding.value)
            for update in scope.dict_updates.get(name, [])[:16]:
                if update.value is not None:
                    used |= _names(update.value)
    return used


def _through_constructor(request: Request, scope: Scope) -> bool:
    """Whether a method's request reads ``self.attr`` that ``__init__`` sets from one of its
    parameters (``Chat(model=...).ask(...)`` then decides the request)."""
    init = _init_scope(scope.class_scope)
    if init is None or scope.self_name is None:
        return False
    init_params = {p.name.value for p in _params(init.node)}  # type: ignore[arg-type]
    for arg in request.call.args:
        for node in walk(arg.value):
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and (
                    node.value.value == scope.self_name):
                for binding in scope.class_scope.attributes.get(node.attr.value, []):  # type: ignore[union-attr]
                    if binding.where is init and binding.value is not None and (
                            _names(binding.value) & init_params):
                        return True
    return False


def _init_scope(class_scope: Scope | None) -> Scope | None:
    if class_scope is None:
        return None
    for child in class_scope.children:
        node = child.node
        if isinstance(node, cst.FunctionDef) and node.name.value == "__init__":
            return child
    return None


def _params(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def detect(module: cst.Module, scopes: RequestScopes, requests: list[Request],
           path: Path | None, forced: frozenset[str] = frozenset()) -> dict[str, Wrapper]:
    """Wrappers defined in this module, by qualified name ("f" or "Class.method")."""
    out: dict[str, Wrapper] = {}
    for request in requests:
        scope = request.scope
        function = scope.node
        if request.batch or scope.kind != "function" or not isinstance(function, cst.FunctionDef):
            continue
        params = {p.name.value for p in _params(function)}
        star = function.params.star_kwarg
        if isinstance(star, cst.Param):
            params.add(star.name.value)
        params.discard(scope.self_name or "")
        name = function.name.value
        if scope.class_scope is not None and isinstance(scope.class_scope.node, cst.ClassDef):
            name = f"{scope.class_scope.node.name.value}.{name}"
        used = _reaching_names(scope, [arg.value for arg in request.call.args])
        if not (used & params) and name not in forced and not _through_constructor(
                request, scope):
            continue
        wrapper = out.get(name)
        if wrapper is None:
            wrapper = Wrapper(name, function, scope, module, scopes, path, [])
            out[name] = wrapper
        wrapper.requests.append(request)
    return out


class WrapperCalls:
    """Finds calls of wrappers in one module and builds the requests they make."""

    def __init__(self, module: cst.Module, scopes: RequestScopes, resolver: Resolver,
                 project: Project, local: dict[str, Wrapper],
                 param_maps: dict[str, dict[str, str]] | None = None,
                 wrappers_of: Callable[[Path], dict[str, Wrapper]] | None = None) -> None:
        self.param_maps = param_maps or {}
        # the wrappers another module of the project defines (none known when not given)
        self.wrappers_of = wrappers_of or (lambda path: {})
        self.module = module
        self.scopes = scopes
        self.resolver = resolver
        self.project = project
        self.local = local

    def requests(self) -> list[Request]:
        out: list[Request] = []
        for call, scope in self.scopes.plain_calls:
            constructor = self._constructor(call, scope)
            if constructor is not None:
                wrapper, made, made_scope = constructor
                out.extend(self._derive(wrapper, call, scope, True, (made, made_scope)))
                continue
            wrapper, bound = self._callee(call, scope)
            if wrapper is None:
                continue
            out.extend(self._derive(wrapper, call, scope, bound))
        return out

    def _constructor(self, call: cst.Call, scope: Scope
                     ) -> tuple[Wrapper, cst.Call, Scope] | None:
        """``Chat(model=...).ask(q)`` or ``bot = Chat(...)`` then ``bot.ask(q)``: the method's
        wrapper and the constructor call whose arguments ``__init__`` stores on ``self``."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        made, made_scope = func.value, scope
        if isinstance(made, cst.Name):
            owner, bindings = scope.lookup(made.value)
            if len(bindings) != 1 or bindings[0].kind != "assign":
                return None
            made, made_scope = bindings[0].value, bindings[0].where or owner
        if not isinstance(made, cst.Call) or not isinstance(made.func, cst.Name):
            return None
        owner, bindings = made_scope.lookup(made.func.value)
        if len(bindings) != 1:
            return None
        binding, attr = bindings[0], func.attr.value
        wrapper = None
        if binding.kind == "class" and isinstance(binding.node, cst.ClassDef):
            wrapper = self.local.get(f"{binding.node.name.value}.{attr}")
        elif binding.kind == "import" and binding.imported is not None and binding.module:
            wrapper = self._imported(binding.module, f"{binding.imported}.{attr}")
        if wrapper is None or _init_scope(wrapper.scope.class_scope) is None:
            return None
        return wrapper, made, made_scope

    # ---- which wrapper a call invokes ---------------------------------------------------------
    def _callee(self, call: cst.Call, scope: Scope) -> tuple[Wrapper | None, bool]:
        func = call.func
        if isinstance(func, cst.Name):
            owner, bindings = scope.lookup(func.value)
            if len(bindings) != 1:
                return None, False
            binding = bindings[0]
            if binding.kind == "function" and owner.kind == "module":
                return self.local.get(func.value), False
            if binding.kind == "import" and binding.imported is not None and binding.module:
                return self._imported(binding.module, binding.imported), False
            return None, False
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            base, attr = func.value.value, func.attr.value
            if scope.kind == "function" and scope.class_scope is not None and (
                    base == scope.self_name):
                class_node = scope.class_scope.node
                if isinstance(class_node, cst.ClassDef):
                    return self.local.get(f"{class_node.name.value}.{attr}"), True
            bindings = scope.lookup(base)[1]
            if len(bindings) == 1 and bindings[0].kind == "import":
                binding = bindings[0]
                module = binding.module or ""
                if binding.imported is not None:
                    module = f"{module}.{binding.imported}" if module.strip(".") else (
                        module + binding.imported)
                return self._imported(module, attr), False
        return None, False

    def _imported(self, module_name: str, name: str) -> Wrapper | None:
        if module_name.split(".")[0] == "anthropic":
            return None
        path = self.project.find_module(module_name, self.resolver.path)
        if path is None:
            return None
        if self.resolver.path is not None and path == self.resolver.path.resolve():
            return self.local.get(name)
        return self.wrappers_of(path).get(name)

    # ---- the request as made from this call -------------------------------------------------
    def _derive(self, wrapper: Wrapper, call: cst.Call, caller_scope: Scope,
                bound: bool, made: tuple[cst.Call, Scope] | None = None) -> list[Request]:
        function = wrapper.function
        positional = [*function.params.posonly_params, *function.params.params]
        if wrapper.scope.self_name is not None:
            positional = positional[1:]  # self is bound by the call
        keyword_only = list(function.params.kwonly_params)
        star_kwarg = function.params.star_kwarg
        star_arg = function.params.star_arg
        passed: dict[str, Value] = {}
        extra_keywords: dict[str, Value] = {}
        extra_positional: list[Value] = []
        caller_splat = False
        index = 0
        for arg in call.args:
            value = self.resolver.value(arg.value, caller_scope)
            value = Value(value.py, arg.value, value.origin, value.origin_path, value.varies)
            if arg.star:
                caller_splat = True
                continue
            if arg.keyword is None:
                if index < len(positional):
                    passed[positional[index].name.value] = value
                else:
                    extra_positional.append(value)
                index += 1
                continue
            name = arg.keyword.value
            if any(p.name.value == name for p in (*positional, *keyword_only)):
                passed[name] = value
            else:
                extra_keywords[name] = value
        parent = wrapper.scope.parent or wrapper.scope
        wrapper_resolver = self._wrapper_resolver(wrapper)
        mapping: dict[str, Value] = {}
        for param in (*positional, *keyword_only):
            name = param.name.value
            if name in passed:
                mapping[name] = passed[name]
            elif param.default is not None and not caller_splat:
                mapping[name] = wrapper_resolver.value(param.default, parent)
            else:
                mapping[name] = Value(UNKNOWN, call)
        if isinstance(star_kwarg, cst.Param):
            mapping[star_kwarg.name.value] = Value(
                DictValue(dict(extra_keywords), open=caller_splat), call)
        if isinstance(star_arg, cst.Param):
            mapping[star_arg.name.value] = Value(
                ListValue(list(extra_positional), open=caller_splat), call)
        wrapper_resolver.overrides[id(wrapper.scope)] = mapping
        site_args = list(call.args)
        init = _init_scope(wrapper.scope.class_scope)
        if made is not None and init is not None and isinstance(init.node, cst.FunctionDef):
            stored = self.resolver._bind_arguments(made[0], init.node, True, wrapper_resolver,
                                                   init, made[1], 0)
            if stored is not None:
                wrapper_resolver.overrides[id(init)] = stored
                site_args += made[0].args
        finder = RequestFinder(wrapper.module, wrapper.scopes, wrapper_resolver)
        site_nodes = frozenset(id(n) for a in site_args for n in walk(a.value))
        anchor = call.func.attr if isinstance(call.func, cst.Attribute) else call.func
        foreign = None
        if wrapper.module is not self.module:
            foreign = wrapper.path
        declared = self.param_maps.get(f"{_module_name(wrapper, self.project)}:{wrapper.name}", {})
        out = []
        for standalone in wrapper.requests:
            derived = finder._request(standalone.call, standalone.scope, standalone.method,
                                      standalone.beta)
            for wrapper_param, request_param in declared.items():
                if wrapper_param in passed:  # declared in config: the caller's value is sent
                    derived.params[request_param] = passed[wrapper_param]
            if len(site_args) > len(call.args):  # written in the constructor call: found there
                for key, value in derived.params.items():
                    if id(value.literal_node) in site_nodes and value.node is not (
                            value.literal_node):
                        derived.params[key] = replace(value, node=value.literal_node)
            out.append(replace(
                derived, anchor=anchor, module=self.module,
                loops=self.scopes.call_loops.get(call, ()),
                client_sets_timeout=standalone.client_sets_timeout, site=call,
                site_nodes=site_nodes, foreign=foreign, standalone=standalone,
                scope=caller_scope,
            ))
        return out

    def _wrapper_resolver(self, wrapper: Wrapper) -> Resolver:
        return Resolver(wrapper.path, self.project)


def _module_name(wrapper: Wrapper, project: Project) -> str:
    if wrapper.path is None:
        return ""
    try:
        relative = wrapper.path.resolve().relative_to(project.root.resolve())
    except ValueError:
        return wrapper.path.stem
    parts = list(relative.with_suffix("").parts)
    if parts and parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def forced_names(config_wrappers: tuple[str, ...], module_path: Path | None,
                 project: Project) -> frozenset[str]:
    """Names from `wrappers = ["pkg.module:function", ...]` that live in ``module_path``."""
    out = set()
    for entry in config_wrappers:
        module_name, _, function = entry.partition(":")
        if not function:
            continue
        path = project.find_module(module_name, None)
        if path is not None and module_path is not None and path == module_path.resolve():
            out.add(function)
    return frozenset(out)


__all__ = ["Wrapper", "WrapperCalls", "detect", "dotted_name", "forced_names"]
