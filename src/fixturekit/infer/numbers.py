"""Numeric and temporal bounds of a column: what its type holds, its CHECKs allow, its step."""

from __future__ import annotations

import datetime
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
    if kind is Kind.DATETIME:
        return datetime.timedelta(seconds=1)
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
