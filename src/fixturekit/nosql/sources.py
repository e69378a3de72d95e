"""Resolve what the user names as a document schema into `DocumentSchema`s, one per collection.

Accepted:
* a `$jsonSchema` (bare, or wrapped as `{"$jsonSchema": ...}` or `{"validator": ...}`) as a dict
  or a `.json` file; the collection is named by the file or by `collection=`;
* a folder: every `.json` file in it;
* a mapping of collection name -> such a schema, e.g. `{"users": {...}, "orders": {...}}`;
* a list of collection infos as `db.getCollectionInfos()` prints them (`name` + `options`);
* a pydantic model, TypedDict or dataclass, or `module:Name` / `file.py:Name` naming one;
* a module or `file.py`: every document class in it that is not embedded in another.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.nosql import pytypes
from fixturekit.schema.jsonschema import DocumentSchema, read_document_schema
from fixturekit.schema.loading import import_target, split_spec

SCHEMA_KEYWORDS = {
    "$jsonSchema", "validator", "bsonType", "type", "properties", "required", "allOf",
    "anyOf", "oneOf", "$ref", "title", "description", "additionalProperties", "$schema",
}  # fmt: skip


def load_schemas(
    spec: Any, *, collection: str | None = None, root: Path | None = None
) -> list[DocumentSchema]:
    """Every collection schema `spec` describes (see the module docstring for the forms)."""
    if isinstance(spec, Mapping | list):
        return from_data(spec, collection=collection, source="the schema given")
    if isinstance(spec, type):
        return [from_type(spec, collection)]
    if isinstance(spec, ModuleType):
        return from_module(spec)
    if isinstance(spec, (Path, str)):
        return from_spec(str(spec), collection=collection, root=root)
    raise FixturekitError(f"cannot read a document schema from {type(spec).__name__} {spec!r}")


def from_spec(spec: str, *, collection: str | None, root: Path | None) -> list[DocumentSchema]:
    path = (root or Path.cwd()) / spec
    if spec.endswith(".json") or (path.is_file() and path.suffix == ".json"):
        return from_file(path, collection=collection)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise FixturekitError(f"{spec} is a folder with no .json schema files in it")
        return [schema for file in files for schema in from_file(file, collection=collection)]
    target, name = split_spec(spec)
    module = import_target(target, root=root)
    if name is None:
        return from_module(module)
    obj = getattr(module, name, None)
    if obj is None:
        raise FixturekitError(f"{target} has no {name}")
    if isinstance(obj, Mapping | list):
        return from_data(obj, collection=collection, source=spec)
    return [from_type(obj, collection)]


def from_file(path: Path, *, collection: str | None = None) -> list[DocumentSchema]:
    if not path.is_file():
        raise FixturekitError(f"schema file {path} does not exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FixturekitError(
            f"{path} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        raise FixturekitError(f"{path} is not UTF-8 text") from None
    return from_data(data, collection=collection, source=str(path), default_name=path.stem)


def _is_single(data: Mapping[str, Any]) -> bool:
    return bool(SCHEMA_KEYWORDS & set(data)) or ("options" in data and "name" not in data)


def from_data(
    data: Any, *, collection: str | None, source: str, default_name: str | None = None
) -> list[DocumentSchema]:
    """Schemas from parsed JSON; a single schema is named `collection`, its title, or
    `default_name` (a file's stem)."""
    if isinstance(data, list):
        return [_from_info(info, source) for info in data]
    if not isinstance(data, Mapping):
        raise FixturekitError(f"{source}: expected a JSON object, found {type(data).__name__}")
    if "name" in data and "options" in data:
        return [_from_info(data, source)]
    if _is_single(data):
        name = collection or str(data.get("title") or default_name or "documents")
        return [read_document_schema(data, name, source=source)]
    schemas = []
    for name, schema in data.items():
        if not isinstance(schema, Mapping):
            raise FixturekitError(
                f"{source}: {name!r} should hold a collection's schema (a JSON object), "
                f"not {type(schema).__name__}",
                hint="A file holds one $jsonSchema, or an object mapping collection names "
                "to schemas.",
            )
        schemas.append(read_document_schema(schema, name, source=f"{source} [{name}]"))
    if collection is not None:
        schemas = [s for s in schemas if s.collection == collection]
    if not schemas:
        raise FixturekitError(f"{source} holds no collection schema")
    return schemas


def _from_info(info: Any, source: str) -> DocumentSchema:
    if not isinstance(info, Mapping) or "name" not in info:
        raise FixturekitError(f"{source}: each collection info needs a `name` and `options`")
    options = info.get("options") or {}
    return read_document_schema(options, info["name"], source=f"{source} [{info['name']}]")


def from_type(cls: Any, collection: str | None = None) -> DocumentSchema:
    if not pytypes.is_document_type(cls):
        raise FixturekitError(
            f"{getattr(cls, '__qualname__', cls)!r} is not a document schema: expected a "
            "pydantic model, TypedDict, dataclass or a $jsonSchema dict"
        )
    name = collection or pytypes.collection_name(cls)
    source = f"{cls.__module__}:{cls.__qualname__}"
    return read_document_schema(pytypes.schema_of(cls), name, source=source)


def from_module(module: ModuleType) -> list[DocumentSchema]:
    """Document classes defined in `module`; classes only used inside others are embedded."""
    classes = [
        obj
        for obj in vars(module).values()
        if pytypes.is_document_type(obj) and obj.__module__ == module.__name__
    ]
    marked = [c for c in classes if hasattr(c, "__collection__")]
    if marked:
        classes = marked
    else:
        embedded = {c for c in classes for other in classes if other is not c and _embeds(other, c)}
        classes = [c for c in classes if c not in embedded]
    if not classes:
        raise FixturekitError(
            f"{module.__name__} defines no pydantic model, TypedDict or dataclass to read"
        )
    return [from_type(c) for c in classes]


def _embeds(outer: type, inner: type) -> bool:
    """Whether `inner` appears in the field types of `outer` (directly or in a container)."""
    return inner in pytypes.referenced_types(outer)
