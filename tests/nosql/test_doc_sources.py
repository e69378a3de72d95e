"""Where document schemas come from: names through the shared rules, Python types, bad input."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import uuid
from pathlib import Path
from typing import (
    Annotated,
    Literal,
    NotRequired,  # pydantic wants these before 3.12
)

import bson
import pydantic
import pytest
from nosql_helpers import assert_valid, stored
from typing_extensions import TypedDict

from fixturekit import document_factory
from fixturekit.errors import FixturekitError
from fixturekit.infer.rules import infer_column
from fixturekit.nosql.plan import plan_documents
from fixturekit.nosql.pytypes import schema_of
from fixturekit.nosql.sources import load_schemas
from fixturekit.schema.jsonschema import InvalidSchema, read_document_schema
from fixturekit.schema.model import Column, ColumnType, Kind, Table

# -- names carry meaning through the SQL rules ------------------------------------------------


def test_field_names_get_the_same_strategy_as_sql_columns() -> None:
    """One set of rules: a document field and a SQL column of the same name agree."""
    names = ["email", "first_name", "phone", "city", "country_code", "website", "created_at"]
    properties = {n: {"bsonType": "date" if n.endswith("_at") else "string"} for n in names}
    plan = plan_documents(load_schemas({"customers": {"properties": properties}}))[0]
    table = Table("customers", [])
    for decl in plan.root.fields:
        kind = Kind.DATETIME if decl.key.endswith("_at") else Kind.STRING
        column = Column(decl.key, ColumnType(kind), nullable=False)
        assert decl.source == infer_column(column, table).strategy.source(), decl.key


def test_nested_objects_and_array_items_are_named_for_their_meaning() -> None:
    schema = {
        "properties": {
            "address": {"properties": {"city": {"bsonType": "string"}}},
            "emails": {"bsonType": "array", "items": {"bsonType": "string"}},
        }
    }
    documents = document_factory({"users": schema}).build_batch(20)
    assert all("@" in e for d in documents for e in d["emails"])
    plan = plan_documents(load_schemas({"users": schema}))[0]
    assert plan.objects[0].class_name == "UserAddressFactory"
    assert plan.objects[0].fields[0].source == 'factory.Faker("city")'


# -- Python types -----------------------------------------------------------------------------


class Tier(enum.Enum):
    FREE = "free"
    PRO = "pro"


class Address(pydantic.BaseModel):
    street: str
    postcode: Annotated[str, pydantic.Field(min_length=4, max_length=8)]


class Customer(pydantic.BaseModel):
    id: bson.ObjectId = pydantic.Field(alias="_id")
    email: str
    name: str = pydantic.Field(max_length=30)
    age: int = pydantic.Field(ge=18, le=65)
    balance: decimal.Decimal
    tier: Tier
    joined_at: datetime.datetime
    birthday: datetime.date | None = None
    token: uuid.UUID
    address: Address
    tags: set[Literal["a", "b", "c"]] = set()
    referrals: list[Customer] = []

    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)


class Event(TypedDict):
    kind: Literal["click", "view"]
    at: datetime.datetime
    score: NotRequired[float]


@dataclasses.dataclass
class Invoice:
    number: str
    total: decimal.Decimal
    paid: bool = False


def _as_model_input(document: dict) -> dict:
    """BSON types back to what the model declares (Decimal128 -> Decimal)."""
    return {k: v.to_decimal() if isinstance(v, bson.Decimal128) else v for k, v in document.items()}


def test_pydantic_model_documents_validate_against_the_model_itself() -> None:
    factory_class = document_factory(Customer)
    assert factory_class._meta.collection == "customers"
    documents = factory_class.build_batch(30)
    assert_valid(schema_of(Customer), documents)
    for document in documents:
        customer = Customer.model_validate(_as_model_input(stored(document)))
        assert 18 <= customer.age <= 65 and len(customer.name) <= 30
        assert customer.referrals == []  # a recursive shape ends empty
        assert 4 <= len(customer.address.postcode) <= 8


def test_typeddict_and_dataclass_documents() -> None:
    for cls in (Event, Invoice):
        documents = document_factory(cls).build_batch(20)
        assert_valid(schema_of(cls), documents)
        adapter = pydantic.TypeAdapter(cls)
        for document in documents:
            adapter.validate_python(_as_model_input(stored(document)))
    assert schema_of(Event)["required"] == ["kind", "at"]
    assert schema_of(Invoice)["required"] == ["number", "total"]


def test_a_module_yields_its_top_level_document_classes(tmp_path: Path) -> None:
    (tmp_path / "shop_docs.py").write_text(
        "import pydantic\n"
        "class Line(pydantic.BaseModel):\n    sku: str\n"
        "class Order(pydantic.BaseModel):\n    lines: list[Line]\n"
        "class Review(pydantic.BaseModel):\n    __collection__ = 'reviews'\n    stars: int\n"
        "class Note(pydantic.BaseModel):\n    text: str\n"
    )
    names = [s.collection for s in load_schemas("shop_docs.py", root=tmp_path)]
    assert names == ["reviews"]  # __collection__ marks the collections when any class has it
    (tmp_path / "plain_docs.py").write_text(
        "import pydantic\n"
        "class Line(pydantic.BaseModel):\n    sku: str\n"
        "class Order(pydantic.BaseModel):\n    lines: list[Line]\n"
    )
    assert [s.collection for s in load_schemas("plain_docs.py", root=tmp_path)] == ["orders"]


# -- schema files and bad input ---------------------------------------------------------------


def test_schema_file_forms(tmp_path: Path) -> None:
    users = {"bsonType": "object", "properties": {"email": {"bsonType": "string"}}}
    (tmp_path / "users.json").write_text(json.dumps({"$jsonSchema": users}))
    (tmp_path / "infos.json").write_text(
        json.dumps([{"name": "orders", "options": {"validator": {"$jsonSchema": users}}}])
    )
    (tmp_path / "many.json").write_text(json.dumps({"a": users, "b": {"$jsonSchema": users}}))
    assert [s.collection for s in load_schemas(tmp_path / "users.json")] == ["users"]
    assert [s.collection for s in load_schemas(tmp_path / "infos.json")] == ["orders"]
    assert [s.collection for s in load_schemas(tmp_path / "many.json")] == ["a", "b"]
    everything = load_schemas(str(tmp_path))  # a folder: every .json file, in name order
    assert [s.collection for s in everything] == ["orders", "a", "b", "users"]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "strng"}, "invalid JSON Schema in s.json at type"),
        ({"properties": {"a": {"bsonType": "strng"}}}, "field users.a: unknown bsonType 'strng'"),
        ({"required": "name"}, "at required: 'name' is not of type 'array'"),
        ({"properties": {"a": {"minLength": 5, "maxLength": 2}}}, "minLength 5 is above maxLength"),
        ({"properties": {"a": {"pattern": "(unclosed"}}}, "at properties.a.pattern"),
        ({"properties": {"a": {"$ref": "#/definitions/nope"}}}, "points at nothing"),
        ({"bsonType": "array"}, "must describe an object"),
    ],
)
def test_invalid_schemas_are_named_precisely(schema: dict, message: str) -> None:
    with pytest.raises(InvalidSchema) as caught:
        read_document_schema(schema, "users", source="s.json")
    assert message in caught.value.message


def test_unreadable_inputs_say_why(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"bsonType": "object",')
    with pytest.raises(FixturekitError, match=r"broken.json is not valid JSON: line 1"):
        load_schemas(tmp_path / "broken.json")
    with pytest.raises(FixturekitError, match="does not exist"):
        load_schemas(tmp_path / "missing.json")

    class Loose(pydantic.BaseModel):
        anything: object

    with pytest.raises(FixturekitError, match=r"Loose.anything: is typed Any"):
        document_factory(Loose)
