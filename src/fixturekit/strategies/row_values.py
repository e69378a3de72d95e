"""Hypothesis renderings of values that depend on another column of the row.

`ends_at > starts_at` is the other column's value plus a drawn number of steps, shrinking to
the smallest valid gap and kept within the column's own bounds; a time of day moves as seconds
since midnight. Derived values (an email from a name) transform the other column's value.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import assume
from hypothesis import strategies as hs

from fixturekit.infer import strategies as st
from fixturekit.schema.model import Column
from fixturekit.strategies.columns import (
    ColumnStrategy,
    Draw,
    NoHypothesisRendering,
    RowDependent,
    SearchStrategy,
    column_strategy,
    today,
)
from fixturekit.values.relative import seconds_of_day, time_of_seconds


def _step(value: Any, step: Any) -> Any:
    if step is not None:
        return step
    if isinstance(value, dt.datetime):
        return dt.timedelta(seconds=1)
    if isinstance(value, dt.date):
        return dt.timedelta(days=1)
    if isinstance(value, decimal.Decimal):
        return decimal.Decimal(1).scaleb(value.as_tuple().exponent)
    if isinstance(value, float):
        return 0.001
    return 1


def _ceiling(high: Any, like: Any) -> Any:
    if high is None:
        return None
    if high in ("now", "today"):
        anchor = dt.datetime.combine(today(), dt.time()) + dt.timedelta(days=1)
        if isinstance(like, dt.datetime):
            return anchor.replace(tzinfo=like.tzinfo)
        if isinstance(like, dt.date):
            return anchor.date()
        return None
    return high


_STEPS = hs.integers(0, 1000)
_SEEDS = hs.integers(0, 2**16)


def _relative(strategy: st.Relative, fallback: SearchStrategy) -> RowDependent:
    op = strategy.op

    def draw_value(draw: Draw, row: Mapping[str, Any]) -> Any:
        other = row.get(strategy.other)
        if other is None or isinstance(other, str):
            value = draw(fallback)
            assume(other is None or _holds(value, op, other))
            return value
        if op == "=":
            return other
        if isinstance(other, dt.time):  # moved as seconds since midnight, never past 23:59:59
            seconds = _placed(
                seconds_of_day(other),
                op,
                1,
                seconds_of_day(strategy.high) if strategy.high is not None else 86_399,
                seconds_of_day(strategy.low) if strategy.low is not None else 0,
                draw,
            )
            return time_of_seconds(seconds, other.tzinfo)
        step = _step(other, strategy.step)
        low = strategy.low if strategy.low not in ("now", "today") else None
        return _placed(other, op, step, _ceiling(strategy.high, other), low, draw)

    return RowDependent((strategy.other,), draw_value)


def _placed(other: Any, op: str, step: Any, ceiling: Any, floor: Any, draw: Draw) -> Any:
    """`other` moved k steps in the direction of `op`, within `floor` and `ceiling`."""
    sign = -1 if op in ("<", "<=") else 1
    least = 0 if op in (">=", "<=") else 1
    # An other beyond the column's own bound: start from the bound, which keeps the relation.
    if sign > 0 and floor is not None and other < floor:
        other, least = floor, 0
    elif sign < 0 and ceiling is not None and other > ceiling:
        other, least = ceiling, 0
    most = 1000
    bound = ceiling if sign > 0 else floor
    if bound is not None:
        room = (bound - other) if sign > 0 else (other - bound)
        if room < step * least:
            assume(least == 0)
            return other
        most = max(least, min(most, int(room / step)))
    # k steps away, k shrinking to the smallest gap the relation allows
    k = least + draw(_STEPS) % (most - least + 1)
    return other + sign * k * step


def _holds(value: Any, op: str, other: Any) -> bool:
    if value is None:
        return True
    return {
        "<": value < other,
        "<=": value <= other,
        ">": value > other,
        ">=": value >= other,
        "=": value == other,
    }.get(op, value != other)


@column_strategy.register
def _(strategy: st.Relative, column: Column | None = None) -> ColumnStrategy:
    fallback = column_strategy(strategy.fallback, column)
    if isinstance(fallback, RowDependent):
        raise NoHypothesisRendering(f"{strategy!r}: a relative value's fallback needs a row")
    return _relative(strategy, fallback)


@column_strategy.register
def _(strategy: st.FromColumn, column: Column | None = None) -> ColumnStrategy:
    from fixturekit import values as fv

    transform = getattr(fv, strategy.transform)

    def draw_value(draw: Draw, row: Mapping[str, Any]) -> Any:
        source = row.get(strategy.other)
        # A transform may pick one detail at random (an email's domain): the randomness comes
        # from a drawn seed, so an example replays and shrinks with the column it derives from.
        seed = draw(_SEEDS)
        return _seeded(seed, lambda: transform(source, max_length=strategy.max_length))

    return RowDependent((strategy.other,), draw_value)


def _seeded(seed: int, call: Callable[[], Any]) -> Any:
    import factory.random

    state = factory.random.get_random_state()
    factory.random.reseed_random(seed)
    try:
        return call()
    finally:
        factory.random.set_random_state(state)
