"""A Draft 2019-09 subset compiled into closures, exactly as jsonschema 4.x evaluates it.

``compile_schema`` turns each subschema into a closure that checks exactly the keywords it has, with
the semantics ``jsonschema`` gives them under Draft 2019-09 (its type checker, ``equal`` for ``enum``,
``re.search`` for ``pattern``, ``format`` as an annotation). ``badges.schema`` takes only a clean
verdict from it and asks ``jsonschema`` for the messages; a keyword outside the supported set raises
``UnsupportedSchema``.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

Predicate = Callable[[Any], bool]


class UnsupportedSchema(ValueError):
    """The schema uses something the compiler does not reproduce exactly (use jsonschema)."""


# Keywords that never assert anything under Draft 2019-09 without a format checker.
_ANNOTATIONS = frozenset(
    [
        "$comment",
        "$defs",
        "$schema",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "format",
    ]
)
_ASSERTIONS = frozenset(
    [
        "$ref",
        "type",
        "enum",
        "pattern",
        "properties",
        "additionalProperties",
        "required",
        "propertyNames",
        "items",
        "additionalItems",
        "minItems",
        "contains",
        "allOf",
        "anyOf",
        "oneOf",
    ]
)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


# jsonschema's draft201909_type_checker, type by type.
_TYPE_TESTS: dict[str, Predicate] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _is_integer,
    "null": lambda value: value is None,
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value


def json_equal(one: Any, two: Any) -> bool:
    """jsonschema's ``_utils.equal``: Python equality, except that booleans are not numbers."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list | tuple) and isinstance(two, list | tuple):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(key in two and json_equal(value, two[key]) for key, value in one.items())
    return bool(_unbool(one) == _unbool(two))


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _all_of(predicates: list[Predicate]) -> Predicate:
    if not predicates:
        return _always
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda value: first(value) and second(value)
    parts = tuple(predicates)

    def all_of(value: Any) -> bool:
        for predicate in parts:  # noqa: SIM110 -- hot path: a plain loop, no generator per call
            if not predicate(value):
                return False
        return True

    return all_of


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, list[Predicate]] = {}
        self.pending: list[str] = []

    def compile(self) -> Predicate:
        predicate = self.node(self.root, is_root=True)
        while self.pending:
            pointer = self.pending.pop()
            self.refs[pointer][0] = self.node(self.resolve(pointer))
        return predicate

    def resolve(self, pointer: str) -> Any:
        target: Any = self.root
        for raw in pointer.split("/")[1:]:
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise UnsupportedSchema(f"unresolvable $ref #{pointer}")
            target = target[part]
        return target

    def ref(self, reference: Any) -> Predicate:
        if not isinstance(reference, str) or not reference.startswith("#"):
            raise UnsupportedSchema(f"non-local $ref {reference!r}")
        pointer = reference[1:]
        if pointer and not pointer.startswith("/"):
            raise UnsupportedSchema(f"anchor $ref {reference!r}")
        if pointer not in self.refs:
            self.refs[pointer] = [_never]  # filled in by compile(); recursion goes through the cell
            self.pending.append(pointer)
            self.resolve(pointer)
        cell = self.refs[pointer]
        return lambda value: cell[0](value)

    def node(self, schema: Any, *, is_root: bool = False) -> Predicate:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"schema must be an object or boolean, not {type(schema).__name__}")
        unknown = set(schema) - _ANNOTATIONS - _ASSERTIONS - ({"$id"} if is_root else set())
        if unknown:
            raise UnsupportedSchema(f"unsupported keywords {sorted(unknown)}")
        objects = self.object_checks(schema)
        arrays = self.array_checks(schema)
        strings: list[Predicate] = []
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            strings.append(lambda value: search(value) is not None)
        general: list[Predicate] = []
        if "enum" in schema:
            general.append(self.enum(schema["enum"]))
        if "$ref" in schema:
            general.append(self.ref(schema["$ref"]))
        if "allOf" in schema:
            general.append(_all_of([self.node(sub) for sub in self.subschemas(schema["allOf"])]))
        if "anyOf" in schema:
            any_parts = tuple(self.node(sub) for sub in self.subschemas(schema["anyOf"]))
            general.append(lambda value: any(part(value) for part in any_parts))
        if "oneOf" in schema:
            general.append(self.one_of([self.node(sub) for sub in self.subschemas(schema["oneOf"])]))
        return self.combine(self.type_test(schema), objects, arrays, strings, general)

    @staticmethod
    def subschemas(value: Any) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise UnsupportedSchema("allOf/anyOf/oneOf must be a non-empty array")
        return value

    @staticmethod
    def type_test(schema: dict[str, Any]) -> Predicate | None:
        if "type" not in schema:
            return None
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not all(isinstance(name, str) and name in _TYPE_TESTS for name in names):
            raise UnsupportedSchema(f"unknown type {schema['type']!r}")
        if names == ["string"]:
            return lambda value: isinstance(value, str)
        if names == ["object"]:
            return lambda value: isinstance(value, dict)
        if names == ["array"]:
            return lambda value: isinstance(value, list)
        tests = tuple(_TYPE_TESTS[name] for name in names)
        return lambda value: any(test(value) for test in tests)

    @staticmethod
    def enum(values: Any) -> Predicate:
        if not isinstance(values, list):
            raise UnsupportedSchema("enum must be an array")
        if all(isinstance(item, str) for item in values):
            allowed = frozenset(values)
            return lambda value: isinstance(value, str) and value in allowed
        options = tuple(values)
        return lambda value: any(json_equal(option, value) for option in options)

    @staticmethod
    def one_of(parts: list[Predicate]) -> Predicate:
        branches = tuple(parts)

        def one_of(value: Any) -> bool:
            matched = False
            for branch in branches:
                if branch(value):
                    if matched:
                        return False
                    matched = True
            return matched

        return one_of

    def object_checks(self, schema: dict[str, Any]) -> list[Predicate]:
        checks: list[Predicate] = []
        if "required" in schema:
            required = schema["required"]
            if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
                raise UnsupportedSchema("required must be an array of strings")
            names = tuple(required)
            checks.append(lambda value: all(name in value for name in names))
        properties = schema.get("properties", {})
        if not isinstance(properties, dict):
            raise UnsupportedSchema("properties must be an object")
        compiled = {name: self.node(sub) for name, sub in properties.items()}
        extra = schema.get("additionalProperties", True)
        additional = None if extra is True or extra == {} else self.node(extra)
        if compiled or additional is not None:
            checks.append(self.members(compiled, additional))
        if "propertyNames" in schema:
            name_ok = self.node(schema["propertyNames"])
            checks.append(lambda value: all(name_ok(name) for name in value))
        return checks

    @staticmethod
    def members(compiled: dict[str, Predicate], additional: Predicate | None) -> Predicate:
        def members(value: dict[Any, Any]) -> bool:
            for name, item in value.items():
                check = compiled.get(name, additional)  # "additional" judges the names not listed
                if check is not None and not check(item):
                    return False
            return True

        return members

    def array_checks(self, schema: dict[str, Any]) -> list[Predicate]:
        checks: list[Predicate] = []
        if "minItems" in schema:
            minimum = schema["minItems"]
            if not _is_integer(minimum):
                raise UnsupportedSchema("minItems must be an integer")
            checks.append(lambda value: len(value) >= minimum)
        if "items" in schema:  # without "items", jsonschema ignores "additionalItems"
            items = schema["items"]
            if isinstance(items, list):
                prefix = tuple(self.node(sub) for sub in items)
                checks.append(lambda value: all(check(item) for check, item in zip(prefix, value, strict=False)))
                if "additionalItems" in schema:
                    rest = self.node(schema["additionalItems"])
                    start = len(prefix)
                    checks.append(lambda value: all(rest(item) for item in value[start:]))
            elif isinstance(items, bool) and "additionalItems" in schema:
                raise UnsupportedSchema("additionalItems beside a boolean items")
            else:
                each = self.node(items)
                checks.append(lambda value: all(each(item) for item in value))
        if "contains" in schema:
            contained = self.node(schema["contains"])
            checks.append(lambda value: any(contained(item) for item in value))
        return checks

    @staticmethod
    def combine(
        type_ok: Predicate | None,
        objects: list[Predicate],
        arrays: list[Predicate],
        strings: list[Predicate],
        general: list[Predicate],
    ) -> Predicate:
        object_ok = _all_of(objects) if objects else None
        array_ok = _all_of(arrays) if arrays else None
        string_ok = _all_of(strings) if strings else None
        general_ok = _all_of(general) if general else None
        if object_ok is None and array_ok is None and string_ok is None:
            if general_ok is None:
                return type_ok or _always
            return general_ok if type_ok is None else _all_of([type_ok, general_ok])

        def check(value: Any) -> bool:
            if type_ok is not None and not type_ok(value):
                return False
            if isinstance(value, dict):
                if object_ok is not None and not object_ok(value):
                    return False
            elif isinstance(value, list):
                if array_ok is not None and not array_ok(value):
                    return False
            elif isinstance(value, str) and string_ok is not None and not string_ok(value):
                return False
            return general_ok is None or general_ok(value)

        return check


def compile_schema(schema: dict[str, Any]) -> Predicate:
    """A predicate equal to ``Draft201909Validator(schema).is_valid`` (no format checker).

    Raises ``UnsupportedSchema`` for a keyword or construct it does not reproduce exactly.
    """
    return _Compiler(schema).compile()
