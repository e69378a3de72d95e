"""One value placed relative to another column of the row (`ends_at > starts_at`), within bounds.

Numbers, dates, datetimes, intervals and times of day: the value moves away from the other by a
random gap, and the gap shrinks when the column's own bounds (`high` above, `low` below) leave
less room. Times of day are moved as seconds since midnight, so they never wrap past 23:59:59.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
from collections.abc import Callable
from typing import Any

_DAY_SECONDS = 86400


def _rng():
    # Imported on first use: `factory` pulls in its ORM integrations (Django among them),
    # which cost `fixturekit seed` most of a second of start-up and which seeding never uses.
    import factory.random

    return factory.random.randgen


def seconds_of_day(value: _dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def time_of_seconds(seconds: int, tzinfo: Any = None) -> _dt.time:
    seconds = max(0, min(_DAY_SECONDS - 1, int(seconds)))
    return _dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, tzinfo=tzinfo)


def _resolve(bound: Any, like: Any) -> Any:
    """ "now" and "today" as the start of the anchor day (fixturekit.values.anchor_day), so a
    replay on the same day reproduces the values."""
    if bound in ("now", "today"):
        from fixturekit.values import anchor_day

        day = anchor_day()
        if isinstance(like, _dt.datetime):
            return _dt.datetime.combine(day, _dt.time(), tzinfo=like.tzinfo)
        return day
    return bound


def _gap(other: Any, step: Any) -> Any:
    if isinstance(other, _dt.datetime):
        return _dt.timedelta(seconds=_rng().randint(60, 30 * 86400))
    if isinstance(other, _dt.date):
        return _dt.timedelta(days=_rng().randint(1, 30))
    if isinstance(other, _dt.timedelta):
        return _dt.timedelta(seconds=_rng().randint(60, 86400))
    if isinstance(other, _decimal.Decimal):
        unit = step if step is not None else _decimal.Decimal(1).scaleb(other.as_tuple().exponent)
        return unit * _rng().randint(1, 100)
    if isinstance(other, int) and not isinstance(other, bool):
        return (step or 1) * _rng().randint(1, 100)
    if isinstance(other, float):
        return _rng().uniform(0.001, 100.0)
    return None


def _fit(other: Any, gap: Any, room: Any, step: Any, strict: bool) -> Any:
    """The gap to use when only `room` is left between `other` and the bound."""
    smallest = step if step is not None else gap * 0
    if room > smallest or (not strict and room >= smallest):
        fraction = _rng().random()
        if isinstance(room, int):
            moved = int(room * fraction)
        elif isinstance(room, _decimal.Decimal):
            moved = room * _decimal.Decimal(str(round(fraction, 6)))
            if step is not None:
                moved = moved.quantize(step, rounding=_decimal.ROUND_DOWN)
        else:
            moved = room * fraction
        if strict and moved < (step if step is not None else room):
            moved = step if step is not None else room
        return moved
    # No gap fits: equal where allowed, else the smallest step (the database will say so).
    return gap * 0 if not strict else (step if step is not None else gap)


def relative(
    other: Any,
    op: str,
    fallback: Callable[[], Any],
    step: Any = None,
    high: Any = None,
    low: Any = None,
) -> Any:
    """A value that stands in relation `op` to `other` (`>` after it, `<` before it, ...).

    `high` caps values placed after `other` (a column's maximum, or "now" for past times) and
    `low` floors values placed before it: the gap shrinks to fit. A value placed after an
    `other` below `low` starts from `low` instead (and likewise below a `high` under `other`),
    so it keeps both its relation and its own bounds.
    """
    if other is None:
        return fallback()
    if op == "=":
        return other
    if isinstance(other, _dt.time):
        seconds = relative(
            seconds_of_day(other),
            op,
            lambda: seconds_of_day(fallback()),
            1,
            seconds_of_day(high) if isinstance(high, _dt.time) else _DAY_SECONDS - 1,
            seconds_of_day(low) if isinstance(low, _dt.time) else 0,
        )
        return time_of_seconds(seconds, other.tzinfo)
    gap = _gap(other, step)
    if gap is None:
        value = fallback()
        for _ in range(50):
            if value != other:
                return value
            value = fallback()
        raise ValueError(f"could not find a value different from {other!r}")
    if op not in ("<", "<=", ">", ">=", "<>"):
        raise ValueError(f"unknown comparison {op!r}")
    strict = op in ("<", ">", "<>")
    if op in ("<", "<=") and high is not None and other > _resolve(high, other):
        other, strict = _resolve(high, other), False
    elif op in (">", ">=") and low is not None and other < _resolve(low, other):
        other, strict = _resolve(low, other), False
    if op in ("<", "<="):
        limit = _resolve(low, other) if low is not None else None
        if limit is not None and other - gap < limit:
            gap = _fit(other, gap, other - limit, step, strict)
        return other - gap
    limit = _resolve(high, other) if high is not None else None
    if limit is not None and other + gap > limit:
        gap = _fit(other, gap, limit - other, step, strict)
    return other + gap
