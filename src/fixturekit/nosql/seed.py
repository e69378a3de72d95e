"""Seed MongoDB collections with realistic populations: `fixturekit seed --mongo`.

Documents come from the same factories `document_factory` builds, with the distributions the
user configures laid over them, and go to the server with `insert_many` in batches so memory
stays flat however many rows are asked for.

Distributions, per collection and field (in `[tool.fixturekit.seed.mongo.<collection>]`):

    role = {customer = 80, premium = 15, admin = 5}   # weighted choice
    active = 0.9                                       # a boolean, true 90% of the time
    age = [18, 70]                                     # a number in a range
    created_at = ["-2y", "now"]                        # a date in a range (Faker offsets or ISO)
    orders = [0, 5]                                    # an array of 0 to 5 items
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.nosql.plan import convert
from fixturekit.nosql.urls import first_line, redact
from fixturekit.schema.jsonschema import ArrayNode, DocumentSchema, Leaf

DEFAULT_BATCH = 1000
# The client class `connect` uses when given none; fixturekit's tests set mongomock's here.
CLIENT_FACTORY: Callable[..., Any] | None = None


@dataclass
class SeedResult:
    collection: str
    inserted: int


def _leaf_strategy(spec: Any, leaf: Leaf, where: str) -> st.Strategy:
    kind = leaf.column.kind.value
    if isinstance(spec, Mapping):
        if not spec:
            raise FixturekitError(f"{where}: a weighted choice needs at least one value")
        values = tuple(_typed(v, leaf) for v in spec)
        weights = tuple(float(w) for w in spec.values())
        return convert(st.Choice(values, weights=weights), leaf)
    if isinstance(spec, float) and leaf.bson_type == "bool":
        if not 0 <= spec <= 1:
            raise FixturekitError(f"{where}: a boolean's true rate is between 0 and 1")
        return st.Boolean(spec)
    if isinstance(spec, list) and len(spec) == 2:
        low, high = spec
        if kind in ("date", "datetime"):
            strategy: st.Strategy = (
                st.DateRange(str(low), str(high))
                if kind == "date"
                else st.DateTimeRange(str(low), str(high))
            )
            return convert(strategy, leaf)
        if isinstance(low, int) and isinstance(high, int) and leaf.bson_type != "double":
            return convert(st.IntRange(low, high), leaf)
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            return convert(st.FloatRange(float(low), float(high)), leaf)
    if isinstance(spec, (str, int, float, bool)):
        return convert(st.Literal(_typed(spec, leaf)), leaf)
    raise FixturekitError(
        f"{where}: {spec!r} is not a distribution; use {{value = weight, ...}}, a true rate, "
        "[low, high] or a fixed value"
    )


def _typed(value: Any, leaf: Leaf) -> Any:
    """TOML keys are strings: read `"true"` as a boolean and `"3"` as a number where needed."""
    if not isinstance(value, str):
        return value
    if leaf.bson_type == "bool":
        return value.lower() in ("true", "1", "yes")
    if leaf.bson_type in ("int", "long"):
        return int(value)
    if leaf.bson_type in ("double", "number"):
        return float(value)
    return value


def distributions(
    schema: DocumentSchema, config: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """(factory keyword declarations, array sizes by path) for one collection's settings."""
    declarations: dict[str, Any] = {}
    counts: dict[str, tuple[int, int]] = {}
    for name, spec in config.items():
        where = f"[tool.fixturekit.seed.mongo.{schema.collection}] {name}"
        try:
            field = schema.root.field(name)
        except KeyError:
            raise FixturekitError(
                f"{where}: the {schema.collection} schema has no such field"
            ) from None
        if isinstance(field.node, ArrayNode):
            if not (isinstance(spec, list) and len(spec) == 2 and spec[0] <= spec[1]):
                raise FixturekitError(f"{where}: an array's size is [low, high]")
            counts[f"{schema.collection}.{name}"] = (int(spec[0]), int(spec[1]))
        elif isinstance(field.node, Leaf):
            declarations[name] = _leaf_strategy(spec, field.node, where).declaration()
        else:
            raise FixturekitError(f"{where}: distributions apply to scalar and array fields")
    return declarations, counts


_REFERENCE_SUFFIX = re.compile(r"(_id|Id|_ref)$")


def references(schema: DocumentSchema, collections: set[str]) -> dict[str, str]:
    """Top-level ObjectId fields that point into another collection: `user_id` -> `users`.

    A field counts when its name without `_id` / `Id` / `_ref` is the other collection's name,
    singular or plural; its values are then drawn from the documents seeded there.
    """
    found: dict[str, str] = {}
    for field in schema.root.fields:
        node = field.node
        if field.name == "_id" or not isinstance(node, Leaf) or node.bson_type != "objectId":
            continue
        base = _REFERENCE_SUFFIX.sub("", field.name)
        if base == field.name or not base:
            continue
        base = base.lower()
        plural = base[:-1] + "ies" if base.endswith("y") else base + "s"
        for candidate in (base, plural, base + "es"):
            if candidate in collections and candidate != schema.collection:
                found[field.name] = candidate
                break
    return found


def _referenced_first(names: list[str], refs: dict[str, dict[str, str]]) -> list[str]:
    """Collections ordered so that the ones referred to are seeded before those referring."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting:
            return  # a cycle: its references fall back to fresh ObjectIds
        visiting.add(name)
        for target in refs.get(name, {}).values():
            if target in names:
                visit(target)
        visiting.discard(name)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def _pick_from(ids: list[Any]) -> Any:
    import factory
    import factory.random

    return factory.LazyFunction(lambda: factory.random.randgen.choice(ids))


def _batches(total: int, size: int) -> list[int]:
    full, rest = divmod(total, size)
    return [size] * full + ([rest] if rest else [])


def seed_collections(
    database: Any,
    schemas: list[DocumentSchema],
    rows: Mapping[str, int],
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    batch_size: int = DEFAULT_BATCH,
    seed: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> list[SeedResult]:
    """Insert `rows[collection]` generated documents into each named collection."""
    import factory.random

    from fixturekit.nosql.runtime import document_factories

    by_name = {s.collection: s for s in schemas}
    unknown = sorted(set(rows) - set(by_name))
    if unknown:
        raise FixturekitError(
            f"--rows names {', '.join(unknown)}, which the schema does not describe; "
            f"it has {', '.join(sorted(by_name))}"
        )
    if batch_size < 1:
        raise FixturekitError("the batch size must be at least 1")
    if seed is not None:
        factory.random.reseed_random(seed)
    settings = settings or {}
    seeded = set(rows)
    refs = {name: references(by_name[name], seeded) for name in rows}
    ids: dict[str, list[Any]] = {}
    results = []
    for name in _referenced_first(list(rows), refs):
        count = rows[name]
        schema = by_name[name]
        declarations, counts = distributions(schema, settings.get(name, {}))
        for field_name, target in refs[name].items():
            if field_name not in declarations and ids.get(target):
                declarations[field_name] = _pick_from(ids[target])
        factory_class = document_factories([schema], counts=counts)[name]
        collection = database[name]
        inserted = 0
        kept: list[Any] = []
        for size in _batches(count, batch_size):
            documents = factory_class.build_batch(size, **declarations)
            collection.insert_many(documents, ordered=False)
            # insert_many gives documents without one an _id, in place
            kept.extend(d["_id"] for d in documents if "_id" in d)
            inserted += size
            if progress:
                progress(name, inserted)
        ids[name] = kept
        results.append(SeedResult(name, inserted))
    return results


def connect(url: str, client_factory: Callable[..., Any] | None = None) -> tuple[Any, Any]:
    """(client, the database the URL names); a clear error when unreachable or unnamed."""
    from fixturekit.nosql.mongo import check_mongo_url, connect_options

    name = check_mongo_url(url)
    if not name:
        raise FixturekitError(
            f"MongoDB URL {redact(url)} names no database to seed",
            hint="Put it in the path, e.g. mongodb://127.0.0.1:27017/shop_dev.",
        )
    client_factory = client_factory or CLIENT_FACTORY
    if client_factory is None:
        import pymongo

        client_factory = pymongo.MongoClient
    client = None
    try:
        client = client_factory(url, **connect_options(url))
        client.admin.command("ping")
    except Exception as exc:  # pymongo raises several unrelated types for one cause
        if client is not None:
            client.close()
        raise FixturekitError(
            f"cannot use MongoDB at {redact(url)}: {first_line(exc, url)}"
        ) from None
    return client, client[name]
