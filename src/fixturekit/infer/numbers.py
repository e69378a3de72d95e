"""Numeric and temporal bounds of a column: what its type holds, its CHECKs allow, its step."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from fixturekit.errors import UnsatisfiableColumn
from fixturekit.infer.constraints import Narrowing
from fixturekit.schema.model import INTEGER_KINDS, INTEGER_RANGES, Column, Kind


def step_of(column: Column):
    kind = column.kind
    if kind in INTEGER_KINDS:
        return 1
    if kind is Kind.NUMERIC:
        return Decimal(1).scaleb(-(column.type.scale if column.type.scale is not None else 2))
    if kind is Kind.DATE:
        return datetime.timedelta(days=1)
    if kind in (Kind.DATETIME, Kind.INTERVAL):
        return datetime.timedelta(seconds=1)
    if kind is Kind.TIME:
        return 1  # placed as seconds since midnight
    return None


def type_bounds(column: Column) -> tuple[object, object]:
    """Inclusive bounds the column's type allows."""
    ctype = column.type
    if column.kind in INTEGER_KINDS:
        if ctype.precision == 3:  # TINYINT
            return (0, 255) if ctype.unsigned else (-128, 127)
        low, high = INTEGER_RANGES[column.kind]
        return (0, high * 2 + 1) if ctype.unsigned else (low, high)
    if column.kind is Kind.NUMERIC:
        scale = ctype.scale if ctype.scale is not None else 2
        precision = ctype.precision if ctype.precision is not None else 18
        top = Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)
        return (-top, top)
    return (-1e12, 1e12)


def numeric_range(column: Column, narrowing: Narrowing, plausible=None) -> tuple[object, object]:
    """The range to draw from: type and CHECK bounds, then a plausible range inside them."""
    low, high = type_bounds(column)
    step = step_of(column)
    if narrowing.low is not None:
        bound = narrowing.low
        if not narrowing.low_inclusive:
            bound = bound + step if step is not None else bound + abs(bound) * 1e-9 + 1e-9
        low = max(low, like(bound, low))
    if narrowing.high is not None:
        bound = narrowing.high
        if not narrowing.high_inclusive:
            bound = bound - step if step is not None else bound - abs(bound) * 1e-9 - 1e-9
        high = min(high, like(bound, high))
    if low > high:
        raise UnsatisfiableColumn(
            f"{column.name}: its type and CHECK constraints leave no value (from {low} to {high}).",
            hint="Fix the constraint, or override the column in [tool.fixturekit.generate].",
        )
    if plausible is None:
        plausible = (0, 1000) if low <= 0 <= high or low >= 0 else (low, high)
    p_low, p_high = like(plausible[0], low), like(plausible[1], high)
    c_low, c_high = max(low, p_low), min(high, p_high)
    if c_low <= c_high:
        return c_low, c_high
    return low, min(high, low + like(1000, low))


def like(value, reference):
    """`value` converted to the numeric type of `reference`."""
    if isinstance(reference, int) and not isinstance(reference, bool):
        return int(value) if not isinstance(value, Decimal) else int(value.to_integral_value())
    if isinstance(reference, Decimal):
        return Decimal(str(value))
    return float(value)


def _seconds(value) -> float | None:
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, datetime.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return None


def _whole_bounds(narrowing: Narrowing) -> tuple[int | None, int | None]:
    """The CHECK bounds of a time or interval column in whole seconds, exclusive ones moved in."""
    low, high = _seconds(narrowing.low), _seconds(narrowing.high)
    if low is not None:
        low = math.floor(low) + 1 if not narrowing.low_inclusive else math.ceil(low)
    if high is not None:
        high = math.ceil(high) - 1 if not narrowing.high_inclusive else math.floor(high)
    return low, high


def _check_range(column: Column, low: int, high: int) -> tuple[int, int]:
    if low > high:
        raise UnsatisfiableColumn(
            f"{column.name}: its CHECK constraints leave no value.",
            hint="Fix the constraint, or override the column in [tool.fixturekit.generate].",
        )
    return low, high


def time_range(column: Column, narrowing: Narrowing) -> tuple[int, int]:
    """Seconds since midnight a TIME column takes (inclusive): the whole day, or its CHECKs'."""
    low, high = _whole_bounds(narrowing)
    return _check_range(column, max(0, low or 0), min(86399, 86399 if high is None else high))


DEFAULT_DURATION = (60, 30 * 86400)


def duration_range(column: Column, narrowing: Narrowing) -> tuple[int, int]:
    """Seconds an INTERVAL column takes: a minute to 30 days, moved inside its CHECKs' bounds."""
    low, high = _whole_bounds(narrowing)
    default_low, default_high = DEFAULT_DURATION
    if low is None:
        if high is None or high >= default_low:
            low = default_low
        else:
            low = 0 if high >= 0 else high - default_high
    if high is None:
        high = default_high if low < default_high else low + default_high
    return _check_range(column, low, high)
