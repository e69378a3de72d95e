"""Python document types (pydantic models, TypedDicts, dataclasses) as `$jsonSchema` dicts.

Rather than a second reader, a Python type is translated into the MongoDB validator it
implies, which then goes through the one JSON Schema reader. The translation follows what
an application stores: a `datetime` becomes a BSON date, a `Decimal` a Decimal128, a `UUID`
and a `date` text (the driver stores neither natively), an Enum its members' values.
Constraints come from `annotated_types` metadata (what pydantic's `Field(...)` records).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import re
import types
import typing
import uuid
from collections.abc import Mapping
from typing import Any

from fixturekit.errors import FixturekitError

# Metadata attribute -> JSON Schema keyword (annotated_types and pydantic spell them alike).
CONSTRAINTS = {
    "gt": "exclusiveMinimum",
    "ge": "minimum",
    "lt": "exclusiveMaximum",
    "le": "maximum",
    "min_length": "minLength",
    "max_length": "maxLength",
    "multiple_of": "multipleOf",
    "pattern": "pattern",
}
SCALARS: dict[type, dict[str, Any]] = {
    bool: {"bsonType": "bool"},
    int: {"bsonType": "int"},
    float: {"bsonType": "double"},
    str: {"bsonType": "string"},
    bytes: {"bsonType": "binData"},
    decimal.Decimal: {"bsonType": "decimal"},
    datetime.datetime: {"bsonType": "date"},
    datetime.date: {"bsonType": "string", "format": "date"},
    datetime.time: {"bsonType": "string", "format": "time"},
    uuid.UUID: {"bsonType": "string", "format": "uuid"},
}
# Types known by name, so their packages need not be importable here.
BY_NAME = {
    "ObjectId": {"bsonType": "objectId"},
    "PydanticObjectId": {"bsonType": "objectId"},
    "Decimal128": {"bsonType": "decimal"},
    "Int64": {"bsonType": "long"},
    "EmailStr": {"bsonType": "string", "format": "email"},
    "NameEmail": {"bsonType": "string", "format": "email"},
    "AnyUrl": {"bsonType": "string", "format": "uri"},
    "AnyHttpUrl": {"bsonType": "string", "format": "uri"},
    "HttpUrl": {"bsonType": "string", "format": "uri"},
}


def is_typeddict(obj: Any) -> bool:
    """Both spellings: before Python 3.12 pydantic asks for typing_extensions' TypedDict."""
    if typing.is_typeddict(obj):
        return True
    try:
        import typing_extensions
    except ImportError:
        return False
    return typing_extensions.is_typeddict(obj)


def _key_markers() -> tuple[Any, ...]:
    markers: list[Any] = [typing.NotRequired, typing.Required]
    try:
        import typing_extensions

        markers += [typing_extensions.NotRequired, typing_extensions.Required]
    except ImportError:
        pass
    return tuple(markers)


def is_document_type(obj: Any) -> bool:
    return isinstance(obj, type) and (
        _is_pydantic(obj) or is_typeddict(obj) or dataclasses.is_dataclass(obj)
    )


def _is_pydantic(cls: Any) -> bool:
    return isinstance(cls, type) and hasattr(cls, "model_fields") and hasattr(cls, "model_config")


def collection_name(cls: type) -> str:
    """`__collection__`, Beanie's `Settings.name`, else the class name pluralised (`users`)."""
    explicit = getattr(cls, "__collection__", None)
    settings = getattr(cls, "Settings", None)
    if explicit is None and settings is not None:
        explicit = getattr(settings, "name", None)
    if isinstance(explicit, str) and explicit:
        return explicit
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls.__name__).lower()
    if snake.endswith("y") and snake[-2:-1] not in "aeiou":
        return snake[:-1] + "ies"
    if snake.endswith(("s", "x", "ch", "sh")):
        return snake + "es"
    return snake + "s"


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    annotation: Any
    required: bool
    metadata: tuple[Any, ...] = ()
    description: str | None = None


class _Translator:
    def __init__(self, root: type) -> None:
        self.root = root
        self.stack: list[type] = []

    def fail(self, where: str, message: str) -> FixturekitError:
        return FixturekitError(f"{where}: {message}")

    def fields(self, cls: type) -> list[_Field]:
        if _is_pydantic(cls):
            return [
                _Field(
                    info.alias or name,
                    info.annotation,
                    info.is_required(),
                    tuple(info.metadata),
                    info.description,
                )
                for name, info in cls.model_fields.items()
            ]
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except Exception as exc:  # a forward reference that does not resolve
            raise self.fail("?", f"cannot resolve its type hints ({exc})") from None
        if is_typeddict(cls):
            required = getattr(cls, "__required_keys__", frozenset(hints))
            markers = _key_markers()
            result = []
            for name, hint in hints.items():
                # With postponed annotations the class cannot see NotRequired[...] when it is
                # created, so the resolved hint has the last word.
                marker = typing.get_origin(hint)
                if marker in markers:
                    is_required = "NotRequired" not in repr(marker)
                else:
                    is_required = name in required
                result.append(_Field(name, hint, is_required))
            return result
        result = []
        for f in dataclasses.fields(cls):
            has_default = (
                f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            )
            result.append(_Field(f.name, hints.get(f.name, Any), not has_default))
        return result

    def object(self, cls: type) -> dict[str, Any]:
        self.stack.append(cls)
        try:
            properties: dict[str, Any] = {}
            required = []
            for f in self.fields(cls):
                where = f"{cls.__name__}.{f.name}"
                properties[f.name] = self.annotation(f.annotation, where)
                if "$recursive" in properties[f.name]:
                    raise self.fail(
                        where, "always holds another one of its own kind, so no document ends"
                    )
                properties[f.name].update(_constraints(f.metadata))
                if f.description:
                    properties[f.name]["description"] = f.description
                if f.required:
                    required.append(f.name)
        finally:
            self.stack.pop()
        schema: dict[str, Any] = {"bsonType": "object", "properties": properties}
        if required:
            schema["required"] = required
        if cls.__doc__ and not _is_generated_doc(cls):
            schema["description"] = cls.__doc__.strip().splitlines()[0]
        return schema

    def annotation(self, tp: Any, where: str) -> dict[str, Any]:
        origin = typing.get_origin(tp)
        if origin in _key_markers():  # TypedDict's NotRequired[...] / Required[...]
            return self.annotation(typing.get_args(tp)[0], where)
        if origin is typing.Annotated:
            inner, *metadata = typing.get_args(tp)
            return {**self.annotation(inner, where), **_constraints(metadata)}
        if origin in (typing.Union, types.UnionType):
            return self.union(typing.get_args(tp), where)
        if origin is typing.Literal:
            values = list(typing.get_args(tp))
            return {**_type_of_values(values), "enum": values}
        if origin in (list, set, frozenset, tuple) or (
            isinstance(origin, type) and origin.__name__ in ("Sequence", "MutableSequence")
        ):
            return self.array(tp, origin, where)
        if origin in (dict, Mapping) or tp in (dict, Mapping):
            return {"bsonType": "object"}
        if tp is Any or tp is object:
            raise self.fail(where, "is typed Any; give it a concrete type to generate values")
        if isinstance(tp, type):
            return self.plain_type(tp, where)
        raise self.fail(where, f"fixturekit does not know how to generate {tp!r}")

    def plain_type(self, tp: type, where: str) -> dict[str, Any]:
        if issubclass(tp, enum.Enum):
            values = [m.value for m in tp]
            return {**_type_of_values(values), "enum": values}
        if tp in self.stack:
            return {"$recursive": tp.__name__}
        if is_document_type(tp):
            return self.object(tp)
        for base in tp.__mro__:
            if base in SCALARS:
                return dict(SCALARS[base])
            if base.__name__ in BY_NAME:
                return dict(BY_NAME[base.__name__])
        if tp in (list, set, frozenset, tuple):
            raise self.fail(where, f"is a bare {tp.__name__}; say what it holds, e.g. list[str]")
        raise self.fail(where, f"fixturekit does not know how to generate {tp.__qualname__}")

    def union(self, members: tuple[Any, ...], where: str) -> dict[str, Any]:
        non_null = [m for m in members if m is not type(None)]
        nullable = len(non_null) < len(members)
        branches = [self.annotation(m, where) for m in non_null]
        if any("$recursive" in b for b in branches) and nullable:
            return {"bsonType": "null"}  # a recursive shape ends where it may be null
        if len(branches) == 1:
            schema = branches[0]
            if nullable:
                schema = _nullable(schema)
            return schema
        return {"anyOf": [*branches, *([{"bsonType": "null"}] if nullable else [])]}

    def array(self, tp: Any, origin: Any, where: str) -> dict[str, Any]:
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        if not args:
            raise self.fail(where, f"is a bare {origin.__name__}; say what it holds")
        item = self.annotation(args[0], f"{where}[]")
        if "$recursive" in item:
            return {"bsonType": "array", "maxItems": 0}
        schema: dict[str, Any] = {"bsonType": "array", "items": item}
        if origin in (set, frozenset):
            schema["uniqueItems"] = True
        return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    bson = schema.get("bsonType")
    if isinstance(bson, str):
        return {**schema, "bsonType": [bson, "null"]}
    return {"anyOf": [schema, {"bsonType": "null"}]}


def _type_of_values(values: list[Any]) -> dict[str, Any]:
    kinds = {type(v) for v in values}
    for python, bson in ((bool, "bool"), (int, "int"), (float, "double"), (str, "string")):
        if kinds == {python}:
            return {"bsonType": bson}
    return {}


def _constraints(metadata: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        nested = getattr(item, "metadata", None)
        if isinstance(nested, list):  # a pydantic FieldInfo inside Annotated[...]
            found.update(_constraints(nested))
        for attribute, keyword in CONSTRAINTS.items():
            value = getattr(item, attribute, None)
            if value is None:
                continue
            if keyword.startswith("exclusive"):
                found[keyword] = value  # numeric exclusive bounds, as in draft 6 and later
            else:
                found[keyword] = value.pattern if isinstance(value, re.Pattern) else value
    return found


def _is_generated_doc(cls: type) -> bool:
    # dataclasses and TypedDicts invent a docstring from the signature when there is none.
    doc = cls.__doc__ or ""
    return doc.startswith(f"{cls.__name__}(") or (_is_pydantic(cls) and "Usage docs" in doc)


def referenced_types(cls: type) -> set[type]:
    """Document types used in the fields of `cls`, at any depth of containers and unions."""
    found: set[type] = set()

    def walk(tp: Any) -> None:
        for arg in typing.get_args(tp):
            walk(arg)
        if is_document_type(tp) and tp not in found and tp is not cls:
            found.add(tp)
            for f in _Translator(tp).fields(tp):
                walk(f.annotation)

    for f in _Translator(cls).fields(cls):
        walk(f.annotation)
    return found


def schema_of(cls: type) -> dict[str, Any]:
    """The `$jsonSchema` a pydantic model, TypedDict or dataclass implies."""
    if not is_document_type(cls):
        raise FixturekitError(
            f"{getattr(cls, '__qualname__', cls)!r} is not a pydantic model, TypedDict or dataclass"
        )
    return _Translator(cls).object(cls)
