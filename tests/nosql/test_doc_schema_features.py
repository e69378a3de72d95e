"""Every `$jsonSchema` feature produces documents that pass the same schema.

Each case is one field; documents are built by `document_factory`, passed through BSON (what the
server stores) and checked by the jsonschema library extended with `bsonType`. Schemas written
in plain JSON Schema (no bsonType) are also checked by the library's stock draft-4 validator.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import bson
import factory.random
import jsonschema
import pytest
from nosql_helpers import assert_valid, stored

from fixturekit import document_factory
from fixturekit.nosql.validate import document_errors

N = 40


def _schema(prop: dict[str, Any], name: str = "field") -> dict[str, Any]:
    return {"bsonType": "object", "required": [name], "properties": {name: prop}}


def _values(prop: dict[str, Any], name: str = "field") -> tuple[dict, list[Any]]:
    schema = {"$jsonSchema": _schema(prop, name)}
    factory.random.reseed_random(7)
    documents = document_factory({"things": schema}).build_batch(N)
    assert_valid(schema, documents)
    return schema, [d[name] for d in documents]


CASES: dict[str, tuple[dict[str, Any], Any]] = {
    "objectId": ({"bsonType": "objectId"}, lambda v: isinstance(v, bson.ObjectId)),
    "date": ({"bsonType": "date"}, lambda v: isinstance(v, datetime.datetime)),
    "long": (
        {"bsonType": "long", "minimum": 5, "maximum": 9},
        lambda v: isinstance(v, bson.Int64) and 5 <= v <= 9,
    ),
    "decimal": (
        {"bsonType": "decimal", "minimum": 1, "maximum": 2},
        lambda v: isinstance(v, bson.Decimal128) and 1 <= v.to_decimal() <= 2,
    ),
    "int": ({"bsonType": "int", "minimum": -3, "maximum": 3}, lambda v: -3 <= v <= 3),
    "double": ({"bsonType": "double"}, lambda v: isinstance(v, float)),
    "bool": ({"bsonType": "bool"}, lambda v: isinstance(v, bool)),
    "binData": ({"bsonType": "binData"}, lambda v: isinstance(v, bytes)),
    "timestamp": ({"bsonType": "timestamp"}, lambda v: isinstance(v, bson.Timestamp)),
    "string lengths": (
        {"bsonType": "string", "minLength": 4, "maxLength": 6},
        lambda v: 4 <= len(v) <= 6,
    ),
    "exclusive bounds, draft 4": (
        {
            "bsonType": "int",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": 2,
            "exclusiveMaximum": True,
        },
        lambda v: v == 1,
    ),
    "exclusive bounds, numeric": (
        {"bsonType": "int", "exclusiveMinimum": 10, "exclusiveMaximum": 12},
        lambda v: v == 11,
    ),
    "anchored pattern": (
        {"bsonType": "string", "pattern": "^[A-Z]{2}-\\d{3}$"},
        lambda v: re.fullmatch(r"[A-Z]{2}-\d{3}", v),
    ),
    "unanchored pattern": ({"bsonType": "string", "pattern": "ab+c"}, lambda v: "ab" in v),
    "string enum": ({"enum": ["red", "green"]}, lambda v: v in ("red", "green")),
    "int enum": ({"bsonType": "int", "enum": [1, 5, 9]}, lambda v: v in (1, 5, 9)),
    "format email": ({"bsonType": "string", "format": "email"}, lambda v: "@" in v),
    "format uri": ({"bsonType": "string", "format": "uri"}, lambda v: "://" in v),
    "format uuid": ({"bsonType": "string", "format": "uuid"}, lambda v: uuid.UUID(v)),
    "format date-time": (
        {"bsonType": "string", "format": "date-time"},
        lambda v: datetime.datetime.fromisoformat(v).tzinfo is not None,
    ),
    "format date": ({"bsonType": "string", "format": "date"}, datetime.date.fromisoformat),
    "nullable": ({"bsonType": ["string", "null"], "maxLength": 8}, lambda v: len(v) <= 8),
    "anyOf with null": (
        {"anyOf": [{"bsonType": "int", "minimum": 3, "maximum": 4}, {"bsonType": "null"}]},
        lambda v: v in (3, 4),
    ),
    "const": ({"const": "fixed"}, lambda v: v == "fixed"),
    "multipleOf int": (
        {"bsonType": "int", "multipleOf": 5, "minimum": 11, "maximum": 40},
        lambda v: v % 5 == 0 and 11 <= v <= 40,
    ),
    "multipleOf float": (
        {"bsonType": "double", "multipleOf": 0.25, "maximum": 3},
        lambda v: (v * 4).is_integer(),
    ),
    "nested object": (
        {
            "bsonType": "object",
            "required": ["city"],
            "properties": {
                "city": {"bsonType": "string"},
                "geo": {
                    "bsonType": "object",
                    "properties": {"lat": {"bsonType": "double", "minimum": -90, "maximum": 90}},
                },
            },
        },
        lambda v: isinstance(v["city"], str) and -90 <= v["geo"]["lat"] <= 90,
    ),
    "array bounds and uniqueItems": (
        {
            "bsonType": "array",
            "minItems": 2,
            "maxItems": 3,
            "uniqueItems": True,
            "items": {"bsonType": "string", "enum": ["a", "b", "c"]},
        },
        lambda v: 2 <= len(v) <= 3 and len(set(v)) == len(v),
    ),
    "array of objects": (
        {
            "bsonType": "array",
            "items": {
                "bsonType": "object",
                "required": ["qty"],
                "properties": {"qty": {"bsonType": "int", "minimum": 1, "maximum": 9}},
            },
        },
        lambda v: v and all(1 <= item["qty"] <= 9 for item in v),
    ),
    "array of arrays": (
        {
            "bsonType": "array",
            "items": {"bsonType": "array", "maxItems": 2, "items": {"bsonType": "long"}},
        },
        lambda v: all(len(inner) <= 2 and all(isinstance(x, int) for x in inner) for inner in v),
    ),
    "free-form object": ({"bsonType": "object"}, lambda v: isinstance(v, dict)),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_documents_pass_their_schema(case: str) -> None:
    prop, check = CASES[case]
    _, values = _values(prop)
    assert all(check(v) for v in values), values[:5]


def test_draft4_json_types_pass_the_stock_validator() -> None:
    schema = {
        "type": "object",
        "required": ["email", "age", "tags", "profile"],
        "properties": {
            "email": {"type": "string", "format": "email"},
            "age": {"type": "integer", "minimum": 18, "maximum": 30},
            "score": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}},
            "profile": {"type": "object", "properties": {"bio": {"type": ["string", "null"]}}},
            "status": {"enum": ["new", "old"]},
        },
    }
    stock = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    for document in document_factory({"people": schema}).build_batch(N):
        assert not list(stock.iter_errors(document)), document
        assert not document_errors(schema, document)


def test_refs_and_all_of_are_followed() -> None:
    schema = {
        "definitions": {"money": {"bsonType": "decimal", "minimum": 0, "maximum": 10}},
        "allOf": [
            {
                "bsonType": "object",
                "required": ["price"],
                "properties": {"price": {"$ref": "#/definitions/money"}},
            },
            {"required": ["sku"], "properties": {"sku": {"bsonType": "string", "maxLength": 8}}},
        ],
    }
    documents = document_factory({"products": schema}).build_batch(N)
    assert_valid(schema, documents)
    assert all({"price", "sku"} <= set(d) for d in documents)


def test_a_required_field_without_a_schema_is_filled_and_flagged() -> None:
    from fixturekit.nosql.plan import plan_documents
    from fixturekit.nosql.sources import load_schemas

    schema = {"bsonType": "object", "required": ["mystery"], "properties": {}}
    plan = plan_documents(load_schemas({"things": schema}))[0]
    decl = plan.root.fields[0]
    assert decl.key == "mystery" and "required but has no schema" in decl.flags
    assert_valid(schema, [document_factory({"things": schema}).build()])


def test_the_validator_catches_what_the_server_would_reject() -> None:
    """The checks above can fail: wrong BSON types, bounds and formats are reported."""
    schema = {
        "bsonType": "object",
        "properties": {
            "n": {"bsonType": "long"},
            "at": {"bsonType": "date"},
            "price": {"bsonType": "decimal", "maximum": 5},
            "when": {"bsonType": "string", "format": "date-time"},
        },
    }
    document = {
        "n": 3,  # a small Python int is stored as a 32-bit int
        "at": "2024-01-01",
        "price": bson.Decimal128("7.5"),
        "when": "2024-01-01T10:00:00",  # no offset: not RFC 3339
    }
    errors = document_errors(schema, stored(document))
    assert [e.split(":")[0] for e in errors] == ["at", "n", "price", "when"]
    good = {"n": bson.Int64(3), "at": datetime.datetime(2024, 1, 1), "price": bson.Decimal128("2")}
    assert document_errors(schema, stored(good)) == []


def test_fields_placed_after_another_keep_their_order_type_and_bounds() -> None:
    """`updated_at` after `created_at`, `max_price` >= `min_price`, through BSON conversions."""
    bounded = {"minimum": 0, "maximum": 2}
    schema = {
        "bsonType": "object",
        "properties": {
            "min_price": {"bsonType": "decimal", **bounded},
            "max_price": {"bsonType": "decimal", **bounded},
            "start": {"bsonType": "long", "minimum": 0, "maximum": 10},
            "end": {"bsonType": "long", "minimum": 0, "maximum": 10},
            "created_at": {"bsonType": "string", "format": "date-time"},
            "updated_at": {"bsonType": "string", "format": "date-time"},
        },
    }
    documents = document_factory({"offers": schema}).build_batch(200)
    assert_valid(schema, documents)
    for d in documents:
        assert d["max_price"].to_decimal() >= d["min_price"].to_decimal()
        assert d["end"] >= d["start"]
        parse = datetime.datetime.fromisoformat
        assert parse(d["updated_at"]) >= parse(d["created_at"])
