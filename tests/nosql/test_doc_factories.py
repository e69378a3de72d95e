"""Document factories: inserting into the bound database, generated code, the CLI."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import factory
import factory.random
import mongomock
import pytest
from click.testing import CliRunner
from mongomock_motor import AsyncMongoMockClient
from nosql_helpers import assert_valid

from fixturekit import document_factory
from fixturekit.cli import _register, cli
from fixturekit.codegen.files import edited_by_hand
from fixturekit.errors import FixturekitError
from fixturekit.nosql import MISSING, DocumentFactory, bind_database


def run(*args: str):
    _register()
    return CliRunner().invoke(cli, list(args))


SCHEMA = {
    "$jsonSchema": {
        "bsonType": "object",
        "required": ["_id", "email", "plan"],
        "properties": {
            "_id": {"bsonType": "objectId"},
            "email": {"bsonType": "string"},
            "plan": {"enum": ["free", "pro"]},
            "nickname": {"bsonType": ["string", "null"]},
            "visits": {"bsonType": "long", "minimum": 0, "maximum": 10},
            "address": {"bsonType": "object", "properties": {"city": {"bsonType": "string"}}},
            "first-name": {"bsonType": "string"},
        },
    }
}


@pytest.fixture
def db() -> mongomock.Database:
    return mongomock.MongoClient().shop


def test_create_inserts_into_the_bound_database(db: mongomock.Database) -> None:
    users = document_factory({"users": SCHEMA})
    with bind_database(db):
        one = users.create()
        batch = users.create_batch(5, plan="pro")
    assert db.users.count_documents({}) == 6
    assert db.users.find_one({"_id": one["_id"]})["email"] == one["email"]
    assert {d["plan"] for d in batch} == {"pro"}
    assert db.users.count_documents({"plan": "pro"}) >= 5
    assert_valid(SCHEMA, list(db.users.find()))


def test_keys_that_are_not_identifiers_and_leaving_keys_out(db: mongomock.Database) -> None:
    users = document_factory({"users": SCHEMA}, database=db)
    document = users(_id=42, nickname=MISSING)
    assert document["_id"] == 42 and "nickname" not in document
    assert "first-name" in document and "first_name_" not in document
    assert users.build(address__city="Lyon")["address"]["city"] == "Lyon"


def test_without_a_database_the_error_says_what_to_do() -> None:
    users = document_factory({"users": SCHEMA})
    assert "email" in users.build()  # building needs no database
    with pytest.raises(FixturekitError, match="no database to insert into") as caught:
        users.create()
    assert "mongo_db" in caught.value.hint


async def test_async_creation_and_the_sync_misuse_message(db: mongomock.Database) -> None:
    users = document_factory({"users": SCHEMA})
    async_db = AsyncMongoMockClient(mock_mongo_client=db.client)[db.name]
    with bind_database(async_db, is_async=True):
        await users.create_async()
        await users.create_batch_async(3)
    assert db.users.count_documents({}) == 4
    with bind_database(async_db), pytest.raises(FixturekitError, match="create_async"):
        users.create()


def _import(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generate_writes_a_module_equal_to_the_runtime_factories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("users.json").write_text(json.dumps(SCHEMA))
    out = tmp_path / "tests" / "documents.py"
    result = run("generate", "--mongo", "users.json", "-o", "tests/documents.py")
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "class UserFactory(DocumentFactory):" in text and 'rename = {"id_": "_id"' in text
    assert not edited_by_hand(text)
    lint = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--line-length",
            "100",
            "--select",
            "E,F,W,I",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout
    generated = _import(out, "generated_documents").FACTORIES["users"]
    runtime = document_factory({"users": SCHEMA})
    for name in ("email", "plan", "visits", "address"):
        assert type(generated._meta.declarations[name]) is type(runtime._meta.declarations[name])
    factory.random.reseed_random(3)
    first = generated.build()
    factory.random.reseed_random(3)
    second = runtime.build()
    first.pop("_id"), second.pop("_id")  # ObjectIds are unique by design
    assert first == second


def test_regeneration_keeps_the_users_region_and_check_mode(tmp_path: Path) -> None:
    schema_path = tmp_path / "users.json"
    schema_path.write_text(json.dumps(SCHEMA))
    out = tmp_path / "documents.py"
    args = ["generate", "--mongo", str(schema_path), "-o", str(out)]
    assert run(*args).exit_code == 0
    text = out.read_text().replace(
        "# FACTORIES below picks up", 'class UserFactory(UserFactory):\n    plan = "pro"\n#'
    )
    out.write_text(text)
    changed = json.loads(json.dumps(SCHEMA))
    changed["$jsonSchema"]["properties"]["age"] = {"bsonType": "int", "minimum": 18}
    schema_path.write_text(json.dumps(changed))
    check = run(*args, "--check")
    assert check.exit_code == 1 and "+    age = " in check.output
    result = run(*args)
    assert result.exit_code == 0 and "UserFactory.age" in result.output
    module = _import(out, "regenerated_documents")
    assert module.FACTORIES["users"].build()["plan"] == "pro"
    assert "age" in module.FACTORIES["users"].build()


def test_cli_bad_schema_is_one_message_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"properties": {"age": {"bsonType": "integer"}}}))
    result = run("generate", "--mongo", str(bad))
    assert result.exit_code == 2
    assert "unknown bsonType 'integer'" in result.output and "Traceback" not in result.output


def test_a_hand_written_document_factory(db: mongomock.Database) -> None:
    class EventFactory(DocumentFactory):
        class Meta:
            collection = "events"
            database = db

        kind = factory.Iterator(["click", "view"])

    EventFactory.create_batch(4)
    assert [e["kind"] for e in db.events.find()] == ["click", "view", "click", "view"]
