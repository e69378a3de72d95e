"""Bulk `Relative` values keep their relation and their own bounds, whatever the axis."""

from __future__ import annotations

import datetime as dt

import numpy as np

from fixturekit.infer.strategies import Duration, IntRange, Relative, TimeOfDay
from fixturekit.schema.model import Column, ColumnType, Kind
from fixturekit.values.bulk import BulkContext, bulk_values
from fixturekit.values.pools import object_array


def _ctx(kind: Kind, other) -> BulkContext:
    return BulkContext(
        seed=7, table="t", column=Column("x", ColumnType(kind)), columns={"o": other}
    )


def test_integers_below_a_column_stay_above_their_floor():
    other = np.arange(0, 1000, dtype=np.int64)
    strategy = Relative("o", "<=", IntRange(0, 10), 1, 2**31 - 1, 0)
    values = bulk_values(strategy, len(other), _ctx(Kind.INTEGER, other))
    assert (values >= 0).all()
    assert (values <= other).all() and (values < other).any()


def test_bigint_type_bounds_do_not_overflow():
    other = np.array([-5, 0, 10**12], dtype=np.int64)
    strategy = Relative("o", ">", IntRange(0, 10), 1, 2**63 - 1)
    values = bulk_values(strategy, 3, _ctx(Kind.BIGINT, other))
    assert (values > other).all() and (values - other <= 100).all()


def test_times_never_pass_midnight_and_nulls_fall_back():
    times = [dt.time(23, 59, 58), dt.time(8, 0), None, dt.time(12, 30)]
    other = object_array(times)
    strategy = Relative("o", ">", TimeOfDay(61200, 86399), 1, None, dt.time(17, 0))
    values = bulk_values(strategy, 4, _ctx(Kind.TIME, other)).tolist()
    assert values[0] == dt.time(23, 59, 59)
    assert dt.time(17, 0) <= values[1] and values[1] > dt.time(8, 0)
    assert values[2] >= dt.time(17, 0)
    assert values[3] >= dt.time(17, 0)


def test_intervals_move_by_seconds_within_their_ceiling():
    other = (np.array([0, 600, 3599], dtype=np.int64)).astype("timedelta64[s]")
    strategy = Relative(
        "o", ">", Duration(30, 60, 3600), dt.timedelta(seconds=1), dt.timedelta(hours=1)
    )
    values = bulk_values(strategy, 3, _ctx(Kind.INTERVAL, other))
    assert (values > other).all() and (values <= np.timedelta64(3600, "s")).all()
