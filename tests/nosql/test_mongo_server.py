"""The real-server MongoDB path (run-owned database, cleanup, seeding) over mongomock's client.

No MongoDB server can run here; mongomock's client has pymongo's API, so the code that talks to
a server runs unchanged against it. Unreachable-server cases use the real pymongo client.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mongomock
import pytest
from click.testing import CliRunner

from fixturekit.cli import _register, cli
from fixturekit.errors import FixturekitError, UnsafeDatabase
from fixturekit.nosql import mongo as mongo_module
from fixturekit.nosql import seed as seed_module
from fixturekit.nosql.mongo import MongoTestDatabase
from fixturekit.nosql.seed import seed_collections
from fixturekit.nosql.sources import load_schemas

URL = "mongodb://app:s3cret@db.internal:27017/app"
USERS = {
    "bsonType": "object",
    "required": ["email", "role", "active", "orders"],
    "properties": {
        "email": {"bsonType": "string"},
        "role": {"enum": ["customer", "premium", "admin"]},
        "active": {"bsonType": "bool"},
        "age": {"bsonType": "int", "minimum": 18, "maximum": 99},
        "orders": {
            "bsonType": "array",
            "items": {"bsonType": "object", "properties": {"total": {"bsonType": "decimal"}}},
        },
    },
}


@pytest.fixture
def server() -> Any:
    """One in-memory 'server' every client made by the code under test connects to."""
    return mongomock.MongoClient()


@pytest.fixture
def client_factory(server: Any):
    def connect(url: str, **kwargs: Any) -> Any:
        return mongomock.MongoClient(url, _store=server._store, **kwargs)

    return connect


def test_the_run_uses_a_database_of_its_own_and_drops_it(server: Any, client_factory) -> None:
    server.app.keep.insert_one({"precious": True})
    target = MongoTestDatabase(URL, worker="gw1", client_factory=client_factory)
    assert target.name.startswith("fixturekit_") and target.name.endswith("_gw1")
    db = target.open()
    db.things.insert_one({"a": 1})
    assert target.name in server.list_database_names()
    target.close()
    assert target.name not in server.list_database_names()
    assert server.app.keep.count_documents({}) == 1  # the URL's database is never touched
    with pytest.raises(UnsafeDatabase, match="the one named in"):
        MongoTestDatabase(URL, name="app")


def test_after_each_test_new_collections_go_and_setup_collections_are_emptied(
    client_factory,
) -> None:
    target = MongoTestDatabase(URL, client_factory=client_factory)
    db = target.open()
    db.users.create_index("email", unique=True)  # session-wide setup
    before = target.snapshot()
    db.users.insert_one({"email": "a@example.org"})
    db.orders.insert_one({"total": 3})
    target.after_test(before)
    assert db.list_collection_names() == ["users"]
    assert db.users.count_documents({}) == 0
    assert "email_1" in db.users.index_information()
    target.close()


def test_unreachable_server_message_hides_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mongo_module, "CONNECT_TIMEOUT_MS", 200)
    with pytest.raises(FixturekitError) as caught:
        MongoTestDatabase("mongodb://app:s3cret@127.0.0.1:1/app").open()
    message = str(caught.value)
    assert "cannot use MongoDB at mongodb://app:***@127.0.0.1:1/app" in message
    assert "s3cret" not in message
    with pytest.raises(FixturekitError, match="must start with one of mongodb://"):
        MongoTestDatabase("postgres://h/db")


class _CountingDatabase:
    def __init__(self, db: Any) -> None:
        self.db, self.calls = db, []

    def __getitem__(self, name: str) -> Any:
        collection = self.db[name]
        calls = self.calls

        class Collection:
            def insert_many(self, documents: list, ordered: bool = True) -> Any:
                calls.append((name, len(documents)))
                return collection.insert_many(documents, ordered=ordered)

        return Collection()


def test_seeding_inserts_in_batches_with_distributions() -> None:
    db = mongomock.MongoClient().shop
    counting = _CountingDatabase(db)
    settings = {
        "users": {
            "role": {"customer": 80, "premium": 15, "admin": 5},
            "active": 0.9,
            "age": [20, 30],
            "orders": [0, 5],
        }
    }
    results = seed_collections(
        counting,
        load_schemas({"users": USERS}),
        {"users": 2500},
        settings=settings,
        batch_size=1000,
        seed=11,
    )
    assert [(r.collection, r.inserted) for r in results] == [("users", 2500)]
    assert counting.calls == [("users", 1000), ("users", 1000), ("users", 500)]
    documents = list(db.users.find())
    share = sum(d["role"] == "customer" for d in documents) / len(documents)
    active = sum(d["active"] for d in documents) / len(documents)
    assert 0.75 < share < 0.85 and 0.86 < active < 0.94
    assert all(20 <= d["age"] <= 30 for d in documents)
    assert {len(d["orders"]) for d in documents} == {0, 1, 2, 3, 4, 5}


def test_seeding_rejects_unknown_collections_and_fields() -> None:
    db = mongomock.MongoClient().shop
    schemas = load_schemas({"users": USERS})
    with pytest.raises(FixturekitError, match="--rows names posts"):
        seed_collections(db, schemas, {"posts": 1})
    with pytest.raises(FixturekitError, match="has no such field"):
        seed_collections(db, schemas, {"users": 1}, settings={"users": {"nope": 1}})


def test_seed_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server, client_factory):
    monkeypatch.setattr(seed_module, "CLIENT_FACTORY", client_factory)
    (tmp_path / "users.json").write_text(json.dumps({"$jsonSchema": USERS}))
    (tmp_path / "seed.toml").write_text("[users]\nrole = {admin = 1}\n")
    _register()
    args = [
        "seed",
        "--mongo",
        str(tmp_path / "users.json"),
        "--url",
        URL,
        "--rows",
        "users=30",
        "--config",
        str(tmp_path / "seed.toml"),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "users: inserted 30 documents" in result.output and "s3cret" not in result.output
    assert server.app.users.count_documents({"role": "admin"}) == 30

    bad_rows = CliRunner().invoke(cli, [*args[:5], "--rows", "users"])
    assert bad_rows.exit_code == 2 and "write collection=count" in bad_rows.output
    no_db = CliRunner().invoke(cli, [*args[:3], "--url", "mongodb://h:1", "--rows", "users=1"])
    assert no_db.exit_code == 2 and "names no database to seed" in no_db.output
    assert "Traceback" not in bad_rows.output + no_db.output


ORDERS = {
    "$jsonSchema": {
        "bsonType": "object",
        "required": ["user_id", "total"],
        "properties": {
            "user_id": {"bsonType": "objectId"},
            "coupon_id": {"bsonType": "objectId"},
            "total": {"bsonType": "decimal", "minimum": 1, "maximum": 500},
        },
    }
}


def test_seeding_draws_references_from_the_collection_they_name() -> None:
    db = mongomock.MongoClient().shop
    schemas = load_schemas({"orders": ORDERS, "users": USERS})
    results = seed_collections(db, schemas, {"orders": 300, "users": 40}, seed=5)
    assert [r.collection for r in results] == ["users", "orders"]  # referenced ones first
    user_ids = {d["_id"] for d in db.users.find()}
    orders = list(db.orders.find())
    assert len(user_ids) == 40 and len(orders) == 300
    assert all(o["user_id"] in user_ids for o in orders)
    assert len({o["user_id"] for o in orders}) > 20  # spread over the users
    assert not any(o.get("coupon_id") in user_ids for o in orders)  # no coupons collection
