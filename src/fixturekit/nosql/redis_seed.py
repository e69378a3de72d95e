"""Seed Redis keys of every type from a small spec or from document factories.

A spec maps key names to what they hold. Plain Python values say their own type:

    {"greeting": "hello",                 # string
     "user:1": {"name": "Ada"},           # hash
     "queue": ["a", "b"],                 # list
     "tags": {"red", "blue"}}             # set

Sorted sets, streams, expiry, key patterns and factories use an entry spec (`key(...)` in code,
or a dict with a `type` and a `value` or `factory`):

    {"board": key("zset", {"ada": 10, "bob": 7}),
     "events": key("stream", [{"kind": "login"}, {"kind": "logout"}]),
     "session:{n}": key("hash", factory=SessionFactory, count=5, ttl=3600)}

`{n}` in a key is replaced by 1..count. Every key is deleted before it is written, so seeding
twice gives the same data rather than appended lists.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fixturekit.errors import FixturekitError

TYPES = ("string", "hash", "list", "set", "zset", "stream")
_SPEC_KEYS = {"type", "value", "factory", "count", "ttl", "size", "score", "member"}

Command = tuple[str, tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class KeySpec:
    """What one key (or, with `{n}` and `count`, a family of keys) holds.

    `value` is the data itself or a callable taking the key's number n; `factory` is a
    factory_boy factory whose built documents become the data (fields of a hash, items of a
    list, entries of a stream; `size` of them per key for collection types). For a sorted set
    built from a factory, `score` names the document field holding the score and `member` the
    field holding the member (the whole document as JSON when omitted).
    """

    type: str
    value: Any = None
    factory: Any = None
    count: int = 1
    ttl: int | None = None
    size: int = 3
    score: str | None = None
    member: str | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise FixturekitError(
                f"unknown Redis key type {self.type!r}; use one of {', '.join(TYPES)}"
            )
        if (self.value is None) == (self.factory is None):
            raise FixturekitError(f"a {self.type} key spec needs exactly one of value= or factory=")
        if self.type == "zset" and self.factory is not None and not self.score:
            raise FixturekitError("a sorted set built from a factory needs score= (a field name)")
        if self.count < 1:
            raise FixturekitError(f"count must be at least 1, not {self.count}")


def key(type: str, value: Any = None, **options: Any) -> KeySpec:
    """Shorthand for `KeySpec`: `key("zset", {"ada": 10})`, `key("hash", factory=F, count=5)`."""
    return KeySpec(type=type, value=value, **options)


def encode(value: Any) -> bytes | str | int | float:
    """A value Redis accepts: text and numbers as they are, structures as JSON."""
    if isinstance(value, bool):  # before int: redis-py refuses bools
        return "true" if value else "false"
    if isinstance(value, (bytes, str, int, float)):
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return json.dumps(value, default=_json_default, sort_keys=True)
    return str(value)  # ObjectId, Decimal128, Int64 and friends print as their value


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _fields(document: Mapping[str, Any]) -> dict[str, Any]:
    # A hash has no NULL: a missing field is how Redis says "no value".
    return {str(k): encode(v) for k, v in document.items() if v is not None}


def as_spec(name: str, entry: Any) -> KeySpec:
    """Read one spec entry: a KeySpec, an entry dict, or a plain value whose type says it all."""
    if isinstance(entry, KeySpec):
        return entry
    if (
        isinstance(entry, Mapping)
        and entry.get("type") in TYPES
        and ("value" in entry or "factory" in entry)
        and set(entry) <= _SPEC_KEYS
    ):
        return KeySpec(**entry)
    if isinstance(entry, Mapping):
        return KeySpec("hash", dict(entry))
    if isinstance(entry, (set, frozenset)):
        return KeySpec("set", entry)
    if isinstance(entry, (list, tuple)):
        return KeySpec("list", list(entry))
    if entry is None:
        raise FixturekitError(f"Redis key {name!r} has no value (None); give it one or drop it")
    return KeySpec("string", entry)


def _value_for(spec: KeySpec, n: int) -> Any:
    if spec.factory is not None:
        if spec.type in ("string", "hash"):
            return spec.factory.build()
        return spec.factory.build_batch(spec.size)
    return spec.value(n) if callable(spec.value) else spec.value


def _key_names(pattern: str, count: int) -> Iterable[tuple[int, str]]:
    if count > 1 and "{n}" not in pattern:
        raise FixturekitError(f"Redis key {pattern!r} has count={count} but no {{n}} to number it")
    for n in range(1, count + 1):
        yield n, pattern.replace("{n}", str(n))


def _zset_mapping(spec: KeySpec, data: Any, name: str) -> dict[Any, float]:
    if spec.factory is None:
        if not isinstance(data, Mapping):
            raise FixturekitError(f"sorted set {name!r} needs a mapping of member -> score")
        return {encode(m): float(s) for m, s in data.items()}
    mapping = {}
    for document in data:
        member = document[spec.member] if spec.member else document
        mapping[encode(member)] = float(document[spec.score])
    return mapping


def commands_for(name: str, spec: KeySpec, n: int) -> list[Command]:
    """The commands that give key `name` its data (after a DEL, so the result is exact)."""
    data = _value_for(spec, n)
    commands: list[Command] = [("delete", (name,), {})]
    if spec.type == "string":
        commands.append(("set", (name, encode(data)), {}))
    elif spec.type == "hash":
        if not isinstance(data, Mapping):
            raise FixturekitError(f"hash {name!r} needs a mapping of field -> value")
        fields = _fields(data)
        if fields:
            commands.append(("hset", (name,), {"mapping": fields}))
    elif spec.type in ("list", "set"):
        items = [encode(item) for item in data]
        if items:
            commands.append(("rpush" if spec.type == "list" else "sadd", (name, *items), {}))
    elif spec.type == "zset":
        mapping = _zset_mapping(spec, data, name)
        if mapping:
            commands.append(("zadd", (name, mapping), {}))
    else:  # stream
        for entry in data:
            if not isinstance(entry, Mapping):
                raise FixturekitError(f"stream {name!r} entries must be mappings of field -> value")
            commands.append(("xadd", (name, _fields(entry)), {}))
    if spec.ttl:
        commands.append(("expire", (name, spec.ttl), {}))
    return commands


def plan(spec: Mapping[str, Any]) -> tuple[list[str], list[Command]]:
    """All keys the spec names and the commands that write them, in order."""
    keys: list[str] = []
    commands: list[Command] = []
    for pattern, entry in spec.items():
        key_spec = as_spec(pattern, entry)
        for n, name in _key_names(pattern, key_spec.count):
            keys.append(name)
            commands.extend(commands_for(name, key_spec, n))
    return keys, commands


def _queue(pipe: Any, commands: list[Command]) -> None:
    for method, args, kwargs in commands:
        getattr(pipe, method)(*args, **kwargs)


def seed_redis(client: Any, spec: Mapping[str, Any]) -> list[str]:
    """Write the spec through one pipeline; returns the key names written."""
    keys, commands = plan(spec)
    with client.pipeline(transaction=False) as pipe:
        _queue(pipe, commands)
        pipe.execute()
    return keys


async def seed_redis_async(client: Any, spec: Mapping[str, Any]) -> list[str]:
    """`seed_redis` for a `redis.asyncio` client (or fakeredis' async one)."""
    keys, commands = plan(spec)
    async with client.pipeline(transaction=False) as pipe:
        _queue(pipe, commands)
        await pipe.execute()
    return keys


def from_factory(
    factory: Any, pattern: str, count: int, *, type: str = "hash", **options: Any
) -> dict[str, KeySpec]:
    """A one-entry spec: `count` keys named by `pattern`, their data built by `factory`."""
    return {pattern: KeySpec(type=type, factory=factory, count=count, **options)}
