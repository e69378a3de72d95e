"""A MongoDB database owned by the test run on a real server, and the in-memory default.

The run never writes to the database named in the URL: it creates one of its own
(`fixturekit_<run>_<worker>`), empties it after every test and drops it at the end. Only
standard pymongo calls are used here, so the same code runs against mongomock in fixturekit's
own tests (no MongoDB server can be installed where they run).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from fixturekit.errors import FixturekitError, UnsafeDatabase
from fixturekit.nosql.urls import first_line, redact, require_scheme

SCHEMES = ("mongodb", "mongodb+srv")
PREFIX = "fixturekit_"
CONNECT_TIMEOUT_MS = 5000


def check_mongo_url(url: str) -> str:
    """The database the URL names ('' when none); raises on a URL that is not MongoDB's."""
    parts = require_scheme(url, SCHEMES, "MongoDB")
    if not parts.netloc.rpartition("@")[2]:
        raise FixturekitError(f"MongoDB URL {redact(url)} names no host")
    return unquote(parts.path.lstrip("/"))


def connect_options(url: str) -> dict[str, Any]:
    """A short server-selection timeout, unless the URL sets its own."""
    if "serverselectiontimeoutms=" in url.lower():
        return {}
    return {"serverSelectionTimeoutMS": CONNECT_TIMEOUT_MS}


def run_database_name(worker: str | None = None, token: str | None = None) -> str:
    """A database name of the run's own: unique per run and per xdist worker."""
    token = token or secrets.token_hex(4)
    return f"{PREFIX}{token}_{worker}" if worker else f"{PREFIX}{token}"


class MongoTestDatabase:
    """The run's own database on the server at `url`.

    `client_factory` makes the client (pymongo.MongoClient by default); fixturekit's tests pass
    mongomock's client, which has the same API, to exercise this path without a server.
    """

    def __init__(
        self,
        url: str,
        *,
        worker: str | None = None,
        client_factory: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> None:
        self.url = url
        self.url_database = check_mongo_url(url)
        self.name = name or run_database_name(worker)
        if self.name == self.url_database:
            raise UnsafeDatabase(
                f"the test database {self.name!r} is the one named in {self.display}; "
                "fixturekit only drops databases it created"
            )
        self._client_factory = client_factory
        self.client: Any = None

    @property
    def display(self) -> str:
        return redact(self.url)

    def open(self) -> Any:
        """Connect and check the server answers; returns the run's database."""
        factory = self._client_factory
        if factory is None:
            import pymongo

            factory = pymongo.MongoClient
        try:
            self.client = factory(self.url, **connect_options(self.url))
            self.client.admin.command("ping")
        except Exception as exc:  # pymongo raises several unrelated types for one cause
            if self.client is not None:
                self.client.close()
                self.client = None
            raise FixturekitError(
                f"cannot use MongoDB at {self.display}: {first_line(exc, self.url)}",
                hint="Start the server or fix --fixturekit-mongo-url / FIXTUREKIT_MONGO_URL; "
                "without either, tests use mongomock.",
            ) from None
        return self.database()

    def database(self) -> Any:
        if self.client is None:
            raise RuntimeError("database() before open()")
        return self.client[self.name]

    def snapshot(self) -> set[str]:
        """The collections that exist now (created by session-wide setup, if any)."""
        return set(self.database().list_collection_names())

    def after_test(self, before: set[str]) -> None:
        """Drop the collections the test created; empty the ones that existed before it.

        Collections made by session-wide setup keep their indexes and validators, so the next
        test starts from the same structure with no documents.
        """
        db = self.database()
        for name in db.list_collection_names():
            if name in before:
                db[name].delete_many({})
            else:
                db.drop_collection(name)

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.drop_database(self.name)
        finally:
            self.client.close()
            self.client = None


def fake_client() -> Any:
    """A fresh in-memory server: nothing is shared with any other test."""
    import mongomock

    return mongomock.MongoClient()


def fake_async_client(sync_client: Any) -> Any:
    """An async client over the same in-memory data as `sync_client`."""
    from mongomock_motor import AsyncMongoMockClient

    return AsyncMongoMockClient(mock_mongo_client=sync_client)


def real_async_client(url: str) -> Any:
    """pymongo's own async client, or motor on older pymongo."""
    try:
        from pymongo import AsyncMongoClient
    except ImportError:  # pymongo < 4.9
        from motor.motor_asyncio import AsyncIOMotorClient as AsyncMongoClient
    return AsyncMongoClient(url, **connect_options(url))
