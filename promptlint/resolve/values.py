"""Static values of expressions: literals, single-binding constants and simple expressions.

Anything promptlint cannot prove is ``UNKNOWN``; rules treat unknown as "stay silent".
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from promptlint.resolve.scope import Binding, Scope, dotted_name, literal_key


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

    @property
    def known(self) -> bool:
        return self.py is not UNKNOWN

    def known_int(self) -> int | None:
        py = self.py
        return py if isinstance(py, int) and not isinstance(py, bool) else None

    def known_str(self) -> str | None:
        return self.py if isinstance(self.py, str) else None

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
    def __init__(self) -> None:
        self._active: set[int] = set()

    def value(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Value:
        if depth > MAX_DEPTH or id(expr) in self._active:
            return Value(UNKNOWN, expr)
        self._active.add(id(expr))
        try:
            return self._value(expr, scope, depth + 1)
        finally:
            self._active.discard(id(expr))

    def _value(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Value:
        if isinstance(expr, (cst.Integer, cst.Float)):
            return Value(ast.literal_eval(expr.value), expr)
        if isinstance(expr, cst.SimpleString):
            evaluated = expr.evaluated_value
            return Value(evaluated if isinstance(evaluated, str) else UNKNOWN, expr)
        if isinstance(expr, cst.ConcatenatedString):
            left = self.value(expr.left, scope, depth).known_str()
            right = self.value(expr.right, scope, depth).known_str()
            if left is None or right is None:
                return Value(UNKNOWN, expr)
            return Value(left + right, expr)
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
        out: list[str] = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value
                if "r" not in expr.prefix.lower():
                    try:
                        text = ast.literal_eval('"""' + text.replace('"', '\\"') + '"""')
                    except (SyntaxError, ValueError):
                        return UNKNOWN
                out.append(text.replace("{{", "{").replace("}}", "}"))
                continue
            if part.format_spec or part.conversion:
                return UNKNOWN
            inner = self.value(part.expression, scope, depth).py
            if isinstance(inner, (str, int)) and not isinstance(inner, bool):
                out.append(str(inner))
            else:
                return UNKNOWN
        return "".join(out)

    def _binary(self, expr: cst.BinaryOperation, scope: Scope, depth: int) -> Any:
        left = self.value(expr.left, scope, depth).py
        right = self.value(expr.right, scope, depth).py
        op = expr.operator
        numbers = all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)
        )
        try:
            if isinstance(op, cst.Add):
                if numbers or (isinstance(left, str) and isinstance(right, str)):
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
        func = dotted_name(expr.func)
        if func == "dict" and not scope.lookup("dict")[1]:
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
        inner = self._single_binding_value(expr.value, owner, bindings, depth)
        if inner is None:
            return Value(UNKNOWN, expr)
        return Value(inner.py, expr, inner.literal_node)

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
        if not isinstance(expr.value, cst.Name):
            return Value(UNKNOWN, expr)
        base = expr.value.value
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

