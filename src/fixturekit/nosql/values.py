"""One-value helpers for document factories (imported as `mv` in generated code).

They turn the plain Python values the shared strategies produce into the BSON types a
`$jsonSchema` validator checks (`bsonType: long` rejects a plain int that fits in 32 bits), and
build arrays. Randomness comes from factory_boy's generator, so `reseed_random` covers them.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import math as _math
from collections.abc import Callable
from typing import Any

import factory.random


def _rng():
    return factory.random.randgen


def object_id() -> Any:
    import bson

    return bson.ObjectId()


def int64(value: Any) -> Any:
    import bson

    return bson.Int64(int(value))


def double(value: Any) -> float:
    return float(value)


def decimal128(value: Any) -> Any:
    import bson

    if not isinstance(value, _decimal.Decimal):
        value = _decimal.Decimal(str(value))
    return bson.Decimal128(value)


def date(value: Any) -> _dt.datetime:
    """A BSON date: a datetime (a bare date becomes midnight; BSON has no date-only type)."""
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    raise TypeError(f"not a date: {value!r}")


def timestamp(value: Any) -> Any:
    import bson

    moment = date(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    return bson.Timestamp(int(moment.timestamp()), 1)


def iso(value: Any) -> str:
    """Text for `format: date-time | date | time`, with the UTC offset RFC 3339 requires."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.UTC)
        return value.isoformat()
    if isinstance(value, _dt.time):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.UTC)
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    raise TypeError(f"not a date, time or datetime: {value!r}")


def clamp(value: Any, low: Any, high: Any) -> Any:
    """`value` kept within [low, high] (None: unbounded); used on values placed after another
    field's, which would otherwise step past the schema's maximum."""
    if low is not None and value < low:
        return low
    if high is not None and value > high:
        return high
    return value


def text(value: Any) -> str:
    return str(value)


def multiple_of(step: float, low: float, high: float) -> Any:
    """A multiple of `step` in [low, high]; an int when step and bounds are whole numbers."""
    first, last = _math.ceil(low / step), _math.floor(high / step)
    if first > last:
        raise ValueError(f"no multiple of {step} lies between {low} and {high}")
    value = _rng().randint(first, last) * step
    if isinstance(step, int) and not isinstance(step, bool):
        return int(value)
    return float(value)


def items(make: Callable[[], Any], low: int, high: int, unique: bool = False) -> list[Any]:
    """Between `low` and `high` values from `make`; distinct ones for `uniqueItems`."""
    count = _rng().randint(low, high)
    if not unique:
        return [make() for _ in range(count)]
    values: list[Any] = []
    attempts = 0
    while len(values) < count:
        value = make()
        if value not in values:
            values.append(value)
            continue
        attempts += 1
        if attempts > 50 * (count + 1):
            if len(values) >= low:
                break  # the domain is smaller than hoped; what we have is still valid
            raise ValueError(f"could not draw {low} distinct items for a uniqueItems array")
    return values


def plain(value: Any) -> Any:
    """The Python value behind a converted one, so `updated_at` can be placed after it.

    Int64 -> int, Decimal128 -> Decimal, ISO text -> datetime/date/time; others unchanged.
    """
    import bson

    if isinstance(value, bson.Int64):
        return int(value)
    if isinstance(value, bson.Decimal128):
        return value.to_decimal()
    if isinstance(value, str):
        for parse in (_dt.datetime.fromisoformat, _dt.date.fromisoformat, _dt.time.fromisoformat):
            try:
                return parse(value)
            except ValueError:
                continue
    return value
