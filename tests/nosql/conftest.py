"""Helpers for the document-store and cache tests.

Real-Redis tests use database indexes 12-15 of the server at FIXTUREKIT_TEST_REDIS_URL
(default 127.0.0.1:6379), one per xdist worker, so parallel workers never flush each other's
keys. Those indexes are reserved for fixturekit's own tests and emptied before and after use.
No MongoDB server exists where these tests run: the real-server code path is exercised with
mongomock's client, which has the same API.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

REDIS_BASE_URL = os.environ.get("FIXTUREKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture(scope="session")
def redis_available() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_BASE_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_BASE_URL} is not reachable ({exc}); CI needs it")
        pytest.skip(f"Redis at {REDIS_BASE_URL} is not reachable ({exc})")
    finally:
        client.close()
    return REDIS_BASE_URL


@pytest.fixture
def scratch_redis_db(redis_available: str, worker_id: str) -> Iterator[int]:
    """A real Redis database index of this xdist worker's own, empty before and after."""
    import redis

    number = int(worker_id[2:]) if worker_id.startswith("gw") else 0
    index = 15 - number
    if index < 12:
        pytest.skip("only four Redis indexes are reserved for parallel test workers")
    client = redis.Redis.from_url(f"{redis_available}/{index}")
    client.flushdb()
    try:
        yield index
    finally:
        client.flushdb()
        client.close()
