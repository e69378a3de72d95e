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
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import singledispatch
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
    Duration,
    FloatRange,
    IntRange,
    JsonDocument,
    Literal,
    NetworkAddress,
    NullValue,
    SequenceDate,
    SequenceInt,
    Strategy,
    TimeOfDay,
    UniqueChoice,
    UuidValue,
    resolve_ref,
)
from fixturekit.schema.model import Column, ColumnType, Kind
from fixturekit.values import textgen
from fixturekit.values.distinct import codes, key_for, uuid_texts
from fixturekit.values.offsets import resolve as resolve_bound
from fixturekit.values.pools import Pool, object_array, stable_hash


class BulkError(ValueError):
    """A strategy cannot produce the values asked for (the planner normally refuses first)."""


@dataclass(frozen=True)
class Decimals:
    """Fixed-point numbers: `units[i] * 10**-places`. `units` may be a masked array (NULLs)."""

    units: np.ndarray
    places: int

    def __len__(self) -> int:
        return len(self.units)

    def __getitem__(self, index: Any) -> Decimals:
        return Decimals(self.units[index], self.places)

    @property
    def mask(self) -> np.ndarray:
        return np.ma.getmaskarray(self.units)

    def texts(self) -> list[str | None]:
        """Canonical text, e.g. `-12.05`, without a Decimal per value."""
        data = np.ma.getdata(self.units).astype(np.int64)
        out = number_texts(data, self.places)
        mask = self.mask
        if mask.any():
            for i in np.flatnonzero(mask).tolist():
                out[i] = None
        return out

    def tolist(self) -> list[decimal.Decimal | None]:
        return [None if t is None else decimal.Decimal(t) for t in self.texts()]


_TABLE_BLOCK = 1 << 16  # range tables are cached per aligned block of this many units
_TABLE_SPAN = 1 << 18  # beyond this span (16 MB of strings), format value by value


@functools.lru_cache(maxsize=8)
def _range_table(low: int, high: int, places: int) -> np.ndarray:
    return object_array([_format_units(u, places) for u in range(low, high)])


def _format_units(units: int, places: int) -> str:
    if not places:
        return str(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}"


def number_texts(units: np.ndarray, places: int = 0) -> list[str]:
    """Integers (or fixed-point units) as text. Columns of prices, quantities, stock levels span
    a narrow range, so their texts come from a cached table of that range: one indexing
    operation per chunk instead of a format call per value."""
    if not len(units):
        return []
    low, high = int(units.min()), int(units.max())
    start = low - low % _TABLE_BLOCK
    stop = high - high % _TABLE_BLOCK + _TABLE_BLOCK
    # Keys and sequences cover a new range every chunk: a table would be built for one use.
    consecutive = high - low + 1 == len(units)
    if stop - start <= _TABLE_SPAN and not consecutive:
        return _range_table(start, stop, places)[units - start].tolist()
    if not places:
        return list(map(str, units.tolist()))
    return [_format_units(u, places) for u in units.tolist()]


@dataclass
class BulkContext:
    """What a bulk rendering may use besides the strategy itself."""

    seed: int = 0
    table: str = ""
    column: Column | None = None
    start: int = 0  # global row number of the first row
    today: dt.date = field(default_factory=lambda: dt.date(2025, 1, 1))
    columns: Mapping[str, Any] = field(default_factory=dict)  # this chunk's earlier columns

    @property
    def column_name(self) -> str:
        return self.column.name if self.column is not None else ""

    def stream(self, *labels: Any) -> np.random.Generator:
        """An independent generator for (seed, table, column, first row, labels)."""
        entropy = [self.seed, stable_hash(self.table), stable_hash(self.column_name), self.start]
        entropy += [stable_hash(label) for label in labels]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))

    @functools.cached_property
    def rng(self) -> np.random.Generator:
        return self.stream()

    def row_numbers(self, count: int) -> np.ndarray:
        return np.arange(self.start, self.start + count, dtype=np.int64)

    def unique_key(self, *labels: Any) -> int:
        """Keys the bijections of unique values: per seed, table and column, not per chunk."""
        return key_for(self.seed, self.table, self.column_name, *labels)

    def other(self, name: str) -> Any:
        try:
            return self.columns[name]
        except KeyError:
            raise BulkError(
                f"{self.table}.{self.column_name} depends on {name!r}, which is not generated "
                "before it"
            ) from None

    def derive(self, column: Column | None) -> BulkContext:
        return BulkContext(self.seed, self.table, column, self.start, self.today, self.columns)


@singledispatch
def bulk_values(strategy: Strategy, count: int, ctx: BulkContext) -> Any:
    raise NotImplementedError(f"no bulk rendering for {type(strategy).__name__}")


# --- helpers -----------------------------------------------------------------------------------


def _kind(ctx: BulkContext) -> Kind | None:
    return ctx.column.kind if ctx.column is not None else None


def fit_texts(
    values: np.ndarray,
    max_length: int | None,
    case: str | None,
    rng: np.random.Generator,
    min_length: int | None = None,
) -> np.ndarray:
    """Values no longer than `max_length`: too-long ones are replaced by a fitting value drawn
    from the same column (as `fv.fake` retries), and truncated only when none fits. Values
    shorter than `min_length` are padded with letters, as `fv.fake` pads them."""
    if min_length is not None and len(values):
        short = [i for i, v in enumerate(values.tolist()) if len(v) < min_length]
        if short:
            values = values.copy()
            letters = np.array(list("abcdefghijklmnopqrstuvwxyz"), dtype=object)
            for i in short:
                pad = letters[rng.integers(0, 26, min_length - len(values[i]))]
                values[i] = values[i] + "".join(pad.tolist())
    if max_length is not None and len(values):
        lengths = np.fromiter(map(len, values.tolist()), dtype=np.int64, count=len(values))
        long_rows = np.flatnonzero(lengths > max_length)
        if len(long_rows):
            fitting = np.flatnonzero(lengths <= max_length)
            if len(fitting):
                values = values.copy()
                values[long_rows] = values[fitting[rng.integers(0, len(fitting), len(long_rows))]]
            else:
                values = object_array([v[:max_length] for v in values.tolist()])
    if case == "lower":
        values = object_array([v.lower() for v in values.tolist()])
    elif case == "upper":
        values = object_array([v.upper() for v in values.tolist()])
    return values


def typed(values: Any, column_type: ColumnType | None) -> Any:
    """An object array of Python values as the typed array the column's kind uses."""
    if column_type is None or not isinstance(values, np.ndarray) or values.dtype != object:
        return values
    items = values.tolist()
    if any(v is None for v in items):
        return values
    kind = column_type.kind
    try:
        if kind in (Kind.INTEGER, Kind.BIGINT, Kind.SMALLINT) and all(
            isinstance(v, int) for v in items
        ):
            return np.asarray(items, dtype=np.int64)
        if kind is Kind.FLOAT and all(isinstance(v, (int, float)) for v in items):
            return np.asarray(items, dtype=np.float64)
        if kind is Kind.BOOLEAN and all(isinstance(v, bool) for v in items):
            return np.asarray(items, dtype=bool)
        if kind is Kind.DATE and all(type(v) is dt.date for v in items):
            return np.asarray(items, dtype="datetime64[D]")
        if kind is Kind.DATETIME and all(isinstance(v, dt.datetime) for v in items):
            naive = [v.astimezone(dt.UTC).replace(tzinfo=None) if v.tzinfo else v for v in items]
            return np.asarray(naive, dtype="datetime64[s]")
        if (
            kind is Kind.NUMERIC
            and column_type.scale is not None
            and all(isinstance(v, (int, decimal.Decimal)) for v in items)
        ):
            return _to_decimals(items, column_type.scale)
    except (OverflowError, ValueError):
        return values
    return values


def _to_decimals(items: list[Any], places: int) -> Any:
    unit = decimal.Decimal(1).scaleb(-places)
    units = [int((decimal.Decimal(v) / unit).to_integral_value()) for v in items]
    if any(abs(u) >= 2**62 for u in units):
        return object_array(items)
    return Decimals(np.asarray(units, dtype=np.int64), places)


def _constant(value: Any, count: int, column_type: ColumnType | None) -> Any:
    out = np.empty(count, dtype=object)
    out[:] = [value] * count
    return typed(out, column_type) if value is not None else out


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
    return _constant(strategy.value, count, ctx.column.type if ctx.column else None)


@bulk_values.register
def _(strategy: NullValue, count: int, ctx: BulkContext) -> np.ndarray:
    return np.full(count, None, dtype=object)


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
    return _times_of_day()[ctx.rng.integers(0, 86400, count)]


@bulk_values.register
def _(strategy: Duration, count: int, ctx: BulkContext) -> np.ndarray:
    seconds = ctx.rng.integers(60, max(strategy.max_days * 86400, 60), count, endpoint=True)
    return seconds.astype("timedelta64[s]")


# --- identifiers, documents, bytes -------------------------------------------------------------


@bulk_values.register
def _(strategy: UuidValue, count: int, ctx: BulkContext) -> np.ndarray:
    return uuid_texts(ctx.row_numbers(count), ctx.rng, ctx.unique_key("uuid"))


@bulk_values.register
def _(strategy: JsonDocument, count: int, ctx: BulkContext) -> np.ndarray:
    return textgen.json_documents(count, ctx.rng)


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


# The renderings of text and of values derived from other columns live in modules of their
# own; importing them here registers them with `bulk_values` for every user of this module.
from fixturekit.values import bulk_rows, bulk_text  # noqa: E402, F401
from fixturekit.values.bulk_text import as_texts, matching_capacity  # noqa: E402, F401
