"""The third rendering of every strategy: a column of N values at once, for seeding.

`bulk_values(strategy, count, ctx)` is dispatched on the strategy's class. It returns one of:

* a numpy array: int64 (integers), float64, bool, datetime64[D] (dates), datetime64[s]
  (timestamps, UTC when the column has a time zone), timedelta64[s] (intervals), or an object
  array (strings, UUIDs as canonical text, JSON as text, bytes, lists, times of day, and any
  Python value a Choice or Literal holds; None is NULL);
* `Decimals` for fixed-point numbers (integer units plus the number of places), so that
  `Numeric(5, 2)` values are exact without building a Python Decimal per row;
* a numpy masked array where a typed column has NULLs.

Determinism: all randomness comes from `ctx.rng`, which the seeder derives from (seed, table,
column, first row of the chunk), never from a shared stream, so adding a column or a table does
not change the values of the others. Uniqueness comes from `ctx.row_numbers` (global row
numbers) through `fixturekit.values.distinct`, never from luck.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
from typing import Any

import numpy as np

from fixturekit.infer.strategies import (
    BinaryValue,
    Boolean,
    Choice,
    Code,
    DateRange,
    DateTimeRange,
    DecimalRange,
    DjangoPassword,
    Duration,
    FloatRange,
    IntRange,
    JsonDocument,
    Literal,
    NetworkAddress,
    NullValue,
    PolymorphicKey,
    SequenceDate,
    SequenceInt,
    TimeOfDay,
    UniqueChoice,
    UuidValue,
    resolve_ref,
)
from fixturekit.schema.model import Column

# The text and row-dependent renderings register themselves with `bulk_values` on import.
from fixturekit.values import (  # noqa: F401
    bulk_entities,
    bulk_files,
    bulk_people,
    bulk_relative,
    bulk_rows,
    bulk_text,
    textgen,
)
from fixturekit.values.bulk_core import (  # noqa: F401  (re-exported: callers import them here)
    BulkContext,
    BulkError,
    Decimals,
    bulk_values,
    constant,
    fit_texts,
    number_texts,
    typed,
)
from fixturekit.values.bulk_text import as_texts, matching_capacity  # noqa: F401
from fixturekit.values.distinct import codes, uuid_texts
from fixturekit.values.offsets import resolve as resolve_bound
from fixturekit.values.pools import Pool, object_array

# --- numbers and codes -------------------------------------------------------------------------


@bulk_values.register
def _(strategy: Code, count: int, ctx: BulkContext) -> np.ndarray:
    n = ctx.row_numbers(count) if strategy.is_unique else None
    try:
        return codes(n, count, strategy.length, strategy.alphabet, ctx.rng, ctx.unique_key())
    except ValueError as exc:
        raise BulkError(f"{ctx.table}.{ctx.column_name}: {exc}") from None


@bulk_values.register
def _(strategy: SequenceInt, count: int, ctx: BulkContext) -> np.ndarray:
    values = strategy.start + ctx.row_numbers(count)
    if strategy.maximum is not None and count and int(values[-1]) > strategy.maximum:
        raise BulkError(
            f"{ctx.table}.{ctx.column_name}: sequence value {int(values[-1])} is past the "
            f"column's maximum {strategy.maximum}"
        )
    return values


@bulk_values.register
def _(strategy: IntRange, count: int, ctx: BulkContext) -> np.ndarray:
    return ctx.rng.integers(strategy.low, strategy.high, count, endpoint=True, dtype=np.int64)


def _unit_bounds(low: Any, high: Any, places: int) -> tuple[int, int]:
    unit = decimal.Decimal(1).scaleb(-places)
    lo = int((decimal.Decimal(str(low)) / unit).to_integral_value(rounding=decimal.ROUND_CEILING))
    hi = int((decimal.Decimal(str(high)) / unit).to_integral_value(rounding=decimal.ROUND_FLOOR))
    return lo, hi


def skewed_units(lo: int, hi: int, places: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Units in [lo, hi]: log-normal when the range is non-negative and spans two decades or
    more (prices, amounts, sizes: many small values, a long tail), uniform otherwise."""
    scale = 10**places
    low_value = max(lo / scale, 1.0)
    high_value = hi / scale
    if lo < 0 or high_value < 100 * low_value:
        return rng.integers(lo, hi, count, endpoint=True, dtype=np.int64)
    span = math.log(high_value) - math.log(low_value)
    mu = math.log(low_value) + min(0.45 * span, math.log(40.0))
    sigma = min(span / 6.0, 1.0)
    values = np.round(rng.lognormal(mu, sigma, count) * scale)
    outside = (values < lo) | (values > hi)
    if outside.any():
        values[outside] = rng.integers(lo, hi, int(outside.sum()), endpoint=True)
    return values.astype(np.int64)


@bulk_values.register
def _(strategy: DecimalRange, count: int, ctx: BulkContext) -> Any:
    lo, hi = _unit_bounds(strategy.low, strategy.high, strategy.places)
    if lo > hi:
        raise BulkError(
            f"{ctx.table}.{ctx.column_name}: empty range {strategy.low}..{strategy.high}"
        )
    if max(abs(lo), abs(hi)) >= 2**62 or strategy.places > 6:
        # Beyond int64 units: exact Python decimals, drawn from floats over the range.
        unit = decimal.Decimal(1).scaleb(-strategy.places)
        picks = ctx.rng.random(count).tolist()
        return object_array(
            [(decimal.Decimal(lo + int(p * (hi - lo))) * unit).quantize(unit) for p in picks]
        )
    return Decimals(skewed_units(lo, hi, strategy.places, count, ctx.rng), strategy.places)


@bulk_values.register
def _(strategy: FloatRange, count: int, ctx: BulkContext) -> np.ndarray:
    low, high = float(strategy.low), float(strategy.high)
    if not math.isfinite(high - low):  # a type-wide range: keep values printable and sane
        low, high = max(low, -1e12), min(high, 1e12)
    return ctx.rng.uniform(low, high, count)


@bulk_values.register
def _(strategy: Boolean, count: int, ctx: BulkContext) -> np.ndarray:
    return ctx.rng.random(count) < strategy.true_rate


# --- sets of values ----------------------------------------------------------------------------


def choice_values(strategy: Choice, column: Column | None) -> list[Any]:
    """The values as the database stores them: enum members become their column labels."""
    if strategy.enum_class is None:
        return list(strategy.values)
    names = list(strategy.values)
    if not names:
        if column is not None and column.type.enum_values:
            return list(column.type.enum_values)
        names = [m.name for m in resolve_ref(strategy.enum_class)]
    if column is not None and column.type.enum_members and column.type.enum_values:
        labels = dict(zip(column.type.enum_members, column.type.enum_values, strict=False))
        return [labels.get(name, name) for name in names]
    return names


@bulk_values.register
def _(strategy: Choice, count: int, ctx: BulkContext) -> Any:
    values = choice_values(strategy, ctx.column)
    if not values:
        raise BulkError(f"{ctx.table}.{ctx.column_name}: nothing to choose from")
    pool = Pool.of(values, strategy.weights)
    return typed(pool.sample(ctx.rng, count), ctx.column.type if ctx.column else None)


@bulk_values.register
def _(strategy: UniqueChoice, count: int, ctx: BulkContext) -> Any:
    values = object_array(choice_values(strategy, ctx.column))
    n = ctx.row_numbers(count)
    if count and int(n[-1]) >= len(values):
        raise BulkError(
            f"{ctx.table}.{ctx.column_name}: only {len(values)} distinct values exist for this "
            f"unique column; row {int(n[-1]) + 1} has none left"
        )
    return typed(values[n], ctx.column.type if ctx.column else None)


@bulk_values.register
def _(strategy: Literal, count: int, ctx: BulkContext) -> Any:
    return constant(strategy.value, count, ctx.column.type if ctx.column else None)


@bulk_values.register
def _(strategy: NullValue, count: int, ctx: BulkContext) -> np.ndarray:
    return np.full(count, None, dtype=object)


@bulk_values.register
def _(strategy: PolymorphicKey, count: int, ctx: BulkContext) -> np.ndarray:
    # Only factories get this strategy (each row's key is a row its factory creates); a
    # batch evaluates it row by row and seeding keeps the flagged generic form instead.
    raise BulkError(
        f"{ctx.table}.{ctx.column_name}: a polymorphic key is made per row by the "
        "selected table's factory, not drawn in bulk."
    )


# --- time --------------------------------------------------------------------------------------


@bulk_values.register
def _(strategy: DateRange, count: int, ctx: BulkContext) -> np.ndarray:
    start = resolve_bound(strategy.start, ctx.today).date()
    end = resolve_bound(strategy.end, ctx.today).date()
    if end < start:
        raise BulkError(f"{ctx.table}.{ctx.column_name}: date range ends before it starts")
    days = ctx.rng.integers(0, (end - start).days, count, endpoint=True)
    return np.datetime64(start, "D") + days.astype("timedelta64[D]")


@bulk_values.register
def _(strategy: DateTimeRange, count: int, ctx: BulkContext) -> np.ndarray:
    start = resolve_bound(strategy.start, ctx.today)
    end = resolve_bound(strategy.end, ctx.today)
    if end < start:
        raise BulkError(f"{ctx.table}.{ctx.column_name}: time range ends before it starts")
    seconds = ctx.rng.integers(0, int((end - start).total_seconds()), count, endpoint=True)
    return np.datetime64(start, "s") + seconds.astype("timedelta64[s]")


@bulk_values.register
def _(strategy: SequenceDate, count: int, ctx: BulkContext) -> np.ndarray:
    """Distinct dates or datetimes one step apart, counting back from the start.

    Inference anchors the start on "today", which is the seed's anchor day (`today` in the
    config); an ISO start dated the real today is moved to that day too.
    """
    try:
        start = dt.datetime.fromisoformat(strategy.start)
    except ValueError:  # "today" or an offset, counted from the seed's anchor day
        start = resolve_bound(strategy.start, ctx.today)
    if start.tzinfo is not None:
        start = start.astimezone(dt.UTC).replace(tzinfo=None)
    if start.date() == dt.date.today() and ctx.today != dt.date.today():
        start = dt.datetime.combine(ctx.today, start.time())
    n = ctx.row_numbers(count)
    if strategy.with_time:
        steps = (n * max(strategy.step_seconds, 1)).astype("timedelta64[s]")
        return np.datetime64(start, "s") - steps
    days = (n * max(1, strategy.step_seconds // 86400)).astype("timedelta64[D]")
    return np.datetime64(start.date(), "D") - days


@functools.cache
def _times_of_day() -> np.ndarray:
    return object_array([dt.time(s // 3600, s // 60 % 60, s % 60) for s in range(86400)])


@bulk_values.register
def _(strategy: TimeOfDay, count: int, ctx: BulkContext) -> np.ndarray:
    return _times_of_day()[ctx.rng.integers(strategy.low, strategy.high, count, endpoint=True)]


@bulk_values.register
def _(strategy: DjangoPassword, count: int, ctx: BulkContext) -> np.ndarray:
    from fixturekit import values as fv

    return np.full(count, fv.django_password(strategy.raw), dtype=object)


@bulk_values.register
def _(strategy: Duration, count: int, ctx: BulkContext) -> np.ndarray:
    high = max(strategy.high_seconds, strategy.low)
    seconds = ctx.rng.integers(strategy.low, high, count, endpoint=True)
    return seconds.astype("timedelta64[s]")


# --- identifiers, documents, bytes -------------------------------------------------------------


@bulk_values.register
def _(strategy: UuidValue, count: int, ctx: BulkContext) -> np.ndarray:
    return uuid_texts(ctx.row_numbers(count), ctx.rng, ctx.unique_key("uuid"))


@bulk_values.register
def _(strategy: JsonDocument, count: int, ctx: BulkContext) -> np.ndarray:
    documents = textgen.json_documents(count, ctx.rng)
    if strategy.array:  # one object per array: the shape a list column takes
        return object_array([f"[{document}]" for document in documents])
    return documents


@bulk_values.register
def _(strategy: BinaryValue, count: int, ctx: BulkContext) -> np.ndarray:
    raw = ctx.rng.bytes(count * strategy.length)
    size = strategy.length
    return object_array([raw[i : i + size] for i in range(0, count * size, size)])


@bulk_values.register
def _(strategy: NetworkAddress, count: int, ctx: BulkContext) -> np.ndarray:
    if strategy.form == "mac":
        return textgen.mac_addresses(count, ctx.rng)
    return textgen.ipv4(count, ctx.rng, network=strategy.form == "cidr")
