"""A real Redis database index owned by the test run, and the in-memory stand-in for it.

A test run writes to exactly one Redis database index (one per xdist worker) and flushes it
after every test. Because FLUSHDB would destroy whatever else lives there, the run refuses
index 0 (where applications keep their data by default) and any index that already holds keys,
unless the user says otherwise.

Nothing in the real-server path uses fakeredis; `fake_clients` is the only fake-specific code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from fixturekit.errors import FixturekitError, UnsafeDatabase
from fixturekit.nosql.urls import first_line, redact, require_scheme

if TYPE_CHECKING:
    import redis
    import redis.asyncio

SCHEMES = ("redis", "rediss", "unix")


@dataclass(frozen=True)
class RedisUrl:
    """A parsed `--fixturekit-redis-url`: the URL as given and the database index it names."""

    url: str
    db: int
    db_given: bool

    @property
    def display(self) -> str:
        return redact(self.url)

    def with_db(self, db: int) -> str:
        """The same server URL pointing at database `db` (path for TCP, `?db=` for sockets)."""
        parts = require_scheme(self.url, SCHEMES, "Redis")
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "db"]
        if parts.scheme == "unix":
            query.append(("db", str(db)))
            return parts._replace(query=urlencode(query)).geturl()
        return parts._replace(path=f"/{db}", query=urlencode(query)).geturl()


def parse_redis_url(url: str) -> RedisUrl:
    parts = require_scheme(url, SCHEMES, "Redis")
    query = dict(parse_qsl(parts.query))
    raw: str | None = query.get("db")
    if raw is None and parts.scheme != "unix":
        raw = parts.path.strip("/") or None
    if raw is None:
        return RedisUrl(url, 0, db_given=False)
    try:
        db = int(raw)
    except ValueError:
        raise FixturekitError(
            f"the database index in Redis URL {redact(url)} is {raw!r}, not a number",
            hint="Write it as the path, e.g. redis://127.0.0.1:6379/15.",
        ) from None
    if db < 0:
        raise FixturekitError(f"the database index in Redis URL {redact(url)} is negative")
    return RedisUrl(url, db, db_given=True)


class RedisTestDatabase:
    """The database index a test run (or one xdist worker of it) uses on a real server.

    `offset` moves the index by the xdist worker number, so parallel workers never flush each
    other's keys: `redis://host/13` gives gw0 index 13, gw1 index 14, and so on.
    """

    def __init__(
        self,
        url: str,
        *,
        offset: int = 0,
        allow_db0: bool = False,
        allow_nonempty: bool = False,
    ) -> None:
        self.parsed = parse_redis_url(url)
        self.offset = offset
        self.allow_db0 = allow_db0
        self.allow_nonempty = allow_nonempty
        self.db = self.parsed.db + offset
        self._client: redis.Redis | None = None

    @property
    def url(self) -> str:
        """The URL of the run's own database (with the password: for clients, never printed)."""
        return self.parsed.with_db(self.db)

    @property
    def display(self) -> str:
        return redact(self.url)

    def _refuse_db0(self) -> None:
        if self.parsed.db != 0 or self.allow_db0:
            return
        named = "names database 0" if self.parsed.db_given else "names no database (so 0)"
        raise UnsafeDatabase(
            f"Redis URL {self.parsed.display} {named}; fixturekit flushes its database after "
            "every test and will not do that to index 0, where applications keep data by default",
            hint="Name an unused index, e.g. redis://127.0.0.1:6379/15, or pass "
            "--fixturekit-redis-allow-db0 (FIXTUREKIT_REDIS_ALLOW_DB0=1) if 0 is truly scratch.",
        )

    def open(self) -> redis.Redis:
        """Connect, check the index is usable and empty, and return a client on it."""
        import redis

        self._refuse_db0()
        client = redis.Redis.from_url(self.url)
        try:
            client.ping()
            size = client.dbsize()
        except redis.AuthenticationError as exc:
            client.close()
            raise FixturekitError(
                f"Redis at {self.display} rejected the credentials: {first_line(exc, self.url)}"
            ) from None
        except redis.ResponseError as exc:
            client.close()
            # SELECT of an index past `databases` fails with "DB index is out of range".
            raise FixturekitError(
                f"Redis at {self.display} refused database {self.db}: {first_line(exc, self.url)}",
                hint="The server's `databases` setting limits the indexes; under pytest-xdist "
                "each worker takes the next index after the one in the URL.",
            ) from None
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            client.close()
            raise FixturekitError(
                f"cannot reach Redis at {self.display}: {first_line(exc, self.url)}",
                hint="Start the server or fix --fixturekit-redis-url / FIXTUREKIT_REDIS_URL; "
                "without either, tests use fakeredis.",
            ) from None
        if size and not self.allow_nonempty:
            client.close()
            raise UnsafeDatabase(
                f"Redis database {self.db} at {self.display} already holds {size} keys; "
                "fixturekit flushes its database after every test, so it only starts on an "
                "empty one",
                hint="Point the URL at an unused index, or pass --fixturekit-redis-allow-nonempty "
                "(FIXTUREKIT_REDIS_ALLOW_NONEMPTY=1) to let the run flush it.",
            )
        self._client = client
        return client

    def client(self, **kwargs: Any) -> redis.Redis:
        import redis

        return redis.Redis.from_url(self.url, **kwargs)

    def async_client(self, **kwargs: Any) -> redis.asyncio.Redis:
        import redis.asyncio

        return redis.asyncio.Redis.from_url(self.url, **kwargs)

    def flush(self) -> None:
        if self._client is None:
            raise RuntimeError("flush() before open()")
        self._client.flushdb()

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.flushdb()
            finally:
                self._client.close()
                self._client = None


def fake_clients() -> tuple[Any, Any]:
    """A fresh in-memory server: (sync factory, async factory) of clients sharing its data.

    Each call is a new server, so tests never see each other's keys; the sync and async clients
    of one test see the same keys, as they would against a real server.
    """
    import fakeredis

    server = fakeredis.FakeServer()

    def sync_client(**kwargs: Any) -> Any:
        return fakeredis.FakeRedis(server=server, **kwargs)

    def async_client(**kwargs: Any) -> Any:
        return fakeredis.FakeAsyncRedis(server=server, **kwargs)

    return sync_client, async_client
