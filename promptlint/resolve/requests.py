"""Find every Messages request in a module and reconstruct its parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import libcst as cst

from promptlint import edits, facts, sdk
from promptlint.edits import FixProposal, NodeEdit
from promptlint.findings import Safety
from promptlint.resolve import loops
from promptlint.resolve.prompt import Prompt, build_prompt
from promptlint.resolve.request_scopes import RequestScopes
from promptlint.resolve.text import Text
from promptlint.resolve.values import ListValue, Resolver, Value
from promptlint.syntax.scope import (
    Binding,
    Point,
    Scope,
    dotted_name,
    function_results,
    literal_key,
)
from promptlint.syntax.walk import walk

if TYPE_CHECKING:
    from promptlint.models import ModelInfo

_T = TypeVar("_T")

ReceiverKind = Literal["anthropic", "other", "unknown"]
MESSAGES_SHAPED: tuple[str, ...] = tuple(facts.api("messages_shaped_params"))
CLIENT_COPIES: tuple[str, ...] = tuple(facts.api("client_copies"))  # client.with_options(...)
MAX_RECEIVER_DEPTH = 12  # steps followed from a receiver to the client's constructor
BATCH_PARAM_TYPES: tuple[str, ...] = tuple(facts.api("batch_param_types"))


@dataclass(frozen=True)
class Thinking:
    """The request's ``thinking`` setting, read once."""

    written: bool = False  # thinking= is passed
    mode: str | None = None  # its known "type": enabled | adaptive | disabled | ...
    typed: bool = False  # a "type" is written, known or not
    budget_value: Value | None = None  # budget_tokens, when the type is "enabled"

    @property
    def budget(self) -> int | None:
        return self.budget_value.known_int() if self.budget_value is not None else None

    def on(self, model: ModelInfo | None) -> bool:
        """Whether the request thinks: as written, else the model's known default."""
        if self.written:
            return self.mode != "disabled"
        return model is not None and model.thinking_default_on is True

    def may_be_on(self, model: ModelInfo | None) -> bool:
        """Whether the request may think: as written, else unless the model is known not to
        by default."""
        if self.written:
            return self.mode != "disabled"
        return model is None or model.thinking_default_on is not False


def thinking_of(params: dict[str, Value]) -> Thinking:
    value = params.get("thinking")
    if value is None:
        return Thinking()
    config = value.as_dict()
    kind = config.items.get("type") if config is not None else None
    mode = kind.known_str() if kind is not None else None
    budget = config.items.get("budget_tokens") if config is not None and mode == "enabled" \
        else None
    return Thinking(True, mode, kind is not None, budget)


@dataclass(frozen=True)
class Prefill:
    """A final message with role "assistant": the start of the answer, written by the caller."""

    message: Value  # the final item of messages
    text: Value | None  # its final text: the content string, or its last text block's text


def prefill_of(messages: ListValue | None) -> Prefill | None:
    if messages is None or messages.open or not messages.items:
        return None
    message = messages.items[-1]
    last = message.as_dict()
    role = last.items.get("role") if last is not None else None
    if last is None or role is None or role.known_str() != "assistant":
        return None
    content = last.items.get("content")
    return Prefill(message, _final_text(content) if content is not None else None)


def _final_text(content: Value) -> Value | None:
    if content.known_str() is not None or isinstance(content.py, Text):
        return content
    blocks = content.as_list()
    if blocks is None or blocks.open or not blocks.items:
        return None
    block = blocks.items[-1].as_dict()
    if block is None or "text" not in block.items:
        return None
    kind = block.items.get("type")
    if kind is not None and kind.known_str() != "text":
        return None
    return block.items["text"]


@dataclass(frozen=True)
class At:
    """Where a finding points, with the places outside the call it comes from."""

    node: cst.CSTNode
    related: tuple[tuple[Any, ...], ...] = ()


@dataclass(eq=False)
class Request:
    """One request as the API will receive it, as far as it can be known statically."""

    call: cst.Call  # the SDK call (for batches: the batches.create call)
    anchor: cst.CSTNode  # where findings about missing parameters point
    method: str  # create | stream | parse | count_tokens
    beta: bool
    batch: bool
    params: dict[str, Value]
    open: bool  # an unresolved **splat (or positional arg) may supply more parameters
    scope: Scope
    splat: cst.CSTNode | None = None  # the **params argument, when values came from one
    params_node: cst.CSTNode | None = None  # batch: the params dict / call
    client_sets_timeout: bool = False  # the client was constructed with timeout=
    loops: tuple[cst.CSTNode, ...] = ()  # enclosing for/while loops and comprehensions
    # a request made through the project's own wrapper function, seen from one call of it:
    site: cst.Call | None = None  # the wrapper call in the linted file
    site_nodes: frozenset[int] = frozenset()  # ids of the nodes of that call's arguments
    foreign: Path | None = None  # the wrapper's module, when it is not the linted file
    standalone: Request | None = None  # the wrapper's own request (for de-duplication)
    receiver: ReceiverKind = "unknown"  # "anthropic": the receiver is proven an SDK client
    # the client.beta.<namespace> the call goes through, when not the beta messages resource
    # itself (client.beta.prompt_caching.messages.create): the attribute node of it
    namespace: cst.Name | None = None
    module: cst.Module | None = field(default=None, repr=False)
    point: Point | None = field(default=None, repr=False)  # where names are looked up
    resolver: Resolver | None = field(default=None, repr=False)
    # facts computed from the fields on first use; not an init field, so that
    # dataclasses.replace(request, params=...) starts with none
    _facts: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def _fact(self, key: str, compute: Callable[[], _T]) -> _T:
        if key not in self._facts:
            self._facts[key] = compute()
        return self._facts[key]  # type: ignore[no-any-return]

    def resolver_value(self, expr: cst.BaseExpression) -> Value | None:
        """Resolve an expression written in this request's scope."""
        if self.resolver is None:
            return None
        saved, self.resolver.point = self.resolver.point, self.point
        home, self.resolver.home = self.resolver.home, self.scope
        try:
            return self.resolver.value(expr, self.scope)
        finally:
            self.resolver.point, self.resolver.home = saved, home

    def prompt(self) -> Prompt:
        """The prompt in cache order (tools -> system -> messages), built on first use."""
        return self._fact("prompt", lambda: build_prompt(self.params))

    @property
    def thinking(self) -> Thinking:
        return self._fact("thinking", lambda: thinking_of(self.params))

    @property
    def prefill(self) -> Prefill | None:
        """The final assistant message, when the whole message list is known."""
        return self._fact("prefill", lambda: prefill_of(self.messages()))

    def code(self, node: cst.CSTNode) -> str:
        """The source of a node of this request's module."""
        return edits.render(node, self.module)

    def per_item_loop(self) -> cst.BaseExpression | None:
        """The iterable of the loop that makes this request once per item, independently of
        the other items (see :mod:`promptlint.resolve.loops`)."""
        return self._fact("per_item_loop", lambda: loops.per_item_loop(
            self.loops, (self.site or self.call).args))

    @property
    def accepted(self) -> frozenset[str]:
        return sdk.accepted_params(self.method, self.beta)

    def accepts(self, name: str) -> bool:
        return name in self.accepted

    def arg(self, name: str) -> Value | None:
        return self.params.get(name)

    def has(self, name: str) -> bool:
        return name in self.params

    def may_have(self, name: str) -> bool:
        return name in self.params or self.open

    @property
    def streaming(self) -> bool:
        if self.method == "stream":
            return True
        stream = self.arg("stream")
        return stream is not None and stream.py is not False

    def model_id(self) -> str | None:
        value = self.arg("model")
        return value.known_str() if value is not None else None

    # ---- where findings point --------------------------------------------------------------
    def at(self, param: str | None = None, defined: str | None = None, *,
           node: cst.CSTNode | None = None, source: cst.CSTNode | None = None,
           path: Path | None = None) -> At:
        """Where a finding points, and (given ``defined``, the message) where what it is about
        is defined when that is outside the call.

        - ``req.at()``: the call (for findings about what is missing); ``req.at(node=n)``: n;
        - ``req.at("max_tokens", "max_tokens defined here")``: the parameter's value;
        - ``req.at("thinking", "...", node=budget.node)``: a node inside the parameter's value,
          or the parameter when the node is written elsewhere (``source``, default ``node``:
          the node named as related; ``path``: the module it is in, when not this one)."""
        if param is None:
            return At(node if node is not None else self.anchor)
        if node is None:
            return At(self._param_node(param),
                      tuple(self._param_related(param, defined)) if defined else ())
        related = self._outside(source if source is not None else node, defined, path) \
            if defined else []
        inside = path is None and self.contains(node)  # a node of another module is not
        return At(node if inside else self._param_node(param), tuple(related))

    def _param_node(self, name: str) -> cst.CSTNode:
        """Where a finding about parameter ``name`` points: its value inside the call."""
        value = self.arg(name)
        if value is None:
            return self.anchor
        if self.site is not None and id(value.node) not in self.site_nodes:
            return self.anchor  # supplied inside the wrapper: point at the wrapper call
        return value.node

    def _param_related(self, name: str, message: str) -> list[tuple[Any, ...]]:
        """The place a parameter's literal is defined, when that is outside the call."""
        value = self.arg(name)
        if value is None:
            return []
        if value.fallback is not None:
            message = f"{message}: {value.fallback}"
        if self.site is not None and id(value.node) not in self.site_nodes:
            node = value.origin if value.origin is not None else value.node
            return [(node, message, value.origin_path or self.foreign)]
        if value.origin is None or value.origin is value.node:
            return []
        return [(value.origin, message, value.origin_path)]

    def contains(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is written inside this request's call (or batch params)."""
        if self.site is not None:
            return id(node) in self.site_nodes
        root = self.params_node if self.batch and self.params_node is not None else self.call
        return any(current is node for current in walk(root))

    def _outside(self, node: cst.CSTNode, message: str,
                 path: Path | None = None) -> list[tuple[Any, ...]]:
        if path is None and self.contains(node):
            return []
        if path is None and self.site is not None:
            path = self.foreign
        return [(node, message, path)]

    def can_edit(self, node: cst.CSTNode) -> bool:
        """Fixes of a wrapper call may only touch the caller's own arguments."""
        return self.site is None or id(node) in self.site_nodes

    def keyword_arg(self, name: str) -> cst.Arg | None:
        if self.batch or self.site is not None:
            return None
        for arg in self.call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        return None

    def messages(self) -> ListValue | None:
        value = self.arg("messages")
        return value.as_list() if value is not None else None


    # ---- fixes ----------------------------------------------------------------------------
    def add_kwarg(self, name: str, value: int | str, safety: Safety, title: str
                  ) -> FixProposal | None:
        """Pass ``name=value`` (an item of the params dict of a batch entry)."""
        if self.site is not None:
            return None
        if self.batch:
            node = self.params_node
            if not isinstance(node, cst.Dict):
                return None
            quote_from = next((e.key for e in node.elements if isinstance(e, cst.DictElement)),
                              None)
            item = edits.dict_item(name, edits.literal(value), like=quote_from)
            return FixProposal(safety, title, [edits.add_item(node.elements, node, item)])
        code = edits.keyword(name, edits.literal(value))
        return FixProposal(safety, title, [edits.add_item(self.call.args, self.call, code)])

    def remove_kwarg(self, name: str, safety: Safety, title: str) -> FixProposal | None:
        if self.site is not None:
            return None
        if self.batch and isinstance(self.params_node, cst.Dict):
            elements = self.params_node.elements
            element = next((e for e in elements if isinstance(e, cst.DictElement)
                            and literal_key(e.key) == name), None)
            if element is None:
                return None
            batch_edit = edits.remove_item(elements, element)
            return FixProposal(safety, title, [batch_edit]) if batch_edit is not None else None
        arg = self.keyword_arg(name)
        if arg is None:
            return None
        edit = edits.remove_item(self.call.args, arg)
        return FixProposal(safety, title, [edit]) if edit is not None else None

    def replace_literal(
        self, name: str, new: int | str, safety: Safety, title: str, at_definition: bool = False
    ) -> FixProposal | None:
        """Replace the literal that supplies ``name`` with ``new`` (written in the old literal's
        style): at the call (default) or where it is defined."""
        value = self.arg(name)
        if value is None:
            return None
        target = value.literal_node if at_definition else value.node
        if isinstance(target, cst.Arg):  # from a **splat: edit the dict literal's value
            target = value.literal_node
        if not isinstance(target, edits.LITERAL_TYPES) or not self.can_edit(target):
            return None
        code = edits.render(edits.literal(new, like=target))
        return FixProposal(safety, title, [NodeEdit.replace(target, code)])


class RequestFinder:
    def __init__(self, module: cst.Module, scopes: RequestScopes, resolver: Resolver) -> None:
        self.module = module
        self.scopes = scopes
        self.resolver = resolver
        self.client_classes = sdk.client_classes()

    # ---- entry ----------------------------------------------------------------------------
    def find(self) -> list[Request]:
        requests: list[Request] = []
        for call, scope in self.scopes.call_scopes.items():
            shape = _call_shape(call.func)
            if shape is None:
                continue
            receiver, path, method = shape
            namespace = None
            if isinstance(receiver, cst.Attribute) and receiver.attr.value == "beta" and (
                    len(path) > 1 and path[0] != "beta"):
                # client.beta.<namespace>.messages.create: an older SDK's beta resource
                receiver = receiver.value
                path = ["beta", *path[1:]]
                namespace = _namespace_node(call.func)
            kind, client_call = self.receiver_kind(receiver, scope)
            if kind == "other":
                continue
            beta = path[:1] == ["beta"]
            if path[-1:] == ["batches"]:
                if method != "create" or kind == "unknown" and not self.scopes.imports_anthropic:
                    continue
                for request in self._batch_requests(call, scope, beta):
                    request.module = self.module
                    requests.append(request)
                continue
            request = self._request(call, scope, method, beta)
            request.receiver = kind
            request.namespace = namespace
            request.module = self.module
            request.resolver = self.resolver
            request.loops = self.scopes.call_loops.get(call, ())
            request.client_sets_timeout = client_call is not None and any(
                a.keyword is not None and a.keyword.value == "timeout" for a in client_call.args
            )
            if kind == "unknown":
                if not self.scopes.imports_anthropic:
                    continue
                if not any(name in request.params for name in MESSAGES_SHAPED):
                    continue
            requests.append(request)
        return requests

    # ---- receivers ------------------------------------------------------------------------
    def is_client_class(self, expr: cst.BaseExpression, scope: Scope,
                        depth: int = 0) -> bool | None:
        """True: an Anthropic client class; False: some other known thing; None: unknown."""
        name = dotted_name(expr)
        if name is None or depth > MAX_RECEIVER_DEPTH:
            return None
        head, _, rest = name.partition(".")
        owner, bindings = scope.lookup(head)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind == "import":
            module = binding.module or ""
            if binding.imported is not None:  # from M import X [as head]
                target = binding.imported
                if rest:
                    return None
                if module.split(".")[0] == "anthropic":
                    return target in self.client_classes
                if not self._in_project(module):
                    return False
                if self._in_sdk(module):  # the SDK's own sources, relatively imported
                    return target in self.client_classes
                # the project's own subclass or alias of a client class
                found = self.resolver.import_target(binding, None)
                if found is None or len(found[2]) != 1:
                    return None
                resolver, other_owner, (other,) = found
                if other.kind in ("class", "assign"):
                    verdict = self._using(resolver).is_client_class(
                        cst.Name(target), other_owner, depth + 1)
                    return verdict
                return None
            if module.split(".")[0] == "anthropic":  # import anthropic [as head]
                return rest.split(".")[-1] in self.client_classes
            return None if self._in_project(module) else False
        if binding.kind == "class" and not rest:
            node = binding.node
            if isinstance(node, cst.ClassDef):
                return any(self.is_client_class(b.value, owner, depth + 1)
                           for b in node.bases) or False
            return False
        if binding.kind == "assign" and not rest and binding.value is not None:
            return self.is_client_class(binding.value, owner, depth + 1)
        return None

    def _in_project(self, module: str) -> bool:
        """Whether an imported module is one of the project's (its names may be factories)."""
        project = self.resolver.project
        return project is not None and project.find_module(module, self.resolver.path) is not None

    def _in_sdk(self, module: str) -> bool:
        project = self.resolver.project
        path = project.find_module(module, self.resolver.path) if project is not None else None
        return path is not None and project is not None and project.in_sdk(path)

    def _imported_from_project(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        head = (dotted_name(expr) or "").partition(".")[0]
        bindings = scope.lookup(head)[1] if head else []
        return len(bindings) == 1 and bindings[0].kind == "import" and (
            (bindings[0].module or "").split(".")[0] != "anthropic")

    def receiver_kind(
        self, expr: cst.BaseExpression, scope: Scope, depth: int = 0
    ) -> tuple[ReceiverKind, cst.Call | None]:
        """Whether ``expr`` is an Anthropic client, and the constructor call when known."""
        if depth > MAX_RECEIVER_DEPTH:
            return "unknown", None
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value in CLIENT_COPIES:
                kind, _ = self.receiver_kind(func.value, scope, depth + 1)
                return kind, (expr if kind == "anthropic" else None)
            verdict = self.is_client_class(expr.func, scope)
            if verdict is None:
                kind = self._factory_kind(expr.func, scope, depth)
                if kind == "unknown" and self._imported_from_project(expr.func, scope):
                    kind = "other"  # the project's own class or function, not a client
                return kind, None
            return ("anthropic", expr) if verdict else ("other", None)
        if isinstance(expr, cst.Name):
            owner, bindings = scope.lookup(expr.value)
            return self._kind_of_bindings(bindings, owner, depth)
        if isinstance(expr, (cst.BooleanOperation, cst.IfExp)):  # client or Anthropic()
            sides = ([expr.left, expr.right] if isinstance(expr, cst.BooleanOperation)
                     else [expr.body, expr.orelse])
            kinds = {self.receiver_kind(side, scope, depth + 1)[0] for side in sides
                     if not (isinstance(side, cst.Name) and side.value == "None")}
            if "anthropic" in kinds and "other" not in kinds:
                return "anthropic", None
            return ("other", None) if kinds == {"other"} else ("unknown", None)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            base = expr.value.value
            class_scope = None
            if scope.kind == "function" and scope.class_scope is not None:
                if base == scope.self_name:
                    class_scope = scope.class_scope
            found = scope.lookup(base)[1] if class_scope is None else []
            if len(found) == 1 and found[0].kind == "class":
                class_scope = found[0].scope
            if class_scope is not None:
                return self._attribute_kind(class_scope, expr.attr.value, depth)
            if len(found) == 1 and found[0].kind == "import":  # llm.client
                return self._imported_kind(found[0], expr.attr.value, depth)
        return "unknown", None

    def _attribute_kind(self, class_scope: Scope, attr: str, depth: int,
                        ) -> tuple[ReceiverKind, cst.Call | None]:
        """``self.client``: what the class (or a project base class) binds to the attribute."""
        finder: RequestFinder = self
        for _ in range(MAX_RECEIVER_DEPTH):
            bindings = [*class_scope.attributes.get(attr, []),
                        *class_scope.bindings.get(attr, [])]
            if bindings:
                return finder._kind_of_bindings(bindings, class_scope, depth + 1)
            node = class_scope.node
            bases = node.bases if isinstance(node, cst.ClassDef) else []
            found = next((t for t in (finder.resolver.class_of(b.value, class_scope.parent
                                                                or class_scope)
                                      for b in bases) if t is not None), None)
            if found is None:
                break
            finder = finder._using(found[0])
            class_scope = found[1]
        return "unknown", None

    def _using(self, resolver: Resolver) -> RequestFinder:
        """This finder's receiver analysis in another module (the module's own resolver)."""
        if resolver is self.resolver:
            return self
        return RequestFinder(self.module, self.scopes, resolver)

    def _imported_kind(self, binding: Binding, attr: str | None, depth: int
                       ) -> tuple[ReceiverKind, cst.Call | None]:
        """A client made in another module of the project: ``from .llm import client``."""
        target = self.resolver.import_target(binding, attr)
        if target is None:
            return "unknown", None
        resolver, owner, bindings = target
        return self._using(resolver)._kind_of_bindings(bindings, owner, depth + 1)

    def _factory_kind(self, func: cst.BaseExpression, scope: Scope, depth: int
                      ) -> ReceiverKind:
        """``get_client()``, ``self._client()``, an imported factory: a function of the project
        all of whose returns are clients (or whose return annotation is a client class)."""
        found = self.resolver._function_of(func, scope)
        if found is None:
            return "unknown"
        resolver, node, body_scope, _ = found
        return self._using(resolver)._returns_kind(node, body_scope, depth)

    def _returns_kind(self, node: cst.FunctionDef, body_scope: Scope, depth: int,
                      yields: bool = False) -> ReceiverKind:
        if node.returns is not None:
            verdict = self._annotation_kind(node.returns.annotation,
                                            body_scope.parent or body_scope)
            if verdict == "anthropic":
                return verdict
        values = function_results(node, yields)
        if not values or len(values) > 8:
            return "unknown"
        kinds = {self.receiver_kind(v, body_scope, depth + 1)[0] for v in values}
        return kinds.pop() if len(kinds) == 1 else "unknown"

    def _fixture_kind(self, name: str, function: Scope, depth: int) -> ReceiverKind:
        """A parameter of a test (or a fixture) named after a pytest fixture: the fixture
        defined in this module or in a ``conftest.py`` beside it or above it."""
        node = function.node
        path = self.resolver.path
        project = self.resolver.project
        if not isinstance(node, cst.FunctionDef) or path is None or project is None:
            return "unknown"
        if not (node.name.value.startswith("test") or _is_fixture(node)
                or path.name.startswith("test") or path.name == "conftest.py"):
            return "unknown"
        own = _fixture_in(function.module(), name)
        if own is not None and own is not node:
            owner, fixture = own
            return self._returns_kind(fixture, owner, depth, yields=True)
        try:
            folder = path.resolve().parent
            root = project.root.resolve()
        except (OSError, RuntimeError):
            return "unknown"
        for _ in range(12):
            conftest = folder / "conftest.py"
            loaded = project.load(conftest) if conftest.is_file() else None
            if loaded is not None:
                found = _fixture_in(loaded.scopes.root, name)
                if found is not None:
                    owner, fixture = found
                    finder = self._using(Resolver(loaded.path, project))
                    return finder._returns_kind(fixture, owner, depth, yields=True)
            if folder == root or folder.parent == folder:
                break
            folder = folder.parent
        return "unknown"

    def _kind_of_bindings(
        self, bindings: list[Binding], owner: Scope, depth: int
    ) -> tuple[ReceiverKind, cst.Call | None]:
        results = [self._kind_of_binding(b, owner, depth) for b in bindings]
        kinds = {kind for kind, _ in results}
        calls = [call for _, call in results if call is not None]
        call = calls[0] if len(calls) == 1 and len(results) == 1 else None
        if len(kinds) == 1:
            return kinds.pop(), call
        if "anthropic" in kinds and "other" not in kinds:
            return "anthropic", None
        return "unknown", None

    def _kind_of_binding(
        self, binding: Binding, owner: Scope, depth: int
    ) -> tuple[ReceiverKind, cst.Call | None]:
        if binding.annotation is not None:
            verdict = self._annotation_kind(binding.annotation, owner)
            if verdict != "unknown":
                return verdict, None
        if binding.kind in ("assign", "with") and binding.value is not None:
            return self.receiver_kind(binding.value, binding.where or owner, depth + 1)
        if binding.kind == "import" and depth <= MAX_RECEIVER_DEPTH:
            return self._imported_kind(binding, None, depth)
        if binding.kind == "param" and binding.node is not None:
            param = binding.node
            if isinstance(param, cst.Param) and param.default is None and not param.star:
                return self._fixture_kind(param.name.value, owner, depth), None
        if binding.kind == "function" and isinstance(binding.node, cst.FunctionDef) and any(
                (dotted_name(d.decorator) or "").endswith("property")
                for d in binding.node.decorators):
            body = _child_scope(owner, binding.node)
            if body is not None:
                return self._returns_kind(binding.node, body, depth), None
        return "unknown", None

    def _annotation_kind(self, annotation: cst.BaseExpression, scope: Scope) -> ReceiverKind:
        verdicts: set[bool | None] = set()
        for node in _annotation_names(annotation):
            if dotted_name(node) in ("None", "Optional", "typing.Optional"):
                continue
            verdicts.add(self.is_client_class(node, scope))
        if True in verdicts:
            return "anthropic"
        if verdicts == {False}:
            return "other"
        return "unknown"

    # ---- parameters -----------------------------------------------------------------------
    def _request(self, call: cst.Call, scope: Scope, method: str, beta: bool) -> Request:
        point = self.scopes.call_points.get(call)
        saved, self.resolver.point = self.resolver.point, point
        home, self.resolver.home = self.resolver.home, scope
        try:
            request = self._request_at(call, scope, method, beta)
        finally:
            self.resolver.point, self.resolver.home = saved, home
        request.point = point
        return request

    def _request_at(self, call: cst.Call, scope: Scope, method: str, beta: bool) -> Request:
        params: dict[str, Value] = {}
        is_open = False
        splat: cst.CSTNode | None = None
        for arg in call.args:
            if arg.keyword is not None:
                params[arg.keyword.value] = self.resolver.value(arg.value, scope)
            elif arg.star == "**":
                inner = self.resolver.value(arg.value, scope).as_dict()
                splat = arg
                if inner is None:
                    is_open = True
                    continue
                for key, value in inner.items.items():
                    params[key] = Value(value.py, arg, value.literal_node, value.origin_path,
                                        value.varies, value.fallback, value.candidates)
                is_open = is_open or inner.open
            else:
                is_open = True
        func = call.func
        anchor = func.attr if isinstance(func, cst.Attribute) else func
        return Request(call, anchor, method, beta, False, params, is_open, scope, splat)

    def _batch_requests(self, call: cst.Call, scope: Scope, beta: bool) -> list[Request]:
        requests_arg = next(
            (a for a in call.args if a.keyword is not None and a.keyword.value == "requests"),
            None,
        )
        if requests_arg is None:
            return []
        point = self.scopes.call_points.get(call)
        saved, self.resolver.point = self.resolver.point, point
        home, self.resolver.home = self.resolver.home, scope
        try:
            return self._batch_requests_at(call, requests_arg.value, scope, beta)
        finally:
            self.resolver.point, self.resolver.home = saved, home

    def _batch_elements(self, container: cst.BaseExpression, scope: Scope, depth: int = 0
                        ) -> list[tuple[cst.BaseExpression, Scope]]:
        """The request entries of ``requests=``: a list literal's elements, a comprehension's
        element, or those of the list a name is bound to (with the entries it appends)."""
        if isinstance(container, (cst.List, cst.Tuple)):
            return [(e.value, scope) for e in container.elements
                    if not isinstance(e, cst.StarredElement)]
        if isinstance(container, (cst.ListComp, cst.GeneratorExp)):
            return [(container.elt, scope)]
        if isinstance(container, cst.Call) and dotted_name(container.func) in ("list", "tuple") \
                and len(container.args) == 1 and depth < 4:
            return self._batch_elements(container.args[0].value, scope, depth + 1)
        if not isinstance(container, cst.Name) or depth >= 4:
            return []
        owner, bindings = scope.lookup(container.value)
        reach = owner.reaching([b for b in bindings if b.kind != "declare"], self.resolver.point)
        out: list[tuple[cst.BaseExpression, Scope]] = []
        for binding in reach:
            if binding.kind != "assign" or binding.value is None:
                continue
            where = binding.where or owner
            out.extend(self._batch_elements(binding.value, where, depth + 1))
        appended = owner.list_appends.get(container.value, [])
        out.extend((item, owner) for item in appended if item is not None)
        return out

    def _batch_requests_at(self, call: cst.Call, container: cst.BaseExpression, scope: Scope,
                           beta: bool) -> list[Request]:
        out: list[Request] = []
        for element, element_scope in self._batch_elements(container, scope):
            scope = element_scope
            params_node = _batch_params_node(element)
            if params_node is None:  # an entry built elsewhere (a helper's dict)
                entry = self.resolver.value(element, scope).get("params")
                if entry is None or entry.as_dict() is None:
                    continue
                params_node, value = entry.node, entry
            else:
                value = self.resolver.value(params_node, scope)
            if isinstance(params_node, cst.Call) and dotted_name(params_node.func) in (
                *BATCH_PARAM_TYPES,
                *(f"{m}.{t}" for m in ("message_create_params",) for t in BATCH_PARAM_TYPES),
            ):
                value = self.resolver.value(
                    cst.Call(func=cst.Name("dict"), args=params_node.args), scope
                )
                value = Value(value.py, params_node)
            params = value.as_dict()
            if params is None:
                continue
            out.append(
                Request(call, params_node, "create", beta, True, dict(params.items),
                        params.open, scope, params_node=params_node)
            )
        return out


def _is_fixture(node: cst.FunctionDef) -> bool:
    for decorator in node.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        if (dotted_name(target) or "").split(".")[-1] == "fixture":
            return True
    return False


def _fixture_name(node: cst.FunctionDef) -> str:
    for decorator in node.decorators:
        if isinstance(decorator.decorator, cst.Call):
            for arg in decorator.decorator.args:
                if arg.keyword is not None and arg.keyword.value == "name":
                    name = literal_key(arg.value)
                    if name is not None:
                        return name
    return node.name.value


def _fixture_in(module_scope: Scope, name: str) -> tuple[Scope, cst.FunctionDef] | None:
    """The fixture called ``name`` defined at the top of a module (its body scope)."""
    for child in module_scope.children:
        node = child.node
        if isinstance(node, cst.FunctionDef) and _is_fixture(node) and (
                _fixture_name(node) == name):
            return child, node
    return None


def _child_scope(owner: Scope, node: cst.CSTNode) -> Scope | None:
    return next((child for child in owner.children if child.node is node), None)


def _batch_params_node(element: cst.BaseExpression) -> cst.BaseExpression | None:
    if isinstance(element, cst.Dict):
        for item in element.elements:
            if isinstance(item, cst.DictElement) and literal_key(item.key) == "params":
                return item.value
        return None
    if isinstance(element, cst.Call):
        for arg in element.args:
            if arg.keyword is not None and arg.keyword.value == "params":
                return arg.value
    return None


def _annotation_names(annotation: cst.BaseExpression) -> list[cst.BaseExpression]:
    """Names inside an annotation: ``A``, ``A | None``, ``Optional[A]``, ``"A"``."""
    if isinstance(annotation, (cst.Name, cst.Attribute)):
        return [annotation]
    if isinstance(annotation, cst.BinaryOperation):
        return _annotation_names(annotation.left) + _annotation_names(annotation.right)
    if isinstance(annotation, cst.Subscript):
        out: list[cst.BaseExpression] = []
        for element in annotation.slice:
            if isinstance(element.slice, cst.Index):
                out.extend(_annotation_names(element.slice.value))
        return out
    if isinstance(annotation, cst.SimpleString):
        text = annotation.evaluated_value
        if isinstance(text, str):
            try:
                return _annotation_names(cst.parse_expression(text))
            except cst.ParserSyntaxError:
                return []
    return []


def _namespace_node(func: cst.BaseExpression) -> cst.Name | None:
    """The ``<namespace>`` name of ``client.beta.<namespace>.messages[...].method``."""
    node = func
    while isinstance(node, cst.Attribute):
        if node.attr.value == "messages" and isinstance(node.value, cst.Attribute):
            return node.value.attr
        node = node.value
    return None


def _call_shape(func: cst.BaseExpression) -> tuple[cst.BaseExpression, list[str], str] | None:
    """Split ``recv[.beta].messages[.batches][.with_raw_response].method``.

    Returns (receiver, path before the method, method) or None when the callee is not a
    Messages call. The path starts after the receiver: ["beta", "messages", ...].
    """
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    chain: list[str] = []
    node: cst.BaseExpression = func.value
    while isinstance(node, cst.Attribute) and len(chain) < 5:
        chain.append(node.attr.value)
        if node.attr.value == "messages":
            node = node.value
            break
        node = node.value
    else:
        return None
    path = list(reversed(chain))  # e.g. ["messages", "batches"]
    if path[0] != "messages":
        return None
    rest = path[1:]
    if rest and rest[-1] in sdk.RESPONSE_WRAPPERS:
        rest = rest[:-1]
    if rest == ["batches"]:
        tail = ["batches"]
    elif rest:
        return None
    else:
        tail = []
        if method not in sdk.REQUEST_METHODS:
            return None
    prefix: list[str] = []
    if isinstance(node, cst.Attribute) and node.attr.value == "beta":
        prefix = ["beta"]
        node = node.value
    elif (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Attribute)
          and node.value.attr.value == "beta" and node.attr.value in sdk.beta_namespaces()):
        # client.beta.prompt_caching.messages: the receiver is client.beta, the namespace
        # part of the path
        return node.value, [node.attr.value, "messages", *tail], method
    elif isinstance(node, cst.Attribute) and node.attr.value in ("threads", "chat"):
        return None
    return node, [*prefix, "messages", *tail], method

