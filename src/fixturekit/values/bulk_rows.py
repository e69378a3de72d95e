"""Bulk renderings that need more than their own column: values derived from another column
of the row, arrays of items, and users' own declarations (`Relative`: `bulk_relative`)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import numpy as np

from fixturekit.infer.strategies import ArrayOf, Custom, FromColumn
from fixturekit.schema.model import Column
from fixturekit.values import pools
from fixturekit.values.bulk_core import (
    BulkContext,
    BulkError,
    bulk_values,
    fit_texts,
    typed,
)
from fixturekit.values.bulk_text import as_texts
from fixturekit.values.pools import object_array


@bulk_values.register
def _(strategy: ArrayOf, count: int, ctx: BulkContext) -> np.ndarray:
    sizes = ctx.rng.integers(strategy.min_items, strategy.max_items, count, endpoint=True)
    item_type = ctx.column.type.item if ctx.column is not None else None
    item_column = Column(ctx.column_name, item_type) if item_type is not None else None
    items = bulk_values(strategy.item, int(sizes.sum()), ctx.derive(item_column))
    flat = items.tolist() if not isinstance(items, np.ndarray) else _python(items)
    out = np.empty(count, dtype=object)
    pos = 0
    for i, size in enumerate(sizes.tolist()):
        out[i] = flat[pos : pos + size]
        pos += size
    return out


def _python(values: np.ndarray) -> list[Any]:
    if values.dtype.kind == "M":
        return values.astype(object).tolist()
    return values.tolist()


# --- values derived from other columns of the row ---------------------------------------------


def _slug(text: str) -> str:
    from fixturekit.values import slugify

    return slugify(text)


def _email_from(
    names: np.ndarray, count: int, rng: np.random.Generator, max_length: int | None
) -> np.ndarray:
    locals_ = object_array([_slug(n).replace("-", ".") or "user" for n in names.tolist()])
    domains = pools.email_domains().sample(rng, count)
    return fit_texts(locals_ + "@" + domains, max_length, None, rng)


@contextmanager
def _seeded_factory_random(seed: int):
    """Run per-value `fv` functions deterministically without disturbing factory_boy's state."""
    import factory.random
    from faker.generator import random as faker_random

    # Read the states directly: factory.random.get_random_state() overwrites Faker's.
    randgen = factory.random.randgen
    saved, saved_faker = randgen.getstate(), faker_random.getstate()
    saved_flag = getattr(randgen, "state_set", False)
    factory.random.reseed_random(seed)
    try:
        yield
    finally:
        randgen.setstate(saved)
        randgen.state_set = saved_flag
        faker_random.setstate(saved_faker)


@bulk_values.register
def _(strategy: FromColumn, count: int, ctx: BulkContext) -> np.ndarray:
    other = ctx.other(strategy.other)
    source = (
        as_texts(other) if not (isinstance(other, np.ndarray) and other.dtype == object) else other
    )
    if strategy.transform == "email_from":
        return _email_from(source, count, ctx.rng, strategy.max_length)
    if strategy.transform == "slugify":
        out = object_array([_slug(s) for s in source.tolist()])
        return fit_texts(out, strategy.max_length, None, ctx.rng)
    from fixturekit import values as fv

    transform = getattr(fv, strategy.transform, None)
    if transform is None:
        raise BulkError(f"{ctx.table}.{ctx.column_name}: unknown transform {strategy.transform!r}")
    extra = {"max_length": strategy.max_length} if strategy.max_length else {}
    with _seeded_factory_random(int(ctx.rng.integers(0, 2**31))):
        return object_array([transform(v, **extra) for v in source.tolist()])


@bulk_values.register
def _(strategy: Custom, count: int, ctx: BulkContext) -> np.ndarray:
    """A user's factory_boy declaration, evaluated once per row by factory_boy itself.

    This is the slow path (a factory build per row): a seed-config distribution renders in
    bulk and is the way to override a column for large seeds.
    """
    import factory

    declaration = strategy.declaration()
    # The row's other columns become factory parameters, so LazyAttribute(lambda o: o.x) works.
    lists = {
        name: (values.tolist() if hasattr(values, "tolist") else list(values))
        for name, values in ctx.columns.items()
        if name != "value"
    }
    rows = [{name: items[i] for name, items in lists.items()} for i in range(count)]
    model = type("Row", (factory.DictFactory,), {"value": declaration})
    model.reset_sequence(ctx.start, force=True)
    with _seeded_factory_random(int(ctx.rng.integers(0, 2**31))):
        out = []
        for row in rows:
            out.append(model.build(**row)["value"])
    return typed(object_array(out), ctx.column.type if ctx.column else None)
