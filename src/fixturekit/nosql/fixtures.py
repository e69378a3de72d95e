"""pytest fixtures for MongoDB and Redis: in-memory fakes by default, a real server on request.

Loaded through the `pytest11` entry point `fixturekit_nosql`. Importing it costs nothing: the
drivers and fakes are imported inside the fixtures, and nothing connects anywhere unless a test
asks for one of these fixtures.

    mongo_db              a mongomock database per test; with --fixturekit-mongo-url, the run's
                          own database on that server, emptied after each test
    async_mongo_db        the same data through an async client (mongomock-motor / pymongo)
    redis_client          a fakeredis client per test; with --fixturekit-redis-url, a database
                          index of the run's own, flushed after each test
    async_redis_client    the same keys through redis.asyncio
    redis_client_factory  more clients on the same data, e.g. with decode_responses=True

Document factories (`fixturekit.nosql.DocumentFactory`) insert into the test's `mongo_db`
(and `create_async` into `async_mongo_db`) without being told.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import pytest

from fixturekit.errors import FixturekitError

MONGO_URL = ("--fixturekit-mongo-url", "FIXTUREKIT_MONGO_URL")
REDIS_URL = ("--fixturekit-redis-url", "FIXTUREKIT_REDIS_URL")
REDIS_ALLOW_DB0 = ("--fixturekit-redis-allow-db0", "FIXTUREKIT_REDIS_ALLOW_DB0")
REDIS_ALLOW_NONEMPTY = ("--fixturekit-redis-allow-nonempty", "FIXTUREKIT_REDIS_ALLOW_NONEMPTY")
FAKE_DATABASE = "fixturekit_test"

try:  # async fixtures need pytest-asyncio; without it only the sync fixtures exist
    import pytest_asyncio

    async_fixture: Callable[..., Any] | None = pytest_asyncio.fixture
except ImportError:  # pragma: no cover - pytest-asyncio is in the dev extras
    async_fixture = None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fixturekit-nosql", "fixturekit: MongoDB and Redis fixtures")
    group.addoption(
        MONGO_URL[0],
        default=None,
        metavar="URL",
        help="run mongo_db against this MongoDB server, in a database of the run's own "
        f"(default: mongomock; env {MONGO_URL[1]})",
    )
    group.addoption(
        REDIS_URL[0],
        default=None,
        metavar="URL",
        help="run redis_client against this Redis server and database index, flushed after "
        f"each test; xdist workers take the following indexes (default: fakeredis; env "
        f"{REDIS_URL[1]})",
    )
    group.addoption(
        REDIS_ALLOW_DB0[0],
        action="store_true",
        default=False,
        help=f"allow Redis database index 0 (env {REDIS_ALLOW_DB0[1]}=1)",
    )
    group.addoption(
        REDIS_ALLOW_NONEMPTY[0],
        action="store_true",
        default=False,
        help="allow a Redis database that holds keys at the start; they are flushed "
        f"(env {REDIS_ALLOW_NONEMPTY[1]}=1)",
    )


def _setting(config: pytest.Config, names: tuple[str, str]) -> str | None:
    value = config.getoption(names[0]) or os.environ.get(names[1], "")
    return value.strip() or None


def _flag(config: pytest.Config, names: tuple[str, str]) -> bool:
    env = os.environ.get(names[1], "").strip().lower()
    return bool(config.getoption(names[0])) or env in ("1", "true", "yes", "on")


def worker_id(config: pytest.Config) -> str | None:
    """The xdist worker (`gw0`, ...) running this session; None without xdist.

    Read from the config xdist gives the worker rather than the environment, so a pytest run
    nested inside a worker (pytester) does not think it is one.
    """
    workerinput = getattr(config, "workerinput", None)
    return workerinput.get("workerid") if workerinput else None


def worker_index(config: pytest.Config) -> int:
    worker = worker_id(config)
    return int(worker[2:]) if worker and worker[2:].isdigit() else 0


def _abort(request: pytest.FixtureRequest, exc: FixturekitError) -> NoReturn:
    """Fail with the message alone and stop the run: every later test would fail the same."""
    message = exc.message + (f"\n{exc.hint}" if exc.hint else "")
    request.session.shouldstop = f"fixturekit: {exc.message}"
    pytest.fail(message, pytrace=False)


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result


# -- Redis ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fixturekit_redis_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The real Redis database of this run, or None when tests use fakeredis."""
    url = _setting(request.config, REDIS_URL)
    if url is None:
        yield None
        return
    from fixturekit.nosql.redis import RedisTestDatabase

    problem = None
    try:
        target = RedisTestDatabase(
            url,
            offset=worker_index(request.config),
            allow_db0=_flag(request.config, REDIS_ALLOW_DB0),
            allow_nonempty=_flag(request.config, REDIS_ALLOW_NONEMPTY),
        )
        target.open()
    except FixturekitError as exc:
        problem = exc
    if problem is not None:
        _abort(request, problem)  # outside `except`: no "during handling" chain in the report
    try:
        yield target
    finally:
        target.close()


@pytest.fixture
def _fixturekit_redis(fixturekit_redis_server: Any) -> Iterator[tuple[Callable, Callable]]:
    """(sync client maker, async client maker) over this test's data; flushed afterwards."""
    if fixturekit_redis_server is None:
        from fixturekit.nosql.redis import fake_clients

        yield fake_clients()  # a new in-memory server: discarded with the test
        return
    try:
        yield fixturekit_redis_server.client, fixturekit_redis_server.async_client
    finally:
        fixturekit_redis_server.flush()


@pytest.fixture
def redis_client_factory(_fixturekit_redis: tuple[Callable, Callable]) -> Iterator[Callable]:
    """Make more sync clients on the test's data: `redis_client_factory(decode_responses=True)`."""
    made: list[Any] = []

    def make(**kwargs: Any) -> Any:
        client = _fixturekit_redis[0](**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def redis_client(redis_client_factory: Callable) -> Any:
    """A Redis client on this test's own data (fakeredis unless a server URL is given)."""
    return redis_client_factory()


# -- MongoDB ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fixturekit_mongo_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The run's own database on a real MongoDB server, or None when tests use mongomock."""
    url = _setting(request.config, MONGO_URL)
    if url is None:
        yield None
        return
    from fixturekit.nosql.mongo import MongoTestDatabase

    problem = None
    try:
        target = MongoTestDatabase(url, worker=worker_id(request.config))
        target.open()
    except FixturekitError as exc:
        problem = exc
    if problem is not None:
        _abort(request, problem)
    try:
        yield target
    finally:
        target.close()


@pytest.fixture
def _fixturekit_mongo(fixturekit_mongo_server: Any) -> Iterator[Any]:
    """This test's sync database: a fresh mongomock one, or the run's real one, cleaned after."""
    if fixturekit_mongo_server is None:
        from fixturekit.nosql.mongo import fake_client

        client = fake_client()
        try:
            yield client[FAKE_DATABASE]
        finally:
            client.close()
        return
    before = fixturekit_mongo_server.snapshot()
    try:
        yield fixturekit_mongo_server.database()
    finally:
        fixturekit_mongo_server.after_test(before)


@pytest.fixture
def mongo_db(_fixturekit_mongo: Any) -> Iterator[Any]:
    """A MongoDB database for this test; document factories insert into it."""
    from fixturekit.nosql.documents import bind_database

    with bind_database(_fixturekit_mongo):
        yield _fixturekit_mongo


if async_fixture is not None:

    @async_fixture
    async def async_redis_client(_fixturekit_redis: tuple[Callable, Callable]) -> Any:
        """An asyncio Redis client on the same data as `redis_client`."""
        client = _fixturekit_redis[1]()
        try:
            yield client
        finally:
            await client.aclose()

    @async_fixture
    async def _fixturekit_async_mongo_client(
        _fixturekit_mongo: Any, fixturekit_mongo_server: Any
    ) -> Any:
        from fixturekit.nosql import mongo

        if fixturekit_mongo_server is None:
            # Over the sync fake's own client, so mongo_db and async_mongo_db share the data.
            yield mongo.fake_async_client(_fixturekit_mongo.client)
            return
        client = mongo.real_async_client(fixturekit_mongo_server.url)
        try:
            yield client
        finally:
            await _maybe_await(client.close())

    @pytest.fixture
    def async_mongo_db(
        _fixturekit_async_mongo_client: Any, _fixturekit_mongo: Any
    ) -> Iterator[Any]:
        """The test's database through an async client; `create_async()` inserts into it.

        A plain fixture over the async client, so binding factories happens in the test's own
        context whatever the event loop's scope.
        """
        from fixturekit.nosql.documents import bind_database

        database = _fixturekit_async_mongo_client[_fixturekit_mongo.name]
        with bind_database(database, is_async=True):
            yield database
