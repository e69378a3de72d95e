"""Read a MongoDB `$jsonSchema` validator (or any JSON Schema) into neutral fields.

A document schema is a tree: objects hold fields, arrays hold one item shape, and every leaf is
a neutral `Column` plus the predicates its keywords impose (minimum/maximum -> Compare,
minLength/maxLength -> Length, pattern -> Pattern, enum -> InSet). Each object in the tree is
also a neutral `Table` whose columns are its leaves, so the inference sees a nested `address`
object as a table called `address` with a `city` column, and names carry meaning exactly as
they do for SQL columns.

The BSON types MongoDB adds (`bsonType`: objectId, date, decimal, long, ...) are kept on the
leaf, because the value's Python type must match them for the server to accept the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.schema.model import Column, ColumnType, Kind, Table
from fixturekit.schema.predicates import Compare, InSet, Length, Pattern, Predicate


class InvalidSchema(FixturekitError):
    """The JSON Schema is malformed or asks for values that cannot exist."""


# BSON type -> the neutral kind the inference works with. The BSON type itself stays on the
# leaf so the value is converted (Int64, Decimal128, ObjectId) before it reaches the driver.
BSON_KINDS: dict[str, Kind] = {
    "string": Kind.STRING,
    "int": Kind.INTEGER,
    "long": Kind.BIGINT,
    "double": Kind.FLOAT,
    "decimal": Kind.NUMERIC,
    "number": Kind.FLOAT,
    "bool": Kind.BOOLEAN,
    "date": Kind.DATETIME,
    "timestamp": Kind.DATETIME,
    "objectId": Kind.UNKNOWN,  # no SQL counterpart: the document layer gives it a strategy
    "binData": Kind.BINARY,
    "uuid": Kind.UUID,
    "null": Kind.UNKNOWN,
    "regex": Kind.UNKNOWN,
    "javascript": Kind.UNKNOWN,
    "minKey": Kind.UNKNOWN,
    "maxKey": Kind.UNKNOWN,
}
# JSON Schema `type` -> BSON type of the value fixturekit produces for it.
JSON_TO_BSON = {
    "string": "string",
    "integer": "int",
    "number": "double",
    "boolean": "bool",
    "null": "null",
    "object": "object",
    "array": "array",
}
CONTAINERS = ("object", "array")
KNOWN_BSON = set(BSON_KINDS) | set(CONTAINERS)

# `format` -> how the string leaf is read: a kind (the value is rendered back to text) or a
# meaning handed to the name rules through Column.semantic.
FORMAT_KINDS = {"date-time": Kind.DATETIME, "date": Kind.DATE, "time": Kind.TIME, "uuid": Kind.UUID}
FORMAT_SEMANTICS = {
    "email": "email",
    "idn-email": "email",
    "uri": "url",
    "iri": "url",
    "url": "url",
    "hostname": "hostname",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
}


@dataclass(frozen=True)
class Leaf:
    """A scalar field: the neutral column, its predicates and the BSON type of its values."""

    column: Column
    bson_type: str
    predicates: tuple[Predicate, ...] = ()
    format: str | None = None
    multiple_of: float | int | None = None
    const: Any = None
    has_const: bool = False
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArrayNode:
    item: Node
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False


@dataclass(frozen=True)
class FieldNode:
    name: str
    node: Node
    required: bool
    nullable: bool = False


@dataclass(frozen=True)
class ObjectNode:
    """An object: the document itself or a nested one. `path` names it in messages."""

    path: str
    fields: tuple[FieldNode, ...]

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    def table(self) -> Table:
        """The object as a neutral table of its scalar fields, for the inference's context."""
        columns = [f.node.column for f in self.fields if isinstance(f.node, Leaf)]
        key = ("_id",) if any(c.name == "_id" for c in columns) else ()
        return Table(name=self.name, columns=columns, primary_key=key)

    def field(self, name: str) -> FieldNode:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.path} has no field {name!r}")


Node = Leaf | ArrayNode | ObjectNode


@dataclass(frozen=True)
class DocumentSchema:
    """One collection's documents: the tree, and the validator it was read from."""

    collection: str
    root: ObjectNode
    validator: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def objects(self) -> Iterator[ObjectNode]:
        """Every object in the tree, children before their parent (the order code needs)."""
        yield from _objects(self.root)


def _objects(node: Node) -> Iterator[ObjectNode]:
    if isinstance(node, ArrayNode):
        yield from _objects(node.item)
    elif isinstance(node, ObjectNode):
        for f in node.fields:
            yield from _objects(f.node)
        yield node


def unwrap(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The `$jsonSchema` inside a collection's options, a validator, or the schema itself."""
    current: Any = schema
    for wrapper in ("options", "validator", "$jsonSchema"):
        if isinstance(current, Mapping) and wrapper in current:
            current = current[wrapper]
    if not isinstance(current, Mapping):
        raise InvalidSchema(f"a JSON Schema must be an object, not {type(current).__name__}")
    return dict(current)


def _uses_draft4_exclusives(schema: Any) -> bool:
    if isinstance(schema, Mapping):
        if any(isinstance(schema.get(k), bool) for k in ("exclusiveMinimum", "exclusiveMaximum")):
            return True
        return any(_uses_draft4_exclusives(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_uses_draft4_exclusives(v) for v in schema)
    return False


def check_schema(schema: Mapping[str, Any], source: str) -> None:
    """Validate the schema against its meta-schema; MongoDB's dialect is draft 4 + bsonType."""
    from jsonschema import validators
    from jsonschema.exceptions import SchemaError

    if "$schema" in schema:
        cls = validators.validator_for(schema)
    elif _uses_draft4_exclusives(schema):
        cls = validators.Draft4Validator
    else:
        cls = validators.Draft202012Validator
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        where = ".".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise InvalidSchema(
            f"invalid JSON Schema in {source} at {where}: {exc.message}",
        ) from None


class _Reader:
    def __init__(self, root: Mapping[str, Any], source: str) -> None:
        self.root = root
        self.source = source
        self._resolving: list[str] = []

    def fail(self, path: str, message: str) -> InvalidSchema:
        return InvalidSchema(f"{self.source}: field {path}: {message}")

    # -- composition -------------------------------------------------------------------------

    def resolve(self, schema: Mapping[str, Any], path: str) -> tuple[dict[str, Any], bool]:
        """Follow `$ref`, merge `allOf`, pick a branch of `anyOf`/`oneOf`; report nullability."""
        schema = dict(schema)
        nullable = False
        if "$ref" in schema:
            target = self.ref(schema.pop("$ref"), path)
            schema = {**target, **schema}
        for sub in schema.pop("allOf", []):
            resolved, sub_null = self.resolve(sub, path)
            schema = _merge(schema, resolved)
            nullable = nullable and sub_null
        for keyword in ("anyOf", "oneOf"):
            branches = schema.pop(keyword, None)
            if branches:
                non_null = [b for b in branches if not _is_null_schema(b)]
                nullable = nullable or len(non_null) < len(branches)
                if non_null:
                    resolved, _ = self.resolve(non_null[0], path)
                    schema = _merge(resolved, schema)
        return schema, nullable

    def ref(self, ref: str, path: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise self.fail(path, f"only local references (#/...) are supported, not {ref!r}")
        if ref in self._resolving:
            raise self.fail(path, f"{ref} refers to itself; a recursive shape has no finite value")
        target: Any = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                raise self.fail(path, f"reference {ref} points at nothing")
            target = target[part]
        return dict(target)

    # -- types ------------------------------------------------------------------------------

    def types(self, schema: Mapping[str, Any], path: str) -> tuple[str | None, bool]:
        """The one BSON type to produce, and whether null is allowed besides it."""
        bson = schema.get("bsonType")
        json_type = schema.get("type")
        if bson is not None:
            names = [bson] if isinstance(bson, str) else list(bson)
            unknown = [n for n in names if n not in KNOWN_BSON]
            if unknown:
                raise self.fail(
                    path,
                    f"unknown bsonType {unknown[0]!r}; MongoDB knows "
                    + ", ".join(sorted(KNOWN_BSON, key=str.lower)),
                )
        elif json_type is not None:
            names = [json_type] if isinstance(json_type, str) else list(json_type)
            names = [JSON_TO_BSON.get(n, n) for n in names]
        else:
            names = []
        nullable = "null" in names
        concrete = [n for n in names if n != "null"]
        if not concrete:
            if "properties" in schema or "required" in schema:
                return "object", nullable
            if "items" in schema:
                return "array", nullable
            if "enum" in schema or "const" in schema:
                return None, nullable
            return ("null" if nullable else None), nullable
        # Several types allowed: produce the first, which is the one the author wrote first.
        return concrete[0], nullable

    # -- nodes ------------------------------------------------------------------------------

    def node(self, name: str, schema: Mapping[str, Any], path: str) -> tuple[Node, bool]:
        schema, nullable = self.resolve(schema, path)
        bson, type_nullable = self.types(schema, path)
        nullable = nullable or type_nullable
        if bson == "object" and "properties" not in schema and "required" not in schema:
            return self.leaf(name, {**schema, "bsonType": "object"}, "object", path), nullable
        if bson == "object":
            return self.object(schema, path), nullable
        if bson == "array":
            return self.array(name, schema, path), nullable
        return self.leaf(name, schema, bson, path), nullable

    def object(self, schema: Mapping[str, Any], path: str) -> ObjectNode:
        properties = schema.get("properties") or {}
        required = list(schema.get("required") or [])
        fields = []
        for name, sub in properties.items():
            node, nullable = self.node(name, sub, f"{path}.{name}")
            fields.append(FieldNode(name, node, required=name in required, nullable=nullable))
        for name in required:
            if name not in properties and name != "_id":
                # Required but never described: MongoDB accepts any value, so say so.
                leaf = self.leaf(name, {}, None, f"{path}.{name}")
                leaf = replace(leaf, flags=(*leaf.flags, "required but has no schema"))
                fields.append(FieldNode(name, leaf, required=True))
        return ObjectNode(path, tuple(fields))

    def array(self, name: str, schema: Mapping[str, Any], path: str) -> ArrayNode:
        items = schema.get("items", {})
        if isinstance(items, list):  # tuple form (draft 4): one schema per position
            items = items[0] if items else {}
        item, _ = self.node(_singular(name), items, f"{path}[]")
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        if high is not None and int(high) < low:
            raise self.fail(path, f"maxItems {high} is below minItems {low}")
        return ArrayNode(
            item, low, None if high is None else int(high), bool(schema.get("uniqueItems"))
        )

    def leaf(self, name: str, schema: Mapping[str, Any], bson: str | None, path: str) -> Leaf:
        flags: list[str] = []
        fmt = schema.get("format")
        enum = schema.get("enum")
        if bson is None and enum:
            bson = _bson_of_value(next((v for v in enum if v is not None), None))
        if bson is None and "const" in schema:
            bson = _bson_of_value(schema["const"])
        if bson is None:
            flags.append("no type given")
            bson = "string"
        kind = BSON_KINDS.get(bson, Kind.JSON if bson == "object" else Kind.UNKNOWN)
        semantic = None
        if bson == "string" and fmt:
            kind = FORMAT_KINDS.get(fmt, kind)
            semantic = FORMAT_SEMANTICS.get(fmt)
            if fmt not in FORMAT_KINDS and semantic is None:
                flags.append(f"format {fmt!r} is not understood")
        enum_values: tuple[str, ...] = ()
        if enum and all(isinstance(v, str) for v in enum if v is not None) and bson == "string":
            kind = Kind.ENUM
            enum_values = tuple(v for v in enum if v is not None)
        max_length = schema.get("maxLength")
        column = Column(
            name=name,
            type=ColumnType(
                kind,
                length=int(max_length) if max_length is not None else None,
                enum_values=enum_values,
                sql=f"bsonType {bson}" + (f" format {fmt}" if fmt else ""),
            ),
            nullable=False,
            primary_key=name == "_id",
            unique=name == "_id",
            comment=schema.get("description") or schema.get("title"),
            semantic=semantic,
        )
        predicates = tuple(self.predicates(name, schema, path))
        return Leaf(
            column=column,
            bson_type=bson,
            predicates=predicates,
            format=fmt,
            multiple_of=schema.get("multipleOf"),
            const=schema.get("const"),
            has_const="const" in schema,
            flags=tuple(flags),
        )

    def predicates(self, name: str, schema: Mapping[str, Any], path: str) -> Iterator[Predicate]:
        low, high = schema.get("minimum"), schema.get("maximum")
        ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if low is not None:
            yield Compare(name, ">" if ex_low is True else ">=", low)
        if high is not None:
            yield Compare(name, "<" if ex_high is True else "<=", high)
        # Draft 6 and later spell exclusive bounds as numbers of their own.
        if not isinstance(ex_low, bool) and ex_low is not None:
            yield Compare(name, ">", ex_low)
        if not isinstance(ex_high, bool) and ex_high is not None:
            yield Compare(name, "<", ex_high)
        if low is not None and high is not None and low > high:
            raise self.fail(path, f"minimum {low} is above maximum {high}")
        min_len, max_len = schema.get("minLength"), schema.get("maxLength")
        if min_len is not None and max_len is not None and int(min_len) > int(max_len):
            raise self.fail(path, f"minLength {min_len} is above maxLength {max_len}")
        if min_len:
            yield Length(name, ">=", int(min_len))
        if max_len is not None:
            yield Length(name, "<=", int(max_len))
        if "pattern" in schema:
            pattern = schema["pattern"]
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.fail(
                    path, f"pattern {pattern!r} is not a regular expression: {exc}"
                ) from None
            yield Pattern(name, anchor(pattern), source=f"pattern {pattern}")
        enum = schema.get("enum")
        # A string enum is already the column's type (Kind.ENUM); other enums narrow a type.
        if enum and not all(isinstance(v, str) for v in enum if v is not None):
            yield InSet(name, tuple(v for v in enum if v is not None))


def anchor(pattern: str) -> str:
    """A JSON Schema pattern (a search) as a full match: values of the anchored form match it."""
    if pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern
    body = pattern[1:] if pattern.startswith("^") else pattern
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    return f"^(?:{body})$"


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**base, **extra}
    if "properties" in base and "properties" in extra:
        merged["properties"] = {**base["properties"], **extra["properties"]}
    if "required" in base and "required" in extra:
        merged["required"] = list(dict.fromkeys([*base["required"], *extra["required"]]))
    return merged


def _is_null_schema(schema: Any) -> bool:
    if not isinstance(schema, Mapping):
        return False
    types = schema.get("bsonType", schema.get("type"))
    return types == "null" or types == ["null"]


def _bson_of_value(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return None


def _singular(name: str) -> str:
    """`tags` -> `tag`: an array's items are named for one of them, so name rules still apply."""
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("ses", "xes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 3:
        return name[:-1]
    return name


def read_document_schema(
    schema: Mapping[str, Any], collection: str, *, source: str = "", check: bool = True
) -> DocumentSchema:
    """One collection's `$jsonSchema` (bare or wrapped in a validator) as a document tree."""
    source = source or f"the schema of {collection!r}"
    validator = unwrap(schema)
    if check:
        check_schema(validator, source)
    reader = _Reader(validator, source)
    resolved, _ = reader.resolve(validator, collection)
    bson, _ = reader.types(resolved, collection)
    if bson not in ("object", None):
        raise InvalidSchema(f"{source}: a document schema must describe an object, not {bson!r}")
    return DocumentSchema(collection, reader.object(resolved, collection), validator, source)
