"""Static values of expressions: literals, single-binding constants and simple expressions.

Anything promptlint cannot prove is ``UNKNOWN``; rules treat unknown as "stay silent".
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import libcst as cst

from promptlint.resolve import templates
from promptlint.resolve.external import FileHandle, PathValue, Project
from promptlint.resolve.templates import EnvironmentValue, LoaderValue, TemplateValue
from promptlint.resolve.text import STR_METHODS, TEXT_FUNCTIONS, Text
from promptlint.syntax.scope import (
    Binding,
    Point,
    Scope,
    dotted_name,
    function_results,
    literal_key,
)


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


@dataclass(eq=False)
class DictValue:
    items: dict[str, Value] = field(default_factory=dict)
    open: bool = False  # keys we could not see may be present
    # keys that are not strings, by how they are written (``Tier.FAST``): for lookups only
    named: dict[str, Value] = field(default_factory=dict)


@dataclass(eq=False)
class ListValue:
    items: list[Value] = field(default_factory=list)
    open: bool = False  # elements we could not see may follow


@dataclass(frozen=True)
class StringTemplate:
    """``string.Template(source)``: text with ``$name`` placeholders."""

    source: str


@dataclass(eq=False)
class Value:
    """A value as written at its point of use.

    ``node`` is the expression at the place of use (inside the request); ``origin`` is the
    expression that actually holds the literal when it lives elsewhere (a constant).
    """

    py: Any
    node: cst.CSTNode
    origin: cst.CSTNode | None = None
    origin_path: Path | None = None  # the module ``origin`` lives in, when not this file
    varies: bool = False  # unknown because it changes per request (a parameter, the clock)
    # a known value that holds only when nothing overrides it: what it is the default of
    # ("the default of parameter 'model'", "the default used when X is unset")
    fallback: str | None = None
    # when unknown because the bindings that reach the use disagree: their values
    candidates: tuple[Value, ...] = ()

    @property
    def known(self) -> bool:
        return self.py is not UNKNOWN

    def known_int(self) -> int | None:
        py = self.py
        return py if isinstance(py, int) and not isinstance(py, bool) else None

    def known_str(self) -> str | None:
        return self.py if isinstance(self.py, str) else None

    def text(self) -> Text:
        """As prompt text: static where known, holes elsewhere."""
        return text_of(self)

    def as_dict(self) -> DictValue | None:
        return self.py if isinstance(self.py, DictValue) else None

    def as_list(self) -> ListValue | None:
        return self.py if isinstance(self.py, ListValue) else None

    def get(self, key: str) -> Value | None:
        d = self.as_dict()
        return d.items.get(key) if d is not None else None

    @property
    def literal_node(self) -> cst.CSTNode:
        """Where the literal text is written (the constant's value, or the argument itself)."""
        return self.origin if self.origin is not None else self.node


MAX_DEPTH = 24
MAX_CANDIDATES = 16  # bindings of one name weighed at a use; more stay unknown
MAX_HELPER_DEPTH = 4  # helper functions evaluated inside one another


class Resolver:
    """Resolves expressions of one module; ``project`` reaches other modules and files."""

    def __init__(self, path: Path | None = None, project: Project | None = None) -> None:
        self._active: set[int] = set()
        self.path = path
        self.project = project
        # wrapper analysis: values of a function's parameters at one call site, by scope id
        self.overrides: dict[int, dict[str, Value]] = {}
        # where names are looked up (flow-sensitively, in that point's scope); None: anywhere
        self.point: Point | None = None
        # the function whose request is being resolved: its own parameter defaults count
        self.home: Scope | None = None
        self.helper_depth = 0

    def value(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Value:
        if depth > MAX_DEPTH or id(expr) in self._active:
            return Value(UNKNOWN, expr)
        self._active.add(id(expr))
        try:
            result = self._value(expr, scope, depth + 1)
            if result.py is UNKNOWN and not result.varies and self._varies(expr, scope, depth):
                result = Value(UNKNOWN, result.node, result.origin, result.origin_path, True)
            return result
        finally:
            self._active.discard(id(expr))

    def _varies(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> bool:
        """Whether an unknown expression changes from request to request: a parameter (or an
        attribute of one), a loop variable, the clock, a random or unique value."""
        root: cst.BaseExpression = expr
        while isinstance(root, (cst.Attribute, cst.Subscript)):
            root = root.value
        if isinstance(root, cst.Name):
            owner, found = scope.lookup(root.value)
            passed = self.overrides.get(id(owner), {}).get(root.value)
            if passed is not None:
                return passed.varies
            bindings = owner.reaching([b for b in found if b.kind != "declare"], self.point)
            if any(b.kind in ("param", "loop") for b in bindings):
                return True
            single = bindings[0] if len(bindings) == 1 else None
            if single is not None and single.kind == "assign" and single.value is not None:
                if self._import_time(owner, single):
                    return False  # computed at import: fixed for the life of the process
                if depth < MAX_DEPTH and single.value is not expr:
                    where = single.where or owner
                    saved, self.point = self.point, Point(where, single.order, single.blocks)
                    try:
                        return self.value(single.value, where, depth + 1).varies
                    finally:
                        self.point = saved
            return False
        if isinstance(expr, cst.Call):
            func = self.qualified(expr.func, scope) or ""
            if func.split(".")[0] in PER_REQUEST_MODULES or func == "builtins.next":
                return True  # (next(counter): a new number on every call)
            if isinstance(expr.func, cst.Attribute):
                if expr.func.attr.value in PER_REQUEST_METHODS:
                    return True
                return self._varies(expr.func.value, scope, depth + 1)
            return any(self.value(a.value, scope, depth + 1).varies for a in expr.args)
        if isinstance(expr, cst.BinaryOperation):
            return (self.value(expr.left, scope, depth + 1).varies
                    or self.value(expr.right, scope, depth + 1).varies)
        return False

    def _value(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Value:
        if isinstance(expr, (cst.Integer, cst.Float)):
            return Value(_number(expr), expr)
        if isinstance(expr, cst.SimpleString):
            evaluated = expr.evaluated_value
            return Value(evaluated if isinstance(evaluated, str) else UNKNOWN, expr)
        if isinstance(expr, cst.ConcatenatedString):
            left = self.value(expr.left, scope, depth)
            right = self.value(expr.right, scope, depth)
            return Value(_concat(text_of(left), text_of(right)), expr)
        if isinstance(expr, cst.FormattedString):
            return Value(self._fstring(expr, scope, depth), expr)
        if isinstance(expr, cst.Name):
            return self._name(expr, scope, depth)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope, depth)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            inner = self.value(expr.expression, scope, depth).py
            if isinstance(inner, (int, float)) and not isinstance(inner, bool):
                return Value(-inner, expr)
            return Value(UNKNOWN, expr)
        if isinstance(expr, cst.BinaryOperation):
            return Value(self._binary(expr, scope, depth), expr)
        if isinstance(expr, cst.Dict):
            return Value(self._dict_literal(expr, scope, depth), expr)
        if isinstance(expr, (cst.List, cst.Tuple)):
            return Value(self._list_literal(expr, scope, depth), expr)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, depth)
        if isinstance(expr, cst.Subscript):
            return self._subscript(expr, scope, depth)
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            return self._or(expr, scope, depth)
        if isinstance(expr, cst.IfExp):
            return self._if_expression(expr, scope, depth)
        return Value(UNKNOWN, expr)

    def _if_expression(self, expr: cst.IfExp, scope: Scope, depth: int) -> Value:
        """``A if test else B``: the branch a known test picks; else both are candidates."""
        test = self.value(expr.test, scope, depth).py
        if isinstance(test, (bool, int, str)) or test is None:
            return self.value(expr.body if test else expr.orelse, scope, depth)
        body = self.value(expr.body, scope, depth)
        orelse = self.value(expr.orelse, scope, depth)
        if body.known and orelse.known and _same(body.py, orelse.py):
            return Value(body.py, expr, varies=body.varies or orelse.varies)
        candidates = (body, orelse) if body.known and orelse.known else ()
        return Value(UNKNOWN, expr, varies=body.varies or orelse.varies, candidates=candidates)

    def _subscript(self, expr: cst.Subscript, scope: Scope, depth: int) -> Value:
        """``MODELS["fast"]``, ``BY_TIER[Tier.FAST]``, ``CHOICES[0]`` over known literals."""
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return Value(UNKNOWN, expr)
        container = self.value(expr.value, scope, depth)
        index = expr.slice[0].slice.value
        found: Value | None = None
        mapping = container.as_dict()
        listed = container.as_list()
        if mapping is not None:
            found = self._lookup(mapping, index, scope, depth)
        elif listed is not None and not listed.open:
            position = self.value(index, scope, depth).known_int()
            if position is not None and -len(listed.items) <= position < len(listed.items):
                found = listed.items[position]
        if found is None:
            return Value(UNKNOWN, expr)
        return Value(found.py, expr, found.literal_node, found.origin_path or
                     container.origin_path, found.varies, found.fallback)

    def _lookup(self, mapping: DictValue, key_expr: cst.BaseExpression, scope: Scope,
                depth: int) -> Value | None:
        written = dotted_name(key_expr)
        if written is not None and written in mapping.named:
            return mapping.named[written]
        key = self.value(key_expr, scope, depth).known_str()
        if key is not None:
            return mapping.items.get(key)
        return None

    def _or(self, expr: cst.BooleanOperation, scope: Scope, depth: int) -> Value:
        """``x or default``: the default when ``x`` is known to be empty, or when ``x`` reads an
        environment variable (then the default is what runs while the variable is unset)."""
        left = self.value(expr.left, scope, depth)
        if isinstance(left.py, (str, int, float, bool)) or left.py is None:
            return left if left.py else self.value(expr.right, scope, depth)
        variable = self._environment_name(expr.left, scope, depth)
        unpassed = self._unpassed_parameter(expr.left, scope) if variable is None else None
        if variable is None and unpassed is None:
            return Value(UNKNOWN, expr)
        right = self.value(expr.right, scope, depth)
        if not isinstance(right.py, (str, int, float)) or not right.known:
            return Value(UNKNOWN, expr)
        if unpassed is not None:  # def f(model=None): model = model or DEFAULT
            return Value(right.py, expr, right.literal_node, right.origin_path, True,
                         f"the default used when no value is passed for '{unpassed}'")
        return Value(right.py, expr, right.literal_node, right.origin_path,
                     fallback=f"the default used when {variable} is unset")

    def _unpassed_parameter(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The name of a parameter of the requesting function that defaults to None (or to
        an empty string) and that no caller seen here passes."""
        if not isinstance(expr, cst.Name):
            return None
        owner, found = scope.lookup(expr.value)
        reach = owner.reaching([b for b in found if b.kind != "declare"], self.point)
        if len(reach) != 1 or reach[0].kind != "param" or owner is not self.home:
            return None
        if expr.value in self.overrides.get(id(owner), {}):
            return None
        default = reach[0].value
        if isinstance(default, cst.Name) and default.value == "None" or isinstance(
                default, cst.SimpleString) and default.evaluated_value == "":
            return expr.value
        return None

    def _environment_name(self, expr: cst.BaseExpression, scope: Scope,
                          depth: int) -> str | None:
        """The variable's name when ``expr`` reads the environment without a default
        (``os.getenv("X")``, ``os.environ.get("X")``, a name bound to one of those)."""
        if isinstance(expr, cst.Name) and depth < MAX_DEPTH:
            owner, found = scope.lookup(expr.value)
            reach = owner.reaching([b for b in found if b.kind != "declare"], self.point)
            if len(reach) == 1 and reach[0].kind == "assign" and reach[0].value is not None:
                return self._environment_name(reach[0].value, reach[0].where or owner,
                                              depth + 1)
            return None
        if not isinstance(expr, cst.Call) or not expr.args or len(expr.args) > 1:
            return None
        func = self.qualified(expr.func, scope)
        if func not in ("os.getenv", "os.environ.get"):
            return None
        return self.value(expr.args[0].value, scope, depth).known_str()

    # ---- pieces -------------------------------------------------------------------------
    def _fstring(self, expr: cst.FormattedString, scope: Scope, depth: int) -> Any:
        out: list[str | Text] = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value
                if "r" not in expr.prefix.lower() and "\\" in text:
                    try:
                        text = ast.literal_eval('"""' + text.replace('"', '\\"') + '"""')
                    except (SyntaxError, ValueError):
                        return UNKNOWN
                out.append(text.replace("{{", "{").replace("}}", "}"))
                continue
            inner = self.value(part.expression, scope, depth)
            if part.format_spec or part.conversion or isinstance(inner.py, bool):
                out.append(Text.hole("{" + _code(part.expression) + "}", part.expression,
                                     varies=inner.varies or inner.known))
            elif isinstance(inner.py, (str, int)) and not _per_call(inner):
                out.append(str(inner.py))
            else:
                out.append(text_of(inner, "{" + _code(part.expression) + "}"))
        return _concat(*out)

    def _binary(self, expr: cst.BinaryOperation, scope: Scope, depth: int) -> Any:
        left_value = self.value(expr.left, scope, depth)
        right_value = self.value(expr.right, scope, depth)
        left, right = left_value.py, right_value.py
        op = expr.operator
        numbers = all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)
        )
        if isinstance(op, cst.Add) and (_textual(left) or _textual(right)) and (
                _textual(left) or left is UNKNOWN) and (_textual(right) or right is UNKNOWN):
            return _concat(text_of(left_value), text_of(right_value))
        if isinstance(op, cst.Modulo) and isinstance(left, str):
            return _percent_format(left, expr.right, self.value(expr.right, scope, depth))
        if isinstance(op, cst.Divide) and isinstance(left, PathValue) and isinstance(right, str):
            return PathValue(left.path / right)
        try:
            if isinstance(op, cst.Add):
                if numbers:
                    return left + right
            elif numbers and isinstance(op, cst.Subtract):
                return left - right
            elif numbers and isinstance(op, cst.Multiply):
                return left * right
            elif numbers and isinstance(op, cst.FloorDivide) and right:
                return left // right
            elif numbers and isinstance(op, cst.Power) and abs(right) <= 64:
                return left**right
        except (OverflowError, ValueError, TypeError):
            return UNKNOWN
        return UNKNOWN

    def _dict_literal(self, expr: cst.Dict, scope: Scope, depth: int) -> DictValue:
        result = DictValue()
        for element in expr.elements:
            if isinstance(element, cst.DictElement):
                key = literal_key(element.key)
                if key is None and isinstance(element.key, cst.Name):
                    key = self.value(element.key, scope, depth).known_str()
                if key is None:
                    result.open = True
                    written = dotted_name(element.key)
                    if written is not None and "." in written:  # an enum member
                        result.named[written] = self.value(element.value, scope, depth)
                    continue
                result.items[key] = self.value(element.value, scope, depth)
            else:  # **splat
                inner = self.value(element.value, scope, depth).as_dict()
                if inner is None:
                    result.open = True
                    result.items.clear()  # later keys still win, earlier ones may be overridden
                    continue
                result.items.update(inner.items)
                result.open = result.open or inner.open
        return result

    def _list_literal(self, expr: cst.List | cst.Tuple, scope: Scope, depth: int) -> ListValue:
        result = ListValue()
        for element in expr.elements:
            if isinstance(element, cst.StarredElement):
                inner = self.value(element.value, scope, depth).as_list()
                if inner is None:
                    result.open = True
                    result.items.append(Value(UNKNOWN, element))
                    continue
                result.items.extend(inner.items)
                result.open = result.open or inner.open
            else:
                result.items.append(self.value(element.value, scope, depth))
        return result

    def _call(self, expr: cst.Call, scope: Scope, depth: int) -> Value:
        if isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            receiver = self.value(expr.func.value, scope, depth)
            result = self._method(expr, method, receiver, scope, depth)
            if result is not UNKNOWN:
                return Value(result, expr)
        func = self.qualified(expr.func, scope)
        if func is None or func.startswith(".") or func.split(".")[0] not in _NOT_PROJECT \
                and not func.startswith("builtins."):
            helper = self._helper_function(expr, scope, depth)
            if helper is not None:
                return helper
        if func is not None:
            special = self._special(expr, func, scope, depth)
            if special is not None:
                return special
            result = self._function(expr, func, scope, depth)
            if result is not UNKNOWN:
                return Value(result, expr)
        if func == "builtins.dict" or func is not None and _typed_dict(func) or (
                self._is_typed_dict_class(expr.func, scope)):
            result = DictValue()
            for arg in expr.args:
                if arg.keyword is not None:
                    result.items[arg.keyword.value] = self.value(arg.value, scope, depth)
                elif arg.star == "**":
                    inner = self.value(arg.value, scope, depth).as_dict()
                    if inner is None:
                        result.open = True
                    else:
                        result.items.update(inner.items)
                        result.open = result.open or inner.open
                else:
                    result.open = True
            return Value(result, expr)
        return Value(UNKNOWN, expr)

    def _name(self, expr: cst.Name, scope: Scope, depth: int) -> Value:
        constants = {"True": True, "False": False, "None": None}
        owner, found = scope.lookup(expr.value)
        bindings = [b for b in found if b.kind != "declare"]
        if not found and expr.value in constants:
            return Value(constants[expr.value], expr)
        if not found and expr.value == "__file__" and self.path is not None:
            return Value(PathValue(self.path.resolve()), expr)
        reach = owner.reaching(bindings, self.point)
        if len(reach) == 1 and reach[0].kind == "import":
            return self._imported(expr, reach[0], None, depth)
        if len(reach) == 1 and reach[0].kind == "with" and reach[0].value is not None:
            inner_with = self.value(reach[0].value, owner, depth)
            if isinstance(inner_with.py, FileHandle):
                return Value(inner_with.py, expr)
        if len(reach) == 1 and reach[0].kind == "param":
            passed = self.overrides.get(id(owner), {}).get(expr.value)
            if passed is not None:
                return passed  # as written at the call site
        inner = self._bindings_value(expr.value, owner, reach, depth)
        if inner is None:
            return Value(UNKNOWN, expr)
        if inner.varies or _holds_varying(inner.py):
            if len(reach) == 1 and self._import_time(owner, reach[0]):
                # computed at import: fixed for the life of the process
                return Value(_fixed(inner.py), expr, inner.literal_node, inner.origin_path)
        return Value(inner.py, expr, inner.literal_node, inner.origin_path, inner.varies,
                     inner.fallback, inner.candidates)

    def _import_time(self, owner: Scope, binding: Binding) -> bool:
        """Assigned once, at import, for requests made later by the running process: not in a
        notebook (its cells run again and again), and not when the request itself is made at
        the module's top level (a script that runs once per request: each run computes it)."""
        notebook = self.path is not None and self.path.suffix == ".ipynb"
        script = self.home is not None and self.home.kind == "module"
        return not notebook and not script and _runs_once(owner, binding)

    def _bindings_value(
        self, name: str, owner: Scope, bindings: list[Binding], depth: int
    ) -> Value | None:
        """The value of a name bound by one of ``bindings``: known when every one of them gives
        the same value; else unknown, with the values that disagree as candidates."""
        if not bindings or len(bindings) > MAX_CANDIDATES:
            return None
        values = [self._binding_value(name, owner, b, depth) for b in bindings]
        if len(values) == 1:
            return values[0]
        present = [v for v in values if v is not None]
        first = present[0] if present else None
        if first is not None and len(present) == len(values) and first.known and all(
                _same(v.py, first.py) for v in present[1:]):
            fallback = next((v.fallback for v in present if v.fallback), None)
            return Value(first.py, first.node, None, None, any(v.varies for v in present),
                         fallback)
        if first is None:
            return None
        return Value(UNKNOWN, first.node, varies=any(v.varies for v in present),
                     candidates=tuple(present) if len(present) == len(values) else ())

    def _binding_value(self, name: str, owner: Scope, binding: Binding,
                       depth: int) -> Value | None:
        if binding.kind == "param":
            passed = self.overrides.get(id(owner), {}).get(name)
            if passed is not None:
                return passed
            return self._param_default(name, owner, binding, depth)
        if binding.kind == "import":
            return self._imported(binding.node or cst.Name(name), binding, None, depth)
        if binding.kind != "assign" or binding.value is None:
            return None
        where = binding.where or owner
        point = Point(where, binding.order, binding.blocks)
        saved, self.point = self.point, point
        try:
            inner = self.value(binding.value, where, depth)
            inner = self._mutated(name, owner, binding, inner, saved, depth)
        finally:
            self.point = saved
        return inner

    def _param_default(self, name: str, owner: Scope, binding: Binding,
                       depth: int) -> Value | None:
        """A parameter nobody passes here: its default, as a default (a scalar only)."""
        default = binding.value
        param = binding.node
        home = self.home
        if home is not owner or default is None or not isinstance(param, cst.Param) or (
                param.star):  # (another function's parameter: ``self.model = model`` in
            # __init__ holds what the constructor's callers pass)
            return Value(UNKNOWN, param or cst.Name(name), varies=True)
        saved, self.point = self.point, None
        try:
            inner = self.value(default, owner.parent or owner, depth)
        finally:
            self.point = saved
        if not isinstance(inner.py, (str, int, float)) or inner.py is UNKNOWN:
            return Value(UNKNOWN, default, varies=True)
        return Value(inner.py, default, inner.literal_node, inner.origin_path, True,
                     f"the default of parameter '{name}'")

    def _mutated(self, name: str, owner: Scope, binding: Binding, inner: Value,
                 point: Point | None, depth: int) -> Value:
        """A dict or list as changed after its binding, before ``point`` (in the same scope:
        changes that always run are applied, conditional ones make the entry unknown)."""
        updates = owner.dict_updates.get(name)
        if updates and isinstance(inner.py, DictValue):
            flow = point is not None and point.scope is owner
            merged = DictValue(dict(inner.py.items), inner.py.open, dict(inner.py.named))
            for update in updates:
                if update.order <= binding.order and binding.where is owner:
                    continue  # it changed an earlier value of the name
                if flow and update.order >= point.order:  # type: ignore[union-attr]
                    continue
                sure = not flow or point.blocks[:len(update.blocks)] == update.blocks  # type: ignore[union-attr]
                key = update.key
                if update.op == "unknown" or key is None:
                    merged.open = True
                elif update.op == "delete":
                    merged.items.pop(key, None)
                    merged.open = merged.open or not sure or not flow
                elif update.op == "set" and update.value is not None:
                    merged.items[key] = (self.value(update.value, owner, depth) if sure
                                         else Value(UNKNOWN, update.value))
                elif update.op == "default" and key not in merged.items:
                    if merged.open or not sure or update.value is None:
                        merged.items[key] = Value(UNKNOWN, update.value or inner.node)
                    else:
                        merged.items[key] = self.value(update.value, owner, depth)
            inner = Value(merged, inner.node, inner.origin)
        appends = owner.list_appends.get(name)
        if appends and isinstance(inner.py, ListValue):
            inner = Value(ListValue(list(inner.py.items), True), inner.node, inner.origin)
        return inner

    def _attribute(self, expr: cst.Attribute, scope: Scope, depth: int) -> Value:
        if expr.attr.value in ("parent", "stem", "name"):
            inner = self.value(expr.value, scope, depth).py
            if isinstance(inner, PathValue):
                if expr.attr.value == "parent":
                    return Value(PathValue(inner.path.parent), expr)
                return Value(getattr(inner.path, expr.attr.value), expr)
        if not isinstance(expr.value, cst.Name):
            return Value(UNKNOWN, expr)
        base = expr.value.value
        found_import = scope.lookup(base)[1]
        if len(found_import) == 1 and found_import[0].kind == "import":
            return self._imported(expr, found_import[0], expr.attr.value, depth)
        attr = expr.attr.value
        class_scope: Scope | None = None
        if scope.kind == "function" and scope.class_scope is not None and base == scope.self_name:
            class_scope = scope.class_scope
        else:
            found = scope.lookup(base)[1]
            if len(found) == 1 and found[0].kind == "class":
                class_scope = found[0].scope
        if class_scope is None:
            return Value(UNKNOWN, expr)
        inner = self.class_attribute(class_scope, attr, depth)
        if inner is None:
            return Value(UNKNOWN, expr)
        return Value(inner.py, expr, inner.literal_node, inner.origin_path, inner.varies,
                     inner.fallback, inner.candidates)

    def class_attribute(self, class_scope: Scope, attr: str, depth: int) -> Value | None:
        """``self.attr`` / ``Class.attr``: the class body's value, a field default, or what its
        methods assign; looked up in the project's base classes when the class has none."""
        found = self.class_bindings(class_scope, attr)
        if found is None:
            return None
        owner, bindings, resolver = found
        saved, resolver.point = resolver.point, None
        try:
            inner = resolver._bindings_value(attr, owner, bindings, depth)
        finally:
            resolver.point = saved
        if inner is not None and resolver is not self and inner.origin_path is None:
            inner = Value(inner.py, inner.node, inner.literal_node, resolver.path, inner.varies,
                          inner.fallback, inner.candidates)
        return inner

    def class_bindings(self, class_scope: Scope, attr: str, depth: int = 0
                       ) -> tuple[Scope, list[Binding], Resolver] | None:
        """Where ``attr`` of a class is bound: this class, else its bases (in the project)."""
        bindings = [b for b in (*class_scope.bindings.get(attr, []),
                                *class_scope.attributes.get(attr, [])) if b.kind != "declare"]
        if bindings:
            return class_scope, bindings, self
        node = class_scope.node
        if depth > 4 or not isinstance(node, cst.ClassDef):
            return None
        for base in node.bases:
            target = self.class_of(base.value, class_scope.parent or class_scope)
            if target is not None:
                resolver, base_scope = target
                inner = resolver.class_bindings(base_scope, attr, depth + 1)
                if inner is not None:
                    return inner
        return None

    def class_of(self, expr: cst.BaseExpression, scope: Scope
                 ) -> tuple[Resolver, Scope] | None:
        """The body of the project class ``expr`` names (here or imported), and its resolver."""
        if not isinstance(expr, cst.Name):
            return None
        bindings = scope.lookup(expr.value)[1]
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind == "class" and binding.scope is not None:
            return self, binding.scope
        if binding.kind == "import" and binding.imported is not None:
            target = self.import_target(binding, None)
            if target is not None:
                resolver, owner, found = target
                if len(found) == 1 and found[0].kind == "class" and found[0].scope is not None:
                    return resolver, found[0].scope
        return None

    # ---- names from elsewhere -----------------------------------------------------------------
    def qualified(self, func: cst.BaseExpression, scope: Scope) -> str | None:
        """``pathlib.Path`` for ``Path`` imported from pathlib; ``builtins.open`` for ``open``."""
        name = dotted_name(func)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        bindings = scope.lookup(head)[1]
        if not bindings:
            return f"builtins.{name}" if not rest else None
        if len(bindings) != 1 or bindings[0].kind != "import":
            return None
        binding = bindings[0]
        if binding.imported is not None:
            base = f"{binding.module}.{binding.imported}"
        else:
            base = binding.module or head
        return f"{base}.{rest}" if rest else base

    def import_target(self, binding: Binding, attr: str | None
                      ) -> tuple[Resolver, Scope, list[Binding]] | None:
        """What an import binds, in the project module it comes from: that module's resolver,
        scope and bindings of the name (``from m import NAME``; ``m.NAME``; ``from m import C``
        then ``C.NAME``, a class attribute)."""
        if self.project is None or binding.module is None:
            return None
        class_attr: str | None = None
        if binding.imported is not None:  # from M import NAME [as x]  (x.attr when attr)
            module_name, name = binding.module, binding.imported
            if attr is not None:  # from pkg import module; module.NAME
                module_name = f"{module_name}.{name}" if module_name.strip(".") else (
                    module_name + name)
                name = attr
        else:  # import pkg.module as m; m.NAME
            if attr is None:
                return None
            module_name, name = binding.module, attr
        if module_name.split(".")[0] in _NOT_PROJECT:
            return None
        path = self.project.find_module(module_name, self.path)
        if path is None and binding.imported is not None and attr is not None:
            # from M import Class; Class.NAME
            path = self.project.find_module(binding.module, self.path)
            name, class_attr = binding.imported, attr
        if path is None or self.project.in_sdk(path):
            return None
        loaded = self.project.load(path)
        if loaded is None:
            return None
        other = Resolver(loaded.path, self.project)
        other.helper_depth = self.helper_depth
        root = loaded.scopes.root
        owner, found = root.lookup(name)
        # the module as executed by the time it is imported: its last bindings
        reach = root.reaching([b for b in found if b.kind != "declare"],
                              Point(root, 1 << 62, ()))
        if class_attr is not None:
            if len(reach) != 1 or reach[0].kind != "class" or reach[0].scope is None:
                return None
            located = other.class_bindings(reach[0].scope, class_attr)
            if located is None:
                return None
            class_owner, bindings, resolver = located
            return resolver, class_owner, bindings
        return other, owner, reach

    def _imported(self, expr: cst.CSTNode, binding: Binding, attr: str | None,
                  depth: int) -> Value:
        """A constant imported from another module of the project."""
        if depth > MAX_DEPTH:
            return Value(UNKNOWN, expr)
        target = self.import_target(binding, attr)
        if target is None:
            return Value(UNKNOWN, expr)
        other, owner, bindings = target
        inner = other._bindings_value(attr or binding.imported or "", owner, bindings,
                                      depth + 1)
        if inner is None or not inner.known:
            return Value(UNKNOWN, expr)
        return Value(inner.py, expr, inner.literal_node, inner.origin_path or other.path,
                     fallback=inner.fallback)

    def _special(self, expr: cst.Call, func: str, scope: Scope, depth: int) -> Value | None:
        """Calls whose value is one of their arguments: an environment lookup's default (with
        what it is the default of), ``typing.cast``, a dataclass / pydantic / attrs field's
        default."""
        args = [a for a in expr.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in expr.args if a.keyword is not None}
        if func in ("os.getenv", "os.environ.get") and args:
            default = args[1].value if len(args) > 1 else keywords.get("default")
            variable = self.value(args[0].value, scope, depth).known_str()
            if default is None or variable is None:
                return None
            inner = self.value(default, scope, depth)
            if not isinstance(inner.py, (str, int, float)) or not inner.known:
                return None
            return Value(inner.py, expr, inner.literal_node, inner.origin_path,
                         fallback=f"the default used when {variable} is unset")
        if func == "typing.cast" and len(args) == 2:
            inner = self.value(args[1].value, scope, depth)
            return Value(inner.py, expr, inner.literal_node, inner.origin_path, inner.varies,
                         inner.fallback, inner.candidates)
        if func in _FIELD_FUNCTIONS:
            default = keywords.get("default")
            if default is None and func == "pydantic.Field" and args:
                default = args[0].value
            if default is None:
                return None
            inner = self.value(default, scope, depth)
            return Value(inner.py, expr, inner.literal_node, inner.origin_path, inner.varies)
        return None

    def _is_typed_dict_class(self, func: cst.BaseExpression, scope: Scope) -> bool:
        found = self.class_of(func, scope)
        if found is None or not isinstance(found[1].node, cst.ClassDef):
            return False
        resolver, body = found
        return any((resolver.qualified(b.value, body.parent or body) or "").endswith(
            "TypedDict") for b in found[1].node.bases)

    def _helper_function(self, expr: cst.Call, scope: Scope, depth: int) -> Value | None:
        """``build_prompt(turn)``, ``self._args()``, an imported helper: the function's return
        values with the call's arguments bound to its parameters (bounded in depth)."""
        if self.helper_depth >= MAX_HELPER_DEPTH or any(a.star for a in expr.args):
            return None
        found = self._function_of(expr.func, scope)
        if found is None:
            return None
        resolver, node, body_scope, bound = found
        returns = function_results(node)
        if not returns or len(returns) > MAX_CANDIDATES:
            return None
        mapping = self._bind_arguments(expr, node, bound, resolver, body_scope, scope, depth)
        if mapping is None:
            return None
        saved_overrides = resolver.overrides.get(id(body_scope))
        saved_point, saved_depth = resolver.point, resolver.helper_depth
        resolver.overrides[id(body_scope)] = mapping
        resolver.point = None
        resolver.helper_depth = self.helper_depth + 1
        try:
            values = [resolver.value(r, body_scope, depth + 1) for r in returns]
        finally:
            resolver.helper_depth = saved_depth
            resolver.point = saved_point
            if saved_overrides is None:
                resolver.overrides.pop(id(body_scope), None)
            else:
                resolver.overrides[id(body_scope)] = saved_overrides
        first = values[0]
        if not first.known or not all(_same(v.py, first.py) for v in values[1:]):
            return None
        origin = first.literal_node if len(values) == 1 else None
        path = (first.origin_path or resolver.path) if resolver is not self else (
            first.origin_path)
        return Value(first.py, expr, origin, path, first.varies, first.fallback)

    def _function_of(self, func: cst.BaseExpression, scope: Scope
                     ) -> tuple[Resolver, cst.FunctionDef, Scope, bool] | None:
        """The project function a call invokes: a function of this module, a method through
        ``self``/``cls`` or the class, or a function imported from a project module. The flag
        says whether the first parameter is bound by the call (a method)."""
        resolver: Resolver = self
        binding: Binding | None = None
        owner = scope
        bound = False
        if isinstance(func, cst.Name):
            owner, found = scope.lookup(func.value)
            if len(found) != 1:
                return None
            binding = found[0]
            if binding.kind == "import":
                target = self.import_target(binding, None)
                if target is None or len(target[2]) != 1:
                    return None
                resolver, owner, (binding,) = target[0], target[1], target[2]
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            base, attr = func.value.value, func.attr.value
            class_scope: Scope | None = None
            if scope.kind == "function" and scope.class_scope is not None and (
                    base == scope.self_name):
                class_scope, bound = scope.class_scope, True
            else:
                located = scope.lookup(base)[1]
                if len(located) == 1 and located[0].kind == "class":
                    class_scope = located[0].scope
                elif len(located) == 1 and located[0].kind == "import":
                    target = self.import_target(located[0], attr)
                    if target is None or len(target[2]) != 1:
                        return None
                    resolver, owner, (binding,) = target[0], target[1], target[2]
            if class_scope is not None:
                located_in = self.class_bindings(class_scope, attr)
                if located_in is None or len(located_in[1]) != 1:
                    return None
                owner, (binding,), resolver = located_in
                if binding.node is not None and isinstance(binding.node, cst.FunctionDef):
                    decorators = {dotted_name(d.decorator) for d in binding.node.decorators}
                    if "staticmethod" in decorators:
                        bound = False
                    elif "classmethod" in decorators or bound:
                        bound = True
                    else:
                        bound = False
        if binding is None or binding.kind != "function":
            return None
        node = binding.node
        if not isinstance(node, cst.FunctionDef) or node.asynchronous is not None:
            return None
        body_scope = _function_scope(owner, node)
        if body_scope is None:
            return None
        return resolver, node, body_scope, bound

    def _bind_arguments(self, expr: cst.Call, node: cst.FunctionDef, bound: bool,
                        resolver: Resolver, body_scope: Scope, scope: Scope,
                        depth: int) -> dict[str, Value] | None:
        params = node.params
        positional = [*params.posonly_params, *params.params]
        if bound:
            positional = positional[1:]
        by_name = {p.name.value: p for p in (*positional, *params.kwonly_params)}
        mapping: dict[str, Value] = {}
        index = 0
        for arg in expr.args:
            value = self.value(arg.value, scope, depth)
            value = Value(value.py, arg.value, value.literal_node, value.origin_path,
                          value.varies, value.fallback, value.candidates)
            if arg.keyword is None:
                if index >= len(positional):
                    return None
                mapping[positional[index].name.value] = value
                index += 1
            elif arg.keyword.value in by_name:
                mapping[arg.keyword.value] = value
            else:
                return None
        for name, param in by_name.items():
            if name in mapping:
                continue
            if param.default is None:
                return None
            mapping[name] = resolver.value(param.default, body_scope.parent or body_scope,
                                           depth)
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                mapping[extra.name.value] = Value(UNKNOWN, expr)
        return mapping

    # ---- calls on known values ----------------------------------------------------------------
    def _method(self, expr: cst.Call, method: str, receiver: Value, scope: Scope,
                depth: int) -> Any:
        py = receiver.py
        if _textual(py):
            text = text_of(receiver)
            if method in STR_METHODS and not expr.args:
                return _simplify(text.map_text(STR_METHODS[method]))
            if method == "format":
                return _str_format(text, expr, self, scope, depth)
            if method == "replace":
                return _str_replace(text, expr, self, scope, depth)
            if method == "join" and len(expr.args) == 1 and isinstance(py, str):
                items = self.value(expr.args[0].value, scope, depth).as_list()
                if items is None or items.open:
                    return UNKNOWN
                parts: list[Text] = []
                for index, item in enumerate(items.items):
                    if index:
                        parts.append(Text.of(py))
                    parts.append(text_of(item))
                return _concat(*parts)
            return UNKNOWN
        if isinstance(py, PathValue):
            if method in ("read_text", "read_bytes") and self.project is not None:
                return _simplify(self.project.file_text(py.path, expr))
            if method in ("resolve", "absolute", "expanduser"):
                return py
            if method == "joinpath":
                parts_ = [self.value(a.value, scope, depth).known_str() for a in expr.args]
                if all(p is not None for p in parts_):
                    return PathValue(py.path.joinpath(*parts_))  # type: ignore[arg-type]
            if method == "open":
                return FileHandle(py.path)
            return UNKNOWN
        if isinstance(py, StringTemplate) and method in ("substitute", "safe_substitute"):
            return _template_substitute(py, method == "safe_substitute", expr, self, scope, depth)
        if isinstance(py, FileHandle) and method == "read" and not expr.args:
            if self.project is not None:
                return _simplify(self.project.file_text(py.path, expr))
        if isinstance(py, EnvironmentValue) and self.project is not None:
            if method == "get_template" and expr.args:
                name = self.value(expr.args[0].value, scope, depth).known_str()
                if name is not None:
                    return templates.template_from_loader(self.project, py.loader, name)
            if method == "from_string" and expr.args:
                source = self.value(expr.args[0].value, scope, depth).known_str()
                if source is not None:
                    return TemplateValue(source, "<string>", py.loader)
        if isinstance(py, TemplateValue) and method == "render" and self.project is not None:
            context: dict[str, str] = {}
            varying: set[str] = set()
            for arg in expr.args:
                if arg.keyword is not None:
                    passed = self.value(arg.value, scope, depth)
                    if passed.known_str() is not None:
                        context[arg.keyword.value] = passed.py
                    elif passed.varies:
                        varying.add(arg.keyword.value)
            return _simplify(templates.render(self.project, py, context, expr, varying=varying))
        return UNKNOWN

    def _function(self, expr: cst.Call, func: str, scope: Scope, depth: int) -> Any:
        args = [a for a in expr.args if a.keyword is None and not a.star]
        first = self.value(args[0].value, scope, depth) if args else None
        if func in ("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath") and first:
            if isinstance(first.py, PathValue):
                return first.py
            if isinstance(first.py, str) and self.project is not None:
                return PathValue(self.project.resolve_relative(first.py, self.path))
        if func in ("os.path.dirname",) and first and isinstance(first.py, PathValue):
            return PathValue(first.py.path.parent)
        if func in ("os.path.abspath", "os.path.realpath") and first:
            return first.py if isinstance(first.py, PathValue) else UNKNOWN
        if func == "os.path.join" and first is not None:
            parts = [self.value(a.value, scope, depth).py for a in args[1:]]
            base = first.py
            if isinstance(base, str) and self.project is not None:
                base = PathValue(self.project.resolve_relative(base, self.path))
            if isinstance(base, PathValue) and all(isinstance(p, str) for p in parts):
                return PathValue(base.path.joinpath(*parts))
        if func in ("builtins.open", "io.open") and first is not None:
            path = first.py
            if isinstance(path, str) and self.project is not None:
                path = PathValue(self.project.resolve_relative(path, self.path))
            if isinstance(path, PathValue):
                return FileHandle(path.path)
        if func == "string.Template" and first is not None and isinstance(first.py, str):
            return StringTemplate(first.py)
        if func in ("builtins.str",) and first is not None and _textual(first.py):
            return first.py
        short = func.rsplit(".", 1)[-1]
        if func in ("textwrap.dedent", "inspect.cleandoc") and first is not None:
            if _textual(first.py):
                return _simplify(text_of(first).map_text(TEXT_FUNCTIONS[short]))
        if func.startswith("jinja2.") and self.project is not None:
            return self._jinja(expr, short, first, scope, depth)
        return UNKNOWN

    def _jinja(self, expr: cst.Call, name: str, first: Value | None, scope: Scope,
               depth: int) -> Any:
        assert self.project is not None
        if name == "Template" and first is not None and isinstance(first.py, str):
            return TemplateValue(first.py, "<string>")
        if name == "FileSystemLoader" and first is not None:
            items = first.as_list()
            raw = [i.py for i in items.items] if items is not None else [first.py]
            dirs = []
            for item in raw:
                if isinstance(item, PathValue):
                    dirs.append(item.path)
                elif isinstance(item, str):
                    dirs.append(self.project.resolve_relative(item, self.path))
                else:
                    return UNKNOWN
            return LoaderValue(tuple(dirs))
        if name == "PackageLoader" and first is not None and isinstance(first.py, str):
            folder = "templates"
            if len(expr.args) > 1:
                folder = self.value(expr.args[1].value, scope, depth).known_str() or folder
            package = self.project.find_module(first.py, self.path)
            if package is not None:
                return LoaderValue((package.parent / folder,))
            return UNKNOWN
        if name == "Environment":
            for arg in expr.args:
                if arg.keyword is not None and arg.keyword.value == "loader":
                    loader = self.value(arg.value, scope, depth).py
                    return EnvironmentValue(loader if isinstance(loader, LoaderValue) else None)
            return EnvironmentValue(None)
        return UNKNOWN


def _number(node: cst.Integer | cst.Float) -> Any:
    text = node.value.replace("_", "")
    try:
        if isinstance(node, cst.Integer):
            return int(text, 0) if not (len(text) > 1 and text[0] == "0" and text.isdigit()) \
                else int(text)
        return float(text)
    except ValueError:
        return UNKNOWN


# calls whose result differs per request (the clock, randomness, unique IDs)
PER_REQUEST_MODULES = {"datetime", "time", "uuid", "random", "secrets"}
PER_REQUEST_METHODS = {"now", "today", "utcnow", "time", "uuid4", "uuid1", "isoformat",
                       "strftime", "timestamp"}

_NOT_PROJECT = {"anthropic", "os", "sys", "typing", "pathlib", "json", "re", "jinja2"}


_ONCE_CACHE: dict[int, tuple[cst.CSTNode, frozenset[int]]] = {}


def _runs_once(owner: Scope, binding: Binding) -> bool:
    """An assignment among the statements a module (or a class body at module level) runs
    once, at import: not inside a loop, a function or a comprehension."""
    if owner.kind == "class" and (owner.parent is None or owner.parent.kind != "module"):
        return False
    if owner.kind == "function" or binding.kind != "assign" or binding.node is None:
        return False
    node = owner.node
    cached = _ONCE_CACHE.get(id(node))
    if cached is None or cached[0] is not node:
        body = node.body if isinstance(node, cst.Module) else getattr(node.body, "body", ())
        cached = (node, frozenset(_top_level_targets(body)))
        if len(_ONCE_CACHE) > 256:
            _ONCE_CACHE.clear()
        _ONCE_CACHE[id(node)] = cached
    return id(binding.node) in cached[1]


def _top_level_targets(body: Any) -> list[int]:
    out: list[int] = []
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets: list[cst.BaseExpression] = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AnnAssign):
                    targets = [small.target]
                out.extend(id(t) for t in targets if isinstance(t, cst.Name))
        elif isinstance(statement, (cst.If, cst.Try, cst.With)):
            out.extend(_top_level_targets(statement.body.body))
            follow = getattr(statement, "orelse", None)
            while isinstance(follow, (cst.If, cst.Else)):
                out.extend(_top_level_targets(follow.body.body))
                follow = getattr(follow, "orelse", None)
            for handler in getattr(statement, "handlers", ()):
                out.extend(_top_level_targets(handler.body.body))
    return out


def _holds_varying(py: Any) -> bool:
    if isinstance(py, Text):
        return any(s.varies for s in py.holes)
    if isinstance(py, DictValue):
        return any(v.varies or _holds_varying(v.py) for v in py.items.values())
    if isinstance(py, ListValue):
        return any(v.varies or _holds_varying(v.py) for v in py.items)
    return False


def _fixed(py: Any) -> Any:
    """The value with its per-request marks cleared (it is computed once per process)."""
    if isinstance(py, Text):
        return Text(tuple(replace(s, varies=False) if s.is_hole else s for s in py.segments))
    if isinstance(py, DictValue):
        return replace(py, items={k: _fixed_value(v) for k, v in py.items.items()})
    if isinstance(py, ListValue):
        return replace(py, items=[_fixed_value(v) for v in py.items])
    return py


def _fixed_value(value: Value) -> Value:
    return replace(value, py=_fixed(value.py), varies=False)


_FIELD_FUNCTIONS = {"dataclasses.field", "pydantic.Field", "attr.ib", "attr.attrib",
                    "attrs.field", "attr.field"}


def _typed_dict(func: str) -> bool:
    """The SDK's TypedDict request types (``TextBlockParam(...)`` builds a plain dict)."""
    return func.startswith("anthropic.") and func.endswith("Param") or func in (
        "typing.TypedDict", "typing_extensions.TypedDict")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (str, int, float)) or a is None:
        return type(a) is type(b) and a == b
    return a is b


def _function_scope(owner: Scope, node: cst.FunctionDef) -> Scope | None:
    for child in owner.children:
        if child.node is node:
            return child
    return None


def _code(node: cst.CSTNode) -> str:
    text = cst.Module(body=[]).code_for_node(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _textual(py: Any) -> bool:
    return isinstance(py, (str, Text))


def _per_call(value: Value) -> bool:
    """A parameter's default: as prompt text it is what each caller may pass, a hole."""
    return value.fallback is not None and value.varies


def text_of(value: Value, description: str | None = None) -> Text:
    """The value as prompt text: static, partly dynamic, or one hole."""
    if isinstance(value.py, str) and not _per_call(value):
        return Text.of(value.py)
    if isinstance(value.py, Text):
        return value.py
    return Text.hole(description or _code(value.node), value.node, varies=value.varies)


def _concat(*parts: Text | str) -> str | Text:
    return _simplify(Text.of(*parts))


def _simplify(text: Text) -> str | Text:
    return text.static_text() if text.static else text


def _str_format(template: Text, expr: cst.Call, resolver: Resolver, scope: Scope,
                depth: int) -> Any:
    if not template.static:
        return UNKNOWN
    fmt = template.static_text()
    positional = [a for a in expr.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a for a in expr.args if a.keyword is not None}
    if any(a.star for a in expr.args):
        return UNKNOWN
    out: list[Text | str] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError:
        return UNKNOWN
    for literal, field_name, spec, conversion in parsed:
        out.append(literal)
        if field_name is None:
            continue
        key = field_name.split(".")[0].split("[")[0]
        arg = None
        if key == "":
            arg = positional[auto] if auto < len(positional) else None
            auto += 1
        elif key.isdigit():
            index = int(key)
            arg = positional[index] if index < len(positional) else None
        else:
            arg = keywords.get(key)
        if arg is None:
            return UNKNOWN
        value = resolver.value(arg.value, scope, depth)
        plain = field_name == key and not spec and not conversion and not _per_call(value)
        if plain and isinstance(value.py, (str, int)) and not isinstance(value.py, bool):
            out.append(str(value.py))
        else:
            out.append(Text.hole("{" + field_name + "}", arg.value, varies=value.varies))
    return _concat(*out)


def _str_replace(text: Text, expr: cst.Call, resolver: Resolver, scope: Scope,
                 depth: int) -> Any:
    """``text.replace(old, new[, count])``: ``new`` (maybe per-request text) is spliced in
    wherever ``old`` occurs in the static segments."""
    args = [a for a in expr.args if a.keyword is None and not a.star]
    if len(args) not in (2, 3) or len(args) != len(expr.args):
        return UNKNOWN
    old = resolver.value(args[0].value, scope, depth).known_str()
    new = resolver.value(args[1].value, scope, depth)
    count = resolver.value(args[2].value, scope, depth).known_int() if len(args) == 3 else -1
    if not old or count is None:
        return UNKNOWN
    replacement = text_of(new)
    out: list[Text | str] = []
    for segment in text.segments:
        if segment.is_hole or old not in (segment.text or ""):
            out.append(Text((segment,)))
            continue
        pieces = (segment.text or "").split(old)
        for index, piece in enumerate(pieces):
            if index:
                if count == 0:
                    out.append(old)
                else:
                    out.append(replacement)
                    count -= 1
            out.append(piece)
    return _concat(*out)


def _template_substitute(template: StringTemplate, safe: bool, expr: cst.Call,
                         resolver: Resolver, scope: Scope, depth: int) -> Any:
    """``string.Template(...).substitute(name=...)``: each ``$name`` becomes its value."""
    if any(a.star for a in expr.args):
        return UNKNOWN
    values: dict[str, Value] = {}
    for arg in expr.args:
        if arg.keyword is not None:
            values[arg.keyword.value] = resolver.value(arg.value, scope, depth)
            continue
        mapping = resolver.value(arg.value, scope, depth).as_dict()
        if mapping is None or mapping.open:
            return UNKNOWN
        values = {**mapping.items, **values}
    out: list[Text | str] = []
    position = 0
    source = template.source
    for match in string.Template.pattern.finditer(source):
        out.append(source[position:match.start()])
        position = match.end()
        if match.group("escaped") is not None:
            out.append("$")
            continue
        name = match.group("named") or match.group("braced")
        value = values.get(name) if name is not None else None
        if value is None:
            if not safe:
                return UNKNOWN  # substitute() raises
            out.append(match.group(0))
        elif isinstance(value.py, (str, int)) and not isinstance(value.py, bool):
            out.append(str(value.py))
        else:
            out.append(text_of(value, match.group(0)))
    out.append(source[position:])
    return _concat(*out)


# A printf conversion in prompt text. Linear: the flags (which include ``0``) and the width
# (digits) would overlap, so every part is possessive (flags are read first, as Python does:
# ``%010d`` is flag 0, width 10) and a mapping key is at most 200 characters, so each ``%`` is
# tried once over a bounded stretch.
_PERCENT = re.compile(r"%(?:\((?P<key>[^)]{0,200}+)\))?+[-#0 +]*+(?:\*|\d++)?+"
                      r"(?:\.(?:\*|\d++))?+[a-zA-Z%]")


def _percent_format(fmt: str, node: cst.BaseExpression, value: Value) -> Any:
    items: list[Value] | None = None
    mapping = value.as_dict()
    listed = value.as_list()
    if listed is not None and not listed.open:
        items = listed.items
    elif mapping is None:
        items = [value]
    out: list[Text | str] = []
    position = 0
    index = 0
    for match in _PERCENT.finditer(fmt):
        out.append(fmt[position:match.start()])
        position = match.end()
        if match.group(0) == "%%":
            out.append("%")
            continue
        key = match.group("key")
        item: Value | None = None
        if key is not None and mapping is not None:
            item = mapping.items.get(key)
        elif items is not None and index < len(items):
            item = items[index]
            index += 1
        conv = match.group(0)[-1]
        if item is not None and _per_call(item):
            out.append(Text.hole(match.group(0), item.node, varies=True))
        elif item is not None and conv == "s" and isinstance(item.py, str):
            out.append(item.py)
        elif item is not None and conv in "sd" and isinstance(item.py, int):
            out.append(str(item.py))
        else:
            out.append(Text.hole(match.group(0), item.node if item is not None else node,
                                 varies=item is not None and item.varies))
    out.append(fmt[position:])
    return _concat(*out)
