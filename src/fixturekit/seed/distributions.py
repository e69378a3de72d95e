"""Strategies that only seeding has: shapes, NULL rates and fixed rows from the seed config.

They wrap or replace what inference chose for a column, and render in bulk like every other
strategy (`fixturekit.values.bulk.bulk_values`). Factories have no use for them: a factory
builds one row at a time, where a population shape means nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fixturekit.infer.strategies import Strategy
from fixturekit.values.bulk import BulkContext, Decimals, bulk_values, typed
from fixturekit.values.pools import object_array


@dataclass(frozen=True)
class Shaped(Strategy):
    """Numbers from a normal or log-normal shape, kept inside [low, high].

    `places` is None for floats, 0 for integers, else the decimal places of a Numeric column.
    Draws outside the bounds are drawn again (a few rounds), then clipped: a shape with most of
    its mass outside the bounds would otherwise pile values up on them.
    """

    shape: str  # "normal" (a = mean, b = standard deviation) | "lognormal" (a = median, b = sigma)
    a: float
    b: float
    low: float
    high: float
    places: int | None = None

    def value_source(self) -> str:
        raise NotImplementedError("a population shape is a seeding setting, not a factory value")


def _draw(strategy: Shaped, count: int, rng: np.random.Generator) -> np.ndarray:
    if strategy.shape == "normal":
        return rng.normal(strategy.a, strategy.b, count)
    return rng.lognormal(np.log(strategy.a), strategy.b, count)


@bulk_values.register
def _(strategy: Shaped, count: int, ctx: BulkContext) -> Any:
    rng = ctx.rng
    values = _draw(strategy, count, rng)
    for _ in range(8):
        outside = np.flatnonzero((values < strategy.low) | (values > strategy.high))
        if not len(outside):
            break
        values[outside] = _draw(strategy, len(outside), rng)
    values = np.clip(values, strategy.low, strategy.high)
    if strategy.places is None:
        return values
    if strategy.places == 0:
        return np.clip(np.round(values), np.ceil(strategy.low), np.floor(strategy.high)).astype(
            np.int64
        )
    scale = 10**strategy.places
    units = np.clip(
        np.round(values * scale), np.ceil(strategy.low * scale), np.floor(strategy.high * scale)
    )
    return Decimals(units.astype(np.int64), strategy.places)


@dataclass(frozen=True)
class WithNulls(Strategy):
    """Another strategy's values with a share of NULLs (the seed config's `null = 0.3`)."""

    base: Strategy
    rate: float

    def value_source(self) -> str:
        raise NotImplementedError("a NULL rate is a seeding setting, not a factory value")


def with_mask(values: Any, mask: np.ndarray) -> Any:
    """`values` with NULL where `mask` is True, in the representation of `values`."""
    if not mask.any():
        return values
    if isinstance(values, Decimals):
        return Decimals(np.ma.MaskedArray(np.ma.getdata(values.units), mask=mask), values.places)
    if isinstance(values, np.ndarray) and values.dtype == object:
        out = values.copy()
        out[mask] = None
        return out
    return np.ma.MaskedArray(np.asarray(values), mask=mask)


@bulk_values.register
def _(strategy: WithNulls, count: int, ctx: BulkContext) -> Any:
    values = bulk_values(strategy.base, count, ctx)
    # A stream of its own: changing the rate must not change the non-NULL values.
    mask = ctx.stream("null").random(count) < strategy.rate
    return with_mask(values, mask)


@dataclass(frozen=True)
class Fixed(Strategy):
    """The values a fixed list of rows gives a column (lookup tables), by row number.

    Columns the list leaves out keep their own strategy (`base`), row by row.
    """

    values: tuple[Any, ...]  # one per row; `Fixed.MISSING` where the row does not give it
    base: Strategy | None = None

    MISSING = object()

    def value_source(self) -> str:
        raise NotImplementedError("fixed rows are a seeding setting, not a factory value")


@bulk_values.register
def _(strategy: Fixed, count: int, ctx: BulkContext) -> Any:
    rows = range(ctx.start, ctx.start + count)
    given = [strategy.values[i] if i < len(strategy.values) else Fixed.MISSING for i in rows]
    missing = [i for i, v in enumerate(given) if v is Fixed.MISSING]
    if missing:
        if strategy.base is None:
            raise ValueError(f"{ctx.table}.{ctx.column_name}: a fixed row leaves it out")
        fill = bulk_values(strategy.base, count, ctx)
        fill_list = fill.tolist() if not isinstance(fill, np.ndarray) else list(fill.astype(object))
        for i in missing:
            given[i] = fill_list[i]
    return typed(object_array(given), ctx.column.type if ctx.column else None)


@dataclass(frozen=True)
class Segments(Strategy):
    """A joined-inheritance discriminator: the first rows belong to subclass tables.

    Subclass tables take consecutive parent rows (see the planner's `inherit` links); those rows
    carry the subclass's polymorphic identity, the rest the class's own.
    """

    segments: tuple[tuple[Any, int], ...]  # (identity, rows), in subclass-table order
    default: Any

    def value_source(self) -> str:
        raise NotImplementedError("row segments are a seeding arrangement, not a factory value")


@bulk_values.register
def _(strategy: Segments, count: int, ctx: BulkContext) -> Any:
    rows = np.arange(ctx.start, ctx.start + count)
    out = np.full(count, strategy.default, dtype=object)
    first = 0
    for identity, size in strategy.segments:
        out[(rows >= first) & (rows < first + size)] = identity
        first += size
    return out
