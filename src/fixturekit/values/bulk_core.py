"""What every bulk rendering shares: the context, the dispatcher, fixed-point columns, fitting.

The renderings themselves register with `bulk_values` in `fixturekit.values.bulk` (numbers,
codes, time), `bulk_text` (Faker providers, patterns) and `bulk_rows` (values that depend on
other columns). They import this module, never each other's entry point, so there is no import
cycle; `fixturekit.values.bulk` imports all three and is what callers use.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import singledispatch
from typing import Any

import numpy as np

from fixturekit.errors import FixturekitError
from fixturekit.infer.strategies import Strategy
from fixturekit.schema.model import Column, ColumnType, Kind
from fixturekit.values.distinct import key_for
from fixturekit.values.pools import object_array, stable_hash


class BulkError(FixturekitError, ValueError):
    """A strategy cannot produce the values asked for (the planner normally refuses first).

    A FixturekitError, so that a gap in the planner's checks still ends in one message (after
    the load is rolled back), not a traceback."""


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


_built: set[tuple[int, int, int]] = set()  # range tables made once (so worth reusing)


@functools.lru_cache(maxsize=8)
def _range_table(low: int, high: int, places: int) -> np.ndarray:
    _built.add((low, high, places))
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
    # A table of 65,536 texts pays off over a chunk of that many values, or once made; for a
    # handful of values (a small seed) formatting them is cheaper than building it.
    worth = stop - start <= 2 * len(units) or (start, stop, places) in _built
    if stop - start <= _TABLE_SPAN and not consecutive and worth:
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


def constant(value: Any, count: int, column_type: ColumnType | None) -> Any:
    out = np.empty(count, dtype=object)
    out[:] = [value] * count
    return typed(out, column_type) if value is not None else out
