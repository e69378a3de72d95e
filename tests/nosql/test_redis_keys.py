"""Redis: seeding keys of every type, and the run's own database on a real server."""

from __future__ import annotations

import factory
import fakeredis
import pytest
import redis

from fixturekit.errors import FixturekitError, UnsafeDatabase
from fixturekit.nosql import from_factory, key, seed_redis, seed_redis_async
from fixturekit.nosql.redis import RedisTestDatabase, parse_redis_url


class SessionFactory(factory.DictFactory):
    user = factory.Sequence(lambda n: f"user{n}")
    ip = factory.Faker("ipv4")
    admin = False
    note = None  # left out of a hash: Redis has no NULL


class ScoreFactory(factory.DictFactory):
    name = factory.Sequence(lambda n: f"player{n}")
    points = factory.Sequence(lambda n: n * 10)


SPEC = {
    "greeting": "hello",
    "counter": 7,
    "user:1": {"name": "Ada", "tags": ["x", "y"]},
    "queue": ["a", "b", "a"],
    "colours": {"red", "blue"},
    "board": key("zset", {"ada": 10, "bob": 7}),
    "events": key("stream", [{"kind": "login"}, {"kind": "logout"}]),
    "cache": key("string", "v", ttl=60),
    "raw": {"type": "hash", "value": {"type": "admin"}},  # an entry spec, not a hash literal
    "plain": {"type": "admin", "level": 3},  # a hash that happens to have a "type" field
}


def _check_every_type(client: redis.Redis) -> None:
    assert client.get("greeting") == b"hello" and client.get("counter") == b"7"
    assert client.hgetall("user:1") == {b"name": b"Ada", b"tags": b'["x", "y"]'}
    assert client.lrange("queue", 0, -1) == [b"a", b"b", b"a"]
    assert client.smembers("colours") == {b"red", b"blue"}
    assert client.zrange("board", 0, -1, withscores=True) == [(b"bob", 7.0), (b"ada", 10.0)]
    assert [fields for _, fields in client.xrange("events")] == [
        {b"kind": b"login"},
        {b"kind": b"logout"},
    ]
    assert 0 < client.ttl("cache") <= 60
    assert client.hgetall("raw") == {b"type": b"admin"}
    assert client.hgetall("plain") == {b"type": b"admin", b"level": b"3"}
    types = {k: client.type(k) for k in ("greeting", "user:1", "queue", "colours", "board")}
    assert types == {
        "greeting": b"string",
        "user:1": b"hash",
        "queue": b"list",
        "colours": b"set",
        "board": b"zset",
    }
    assert client.type("events") == b"stream"


def test_a_spec_seeds_every_key_type_and_seeding_twice_is_the_same() -> None:
    client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    assert seed_redis(client, SPEC) == list(SPEC)
    seed_redis(client, SPEC)  # lists are replaced, not appended to
    _check_every_type(client)


def test_keys_from_factories() -> None:
    client = fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
    spec = {
        **from_factory(SessionFactory, "session:{n}", 3, ttl=30),
        "board": key("zset", factory=ScoreFactory, size=4, score="points", member="name"),
        "log": key("stream", factory=SessionFactory, size=2),
        "latest": key("string", factory=SessionFactory),
    }
    keys = seed_redis(client, spec)
    assert keys == ["session:1", "session:2", "session:3", "board", "log", "latest"]
    session = client.hgetall("session:2")
    assert set(session) == {"user", "ip", "admin"} and session["admin"] == "false"
    assert client.zcard("board") == 4 and client.xlen("log") == 2
    assert '"ip"' in client.get("latest")


async def test_async_seeding() -> None:
    client = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    await seed_redis_async(client, {"a": "1", "b": ["x"]})
    assert await client.get("a") == b"1" and await client.lrange("b", 0, -1) == [b"x"]
    await client.aclose()


@pytest.mark.parametrize(
    ("make_spec", "message"),
    [
        (lambda: {"k": key("zset", factory=ScoreFactory)}, "needs score="),
        (lambda: {"k": key("list", [1], count=2)}, "no {n} to number it"),
        (lambda: {"k": key("bitmap", 1)}, "unknown Redis key type 'bitmap'"),
        (lambda: {"k": key("hash", "text")}, "needs a mapping"),
        (lambda: {"k": None}, "has no value"),
    ],
)
def test_bad_specs_say_what_is_wrong(make_spec, message: str) -> None:
    client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    with pytest.raises(FixturekitError, match=message):
        seed_redis(client, make_spec())
    assert client.dbsize() == 0


# -- the run's database on a real server ------------------------------------------------------


def test_urls_and_worker_offsets_without_a_server() -> None:
    assert parse_redis_url("redis://h:6379/13").db == 13
    assert parse_redis_url("redis://h:6379?db=4").db == 4
    assert parse_redis_url("redis://h:6379").db_given is False
    target = RedisTestDatabase("redis://:pw@h:6379/12", offset=2)
    assert target.db == 14 and target.url == "redis://:pw@h:6379/14"
    assert target.display == "redis://:***@h:6379/14"
    with pytest.raises(FixturekitError, match="must start with one of redis://"):
        parse_redis_url("http://h/1")


def test_index_zero_is_refused_unless_allowed(redis_available: str) -> None:
    for url in (redis_available, f"{redis_available}/0"):
        with pytest.raises(UnsafeDatabase, match="will not do that to index 0"):
            RedisTestDatabase(url).open()


def test_a_non_empty_database_is_refused_unless_allowed(
    redis_available: str, scratch_redis_db: int
) -> None:
    url = f"{redis_available}/{scratch_redis_db}"
    redis.Redis.from_url(url).set("someone-elses", "data")
    with pytest.raises(UnsafeDatabase, match=f"database {scratch_redis_db} .* holds 1 keys"):
        RedisTestDatabase(url).open()
    target = RedisTestDatabase(url, allow_nonempty=True)
    client = target.open()
    target.flush()
    assert client.dbsize() == 0
    client.set("x", 1)
    target.close()  # the end of a run leaves the database empty
    assert redis.Redis.from_url(url).dbsize() == 0


def test_unreachable_and_out_of_range_servers_name_the_problem_not_the_password(
    redis_available: str,
) -> None:
    with pytest.raises(FixturekitError) as caught:
        RedisTestDatabase("redis://:hunter2@127.0.0.1:1/13").open()
    assert "cannot reach Redis at redis://:***@127.0.0.1:1/13" in caught.value.message
    assert "hunter2" not in str(caught.value)
    with pytest.raises(FixturekitError, match="refused database 99"):
        RedisTestDatabase(f"{redis_available}/99").open()
