"""Bulk rendering of `Relative`: N values placed after (or before) another column of the row.

Each kind of value is moved on an integer or float axis (decimal units, days, seconds, seconds
since midnight), then the gap is shrunk where the column's own bound (`high` above, `low` below)
leaves less room, as `fixturekit.values.relative` does for one value.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

import numpy as np

from fixturekit.infer.strategies import Relative
from fixturekit.values.bulk_core import BulkContext, BulkError, Decimals, bulk_values
from fixturekit.values.bulk_text import as_texts
from fixturekit.values.offsets import resolve as resolve_bound
from fixturekit.values.pools import object_array


@dataclass
class _Axis:
    """Values as numbers on a line, with what converts them (and bounds) back and forth."""

    data: np.ndarray  # int64 or float64
    mask: np.ndarray  # True where the other column is NULL
    kind: str  # "decimal" | "datetime64" | "timedelta64" | "time" | "number"
    unit: Any = None  # the numpy time unit, or the decimal places
    dtype: Any = None


def _axis(other: Any) -> _Axis | None:
    if isinstance(other, Decimals):
        data = np.ma.getdata(other.units).astype(np.int64)
        return _Axis(data, other.mask, "decimal", other.places)
    mask = np.ma.getmaskarray(other)
    data = np.ma.getdata(other)
    if not isinstance(data, np.ndarray):
        return None
    if data.dtype.kind in "Mm":
        unit = np.datetime_data(data.dtype)[0]
        kind = "datetime64" if data.dtype.kind == "M" else "timedelta64"
        return _Axis(data.view(np.int64).copy(), mask, kind, unit, data.dtype)
    if data.dtype.kind in "iuf":
        return _Axis(data, mask, "number", None, data.dtype)
    if data.dtype == object:
        present = [v for v in data.tolist() if v is not None]
        if present and all(isinstance(v, dt.time) for v in present):
            seconds = [0 if v is None else v.hour * 3600 + v.minute * 60 + v.second for v in data]
            nulls = mask | np.array([v is None for v in data.tolist()], dtype=bool)
            return _Axis(np.asarray(seconds, dtype=np.int64), nulls, "time")
    return None


def _gap(axis: _Axis, count: int, rng: np.random.Generator, step: Any) -> np.ndarray:
    if axis.kind == "decimal":
        unit_step = 1
        if step is not None:
            unit_step = max(1, int(decimal.Decimal(str(step)).scaleb(axis.unit)))
        return rng.integers(1, 101, count) * unit_step
    if axis.kind == "datetime64":
        if axis.unit == "D":
            return rng.integers(1, 31, count)
        seconds = rng.integers(60, 30 * 86400, count, endpoint=True)
        return seconds * np.timedelta64(1, "s") // np.timedelta64(1, axis.unit)
    if axis.kind in ("timedelta64", "time"):
        seconds = rng.integers(60, 86400, count, endpoint=True)
        if axis.kind == "time":
            return seconds
        return seconds * np.timedelta64(1, "s") // np.timedelta64(1, axis.unit)
    if axis.data.dtype.kind in "iu":
        return rng.integers(1, 101, count) * int(step or 1)
    return rng.uniform(0.001, 100.0, count)


def _step_units(axis: _Axis, step: Any) -> Any:
    if axis.kind == "decimal":
        return max(1, int(decimal.Decimal(str(step)).scaleb(axis.unit))) if step else 1
    if axis.kind in ("datetime64", "timedelta64"):
        if isinstance(step, dt.timedelta):
            return max(1, np.timedelta64(step) // np.timedelta64(1, axis.unit))
        return 1
    if axis.kind == "time":
        return 1
    if axis.data.dtype.kind in "iu":
        return int(step or 1)
    return 0.0


def _bound_units(axis: _Axis, bound: Any, ctx: BulkContext) -> Any:
    """A bound on the axis, or None when it cannot be placed there."""
    if bound is None:
        return None
    if axis.kind == "time":
        if isinstance(bound, dt.time):
            return bound.hour * 3600 + bound.minute * 60 + bound.second
        return None
    if axis.kind == "decimal":
        return int(decimal.Decimal(str(bound)).scaleb(axis.unit))
    if axis.kind == "datetime64":
        moment = resolve_bound(bound, ctx.today) if isinstance(bound, str) else bound
        if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        if not isinstance(moment, dt.date):
            return None
        return np.datetime64(moment, axis.unit).astype(np.int64)
    if axis.kind == "timedelta64":
        if not isinstance(bound, dt.timedelta):
            return None
        return np.timedelta64(bound) // np.timedelta64(1, axis.unit)
    if isinstance(bound, bool) or not isinstance(bound, int | float):
        return None
    # A BIGINT's type bound leaves no room to overflow into: only nearer bounds matter.
    return None if isinstance(bound, int) and abs(bound) >= 2**62 else bound


def _shrink(
    gap: np.ndarray, room: np.ndarray, smallest: Any, rng: np.random.Generator
) -> np.ndarray:
    """Gaps that overshoot the bound become a random share of the room, at least `smallest`."""
    over = gap > room
    if not over.any():
        return gap
    fitted = room * rng.random(len(gap))
    if gap.dtype.kind in "iu":
        fitted = np.floor(fitted).astype(gap.dtype)
    fitted = np.maximum(fitted, smallest)
    return np.where(over, fitted, gap)


def _back(axis: _Axis, values: np.ndarray) -> Any:
    if axis.kind == "decimal":
        return Decimals(np.asarray(values, dtype=np.int64), axis.unit)
    if axis.kind in ("datetime64", "timedelta64"):
        return np.asarray(values, dtype=np.int64).view(axis.dtype)
    if axis.kind == "time":
        seconds = np.clip(values, 0, 86399).tolist()
        return object_array([dt.time(s // 3600, s // 60 % 60, s % 60) for s in seconds])
    return values.astype(axis.dtype) if axis.dtype is not None else values


def _with_fallback(axis: _Axis, moved: Any, fallback: Any) -> Any:
    """The fallback's values where the other column is NULL."""
    if not axis.mask.any():
        return moved
    if isinstance(moved, Decimals):
        units = np.ma.getdata(moved.units)
        if isinstance(fallback, Decimals):
            back = np.ma.getdata(fallback.units).astype(np.int64)
            if fallback.places <= moved.places:
                back = back * 10 ** (moved.places - fallback.places)
            else:
                back = back // 10 ** (fallback.places - moved.places)
        else:
            back = np.zeros(len(units), dtype=np.int64)
        return Decimals(np.where(axis.mask, back, units).astype(np.int64), moved.places)
    fallback_data = np.ma.getdata(fallback)
    if moved.dtype == object or (
        isinstance(fallback_data, np.ndarray) and fallback_data.dtype == object
    ):
        out = moved.astype(object)
        out[axis.mask] = np.asarray(fallback_data, dtype=object)[axis.mask]
        return out
    return np.where(axis.mask, fallback_data.astype(moved.dtype), moved)


@bulk_values.register
def _(strategy: Relative, count: int, ctx: BulkContext) -> Any:
    other = ctx.other(strategy.other)
    fallback = bulk_values(strategy.fallback, count, ctx.derive(ctx.column))
    if strategy.op == "=":
        return other
    axis = _axis(other)
    if axis is None:  # not orderable: only "different from" makes sense
        return _different(strategy, fallback, other, count, ctx)
    gap = _gap(axis, count, ctx.rng, strategy.step)
    down = strategy.op in ("<", "<=")
    low = _bound_units(axis, strategy.low, ctx)
    high = _bound_units(axis, strategy.high, ctx)
    if axis.kind == "time":
        low = 0 if low is None else low
        high = 86399 if high is None else high
    strict = np.full(count, strategy.op in ("<", ">", "<>"))
    base = axis.data
    # An other column beyond the own bound: start from the bound, which keeps the relation.
    beyond = (base > high) if down and high is not None else None
    if not down and low is not None:
        beyond = base < low
    if beyond is not None and beyond.any():
        base = np.where(beyond, high if down else low, base).astype(base.dtype)
        strict &= ~beyond
    smallest = np.where(strict, _step_units(axis, strategy.step), 0)
    bound = low if down else high
    if bound is not None:
        room = (base - bound) if down else (bound - base)
        gap = _shrink(gap, np.maximum(room, 0), smallest, ctx.rng)
    moved = base - gap if down else base + gap
    return _with_fallback(axis, _back(axis, moved), fallback)


def _different(strategy: Relative, fallback: Any, other: Any, count: int, ctx: BulkContext):
    values = as_texts(fallback) if not isinstance(fallback, np.ndarray) else fallback.copy()
    others = np.asarray(other, dtype=object)
    for _ in range(50):
        same = np.flatnonzero(values == others)
        if not len(same):
            return values
        values[same] = np.asarray(
            bulk_values(strategy.fallback, count, ctx.derive(ctx.column)), dtype=object
        )[ctx.rng.integers(0, count, len(same))]
    raise BulkError(f"{ctx.table}.{ctx.column_name}: cannot differ from {strategy.other}")
