"""The pytest fixtures seen from a user's suite (pytester): isolation, real Redis, refusals."""

from __future__ import annotations

import subprocess
import sys

import pytest
import redis

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""

SUITE = """
from fixturekit import document_factory

Users = document_factory({"users": {"properties": {"email": {"bsonType": "string"}}}})


def test_a_writes(mongo_db, redis_client):
    Users.create_batch(3)
    redis_client.set("k", "v")
    assert mongo_db.users.count_documents({}) == 3


def test_b_starts_empty(mongo_db, redis_client):
    assert mongo_db.list_collection_names() == []
    assert redis_client.dbsize() == 0


async def test_c_async_writes(async_mongo_db, async_redis_client, mongo_db, redis_client):
    await Users.create_async()
    await async_redis_client.set("k2", "v")
    assert mongo_db.users.count_documents({}) == 1  # one database behind both clients
    assert redis_client.get("k2") == b"v"


def test_d_starts_empty(mongo_db, redis_client):
    assert mongo_db.list_collection_names() == []
    assert redis_client.dbsize() == 0
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in ("FIXTUREKIT_MONGO_URL", "FIXTUREKIT_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeini(INI)
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def test_each_test_starts_empty_with_the_fakes(suite: pytest.Pytester) -> None:
    suite.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_each_test_starts_empty_on_real_redis(
    suite: pytest.Pytester, redis_available: str, scratch_redis_db: int
) -> None:
    url = f"{redis_available}/{scratch_redis_db}"
    suite.runpytest("-p", "no:cacheprovider", "--fixturekit-redis-url", url).assert_outcomes(
        passed=4
    )
    assert redis.Redis.from_url(url).dbsize() == 0  # flushed at the end of the run too


def test_refusals_stop_the_run_with_a_message_and_no_traceback(
    suite: pytest.Pytester,
    redis_available: str,
    scratch_redis_db: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = suite.runpytest("--fixturekit-redis-url", f"{redis_available}/0")
    result.stdout.fnmatch_lines(["*will not do that to index 0*"])
    result.assert_outcomes(errors=1)  # the run stops after the first refusal

    url = f"{redis_available}/{scratch_redis_db}"
    redis.Redis.from_url(url).set("someone-elses", "data")
    monkeypatch.setenv("FIXTUREKIT_REDIS_URL", url)
    result = suite.runpytest()
    result.stdout.fnmatch_lines(["*already holds 1 keys*"])
    assert redis.Redis.from_url(url).get("someone-elses") == b"data"  # left alone

    monkeypatch.delenv("FIXTUREKIT_REDIS_URL")
    bad_mongo = "mongodb://app:hunter2@127.0.0.1:1/app?serverSelectionTimeoutMS=200"
    result = suite.runpytest("--fixturekit-mongo-url", bad_mongo)
    result.stdout.fnmatch_lines(["*cannot use MongoDB at mongodb://app:***@127.0.0.1:1/app*"])
    output = result.stdout.str()
    assert "hunter2" not in output and "Traceback" not in output


def test_the_plugin_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, fixturekit.nosql.fixtures\n"
        "heavy = {'mongomock', 'fakeredis', 'redis', 'pymongo', 'bson', 'factory'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
