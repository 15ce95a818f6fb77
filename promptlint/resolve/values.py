"""Static values of expressions: literals, single-binding constants and simple expressions.

Anything promptlint cannot prove is ``UNKNOWN``; rules treat unknown as "stay silent".
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from promptlint.resolve.external import (
    EnvironmentValue,
    FileHandle,
    LoaderValue,
    PathValue,
    Project,
    TemplateValue,
)
from promptlint.resolve.scope import Binding, Scope, dotted_name, literal_key
from promptlint.resolve.text import STR_METHODS, TEXT_FUNCTIONS, Text


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


@dataclass(eq=False)
class ListValue:
    items: list[Value] = field(default_factory=list)
    open: bool = False  # elements we could not see may follow


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


class Resolver:
    """Resolves expressions of one module; ``project`` reaches other modules and files."""

    def __init__(self, path: Path | None = None, project: Project | None = None) -> None:
        self._active: set[int] = set()
        self.path = path
        self.project = project
        # wrapper analysis: values of a function's parameters at one call site, by scope id
        self.overrides: dict[int, dict[str, Value]] = {}

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
            owner, bindings = scope.lookup(root.value)
            passed = self.overrides.get(id(owner), {}).get(root.value)
            if passed is not None:
                return passed.varies
            if any(b.kind in ("param", "loop") for b in bindings):
                return True
            single = bindings[0] if len(bindings) == 1 else None
            if single is not None and single.kind == "assign" and single.value is not None:
                if depth < MAX_DEPTH and single.value is not expr:
                    return self.value(single.value, owner, depth + 1).varies
            return False
        if isinstance(expr, cst.Call):
            func = self.qualified(expr.func, scope) or ""
            if func.split(".")[0] in PER_REQUEST_MODULES:
                return True
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
        return Value(UNKNOWN, expr)

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
            elif isinstance(inner.py, (str, int)):
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
                if key is None:
                    result.open = True
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
        if func is None and isinstance(expr.func, cst.Name):
            helper = self._helper_function(expr, scope, depth)
            if helper is not None:
                return helper
        if func is not None:
            result = self._function(expr, func, scope, depth)
            if result is not UNKNOWN:
                return Value(result, expr)
        if func == "builtins.dict":
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
        owner, bindings = scope.lookup(expr.value)
        if not bindings and expr.value in constants:
            return Value(constants[expr.value], expr)
        if not bindings and expr.value == "__file__" and self.path is not None:
            return Value(PathValue(self.path.resolve()), expr)
        if len(bindings) == 1 and bindings[0].kind == "import":
            return self._imported(expr, bindings[0], None, depth)
        if len(bindings) == 1 and bindings[0].kind == "with" and bindings[0].value is not None:
            inner_with = self.value(bindings[0].value, owner, depth)
            if isinstance(inner_with.py, FileHandle):
                return Value(inner_with.py, expr)
        if len(bindings) == 1 and bindings[0].kind == "param":
            passed = self.overrides.get(id(owner), {}).get(expr.value)
            if passed is not None:
                return passed
            return Value(UNKNOWN, expr)
        inner = self._single_binding_value(expr.value, owner, bindings, depth)
        if inner is None:
            return Value(UNKNOWN, expr)
        return Value(inner.py, expr, inner.literal_node, inner.origin_path, inner.varies)

    def _single_binding_value(
        self, name: str, owner: Scope, bindings: list[Binding], depth: int
    ) -> Value | None:
        if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None:
            return None
        inner = self.value(bindings[0].value, owner, depth)
        updates = owner.dict_updates.get(name)
        if updates and isinstance(inner.py, DictValue):
            merged = DictValue(dict(inner.py.items), inner.py.open)
            for key, value in updates:
                if key is None or value is None:
                    merged.open = True
                else:
                    merged.items[key] = self.value(value, owner, depth)
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
        bindings: list[Binding] = []
        if scope.kind == "function" and scope.class_scope is not None and base == scope.self_name:
            class_scope = scope.class_scope
            bindings = list(class_scope.attributes.get(attr, []))
            bindings += class_scope.bindings.get(attr, [])
        else:
            found = scope.lookup(base)[1]
            if len(found) == 1 and found[0].kind == "class":
                class_scope = found[0].scope
                if class_scope is not None:
                    bindings = list(class_scope.bindings.get(attr, []))
                    bindings += class_scope.attributes.get(attr, [])
        if class_scope is None:
            return Value(UNKNOWN, expr)
        inner = self._single_binding_value(attr, class_scope, bindings, depth)
        if inner is None:
            return Value(UNKNOWN, expr)
        return Value(inner.py, expr, inner.literal_node)


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

    def _imported(self, expr: cst.CSTNode, binding: Binding, attr: str | None,
                  depth: int) -> Value:
        """A constant imported from another module of the project."""
        if self.project is None or binding.module is None:
            return Value(UNKNOWN, expr)
        if binding.imported is not None:  # from M import NAME [as x]  (x.attr when attr)
            module_name, name = binding.module, binding.imported
            if attr is not None:  # from pkg import module; module.NAME
                module_name = f"{module_name}.{name}" if module_name.strip(".") else (
                    module_name + name)
                name = attr
        else:  # import pkg.module as m; m.NAME
            if attr is None:
                return Value(UNKNOWN, expr)
            module_name, name = binding.module, attr
        if module_name.split(".")[0] in _NOT_PROJECT:
            return Value(UNKNOWN, expr)
        path = self.project.find_module(module_name, self.path)
        if path is None and binding.imported is not None and attr is None:
            return Value(UNKNOWN, expr)
        loaded = self.project.load(path) if path is not None else None
        if loaded is None:
            return Value(UNKNOWN, expr)
        other = Resolver(loaded.path, self.project)
        owner, bindings = loaded.scopes.root.lookup(name)
        if len(bindings) == 1 and bindings[0].kind == "import":
            inner = other._imported(expr, bindings[0], None, depth + 1)
        else:
            inner = other._single_binding_value(name, owner, bindings, depth + 1)
        if inner is None or not inner.known:
            return Value(UNKNOWN, expr)
        return Value(inner.py, expr, inner.literal_node, loaded.path)

    def _helper_function(self, expr: cst.Call, scope: Scope, depth: int) -> Value | None:
        """``build_prompt()`` where the function takes no arguments and returns one expression."""
        if expr.args or not isinstance(expr.func, cst.Name):
            return None
        owner, bindings = scope.lookup(expr.func.value)
        if len(bindings) != 1 or bindings[0].kind != "function":
            return None
        node = bindings[0].node
        if not isinstance(node, cst.FunctionDef) or node.params.params or node.params.kwonly_params:
            return None
        body = node.body
        if not isinstance(body, cst.IndentedBlock):
            return None
        returns = [s for s in body.body if isinstance(s, cst.SimpleStatementLine)
                   and len(s.body) == 1 and isinstance(s.body[0], cst.Return)]
        if len(returns) != 1 or len(body.body) > 3:
            return None
        value = returns[0].body[0].value  # type: ignore[attr-defined]
        if value is None:
            return None
        inner_scope = _function_scope(owner, node)
        inner = self.value(value, inner_scope or owner, depth)
        return Value(inner.py, expr, inner.literal_node) if inner.known else None

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
        if isinstance(py, FileHandle) and method == "read" and not expr.args:
            if self.project is not None:
                return _simplify(self.project.file_text(py.path, expr))
        if isinstance(py, EnvironmentValue) and self.project is not None:
            if method == "get_template" and expr.args:
                name = self.value(expr.args[0].value, scope, depth).known_str()
                if name is not None:
                    return self.project.template_from_loader(py.loader, name)
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
            return _simplify(self.project.render(py, context, expr, varying=varying))
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


def text_of(value: Value, description: str | None = None) -> Text:
    """The value as prompt text: static, partly dynamic, or one hole."""
    if isinstance(value.py, str):
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
        plain = field_name == key and not spec and not conversion
        if plain and isinstance(value.py, (str, int)) and not isinstance(value.py, bool):
            out.append(str(value.py))
        else:
            out.append(Text.hole("{" + field_name + "}", arg.value, varies=value.varies))
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
        if item is not None and conv == "s" and isinstance(item.py, str):
            out.append(item.py)
        elif item is not None and conv in "sd" and isinstance(item.py, int):
            out.append(str(item.py))
        else:
            out.append(Text.hole(match.group(0), item.node if item is not None else node,
                                 varies=item is not None and item.varies))
    out.append(fmt[position:])
    return _concat(*out)
