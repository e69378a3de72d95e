"""The Hypothesis rendering of every value strategy obeys the same checks as the bulk and the
one-value renderings (the examples of tests/seed/test_bulk.py), and shrinks."""

from __future__ import annotations

import datetime as dt
import enum
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as hs

from fixturekit.infer import strategies as st
from fixturekit.schema.model import Column, ColumnType, Kind
from fixturekit.strategies import NoHypothesisRendering, column_strategy
from fixturekit.strategies.columns import RowDependent

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "seed"))
import test_bulk

NO_RENDERING = {st.Custom}  # arbitrary user code has no domain to search


def _examples() -> list[test_bulk.Example]:
    return [
        e
        for cls, examples in test_bulk.EXAMPLES.items()
        if cls not in NO_RENDERING
        for e in examples
    ]


def test_every_strategy_class_has_a_hypothesis_rendering():
    base = column_strategy.dispatch(object)
    for cls in test_bulk.strategy_classes():
        if cls in NO_RENDERING:
            continue
        assert column_strategy.dispatch(cls) is not base, f"{cls.__name__} has no rendering"


def _values(example: test_bulk.Example) -> hs.SearchStrategy:
    rendered = column_strategy(example.strategy, example.column)
    if not isinstance(rendered, RowDependent):
        return rendered
    row = {}
    for name, values in example.others.items():
        value = values[0]
        row[name] = value.item() if hasattr(value, "item") else value
    return rendered.given(row)


@pytest.mark.parametrize(
    "example", _examples(), ids=lambda e: re.sub(r" at 0x[0-9a-f]+", "", repr(e.strategy))[:60]
)
def test_hypothesis_values_obey_the_constraints_of_the_other_renderings(example):
    seen: list[Any] = []

    @settings(max_examples=60, database=None, suppress_health_check=list(HealthCheck))
    @given(_values(example))
    def check(value):
        seen.append(value)
        if isinstance(value, enum.Enum):  # objects take members; the bulk check reads labels
            value = value.name
        assert example.check(value), f"{value!r} fails the check"

    check()
    assert seen


def test_custom_declarations_name_the_column():
    column = Column("token", ColumnType(Kind.STRING, length=10), nullable=False)
    with pytest.raises(NoHypothesisRendering, match="'token'"):
        column_strategy(st.Custom("factory.Sequence(str)"), column)


@pytest.mark.parametrize(
    ("strategy", "kind", "predicate", "minimal"),
    [
        (st.IntRange(1, 99), Kind.INTEGER, lambda v: v > 5, 6),
        (st.Code(3), Kind.STRING, lambda v: v > "M", "MAA"),
        (
            st.DateRange("2024-01-01", "2024-12-31"),
            Kind.DATE,
            lambda v: v.month > 1,
            dt.date(2024, 2, 1),
        ),
        (st.Choice(("a", "b", "c")), Kind.STRING, lambda v: v != "a", "b"),
    ],
)
def test_values_shrink_to_the_minimal_example(strategy, kind, predicate, minimal):
    column = Column("v", ColumnType(kind, length=3), nullable=False)
    found = find(column_strategy(strategy, column), predicate, settings=settings(database=None))
    assert found == minimal


def test_relative_values_shrink_to_the_smallest_gap():
    start = dt.datetime(2024, 1, 1, 12, 0)
    rendered = column_strategy(st.Relative("starts_at", ">", st.DateTimeRange()))
    assert isinstance(rendered, RowDependent)
    found = find(
        rendered.given({"starts_at": start}), lambda v: True, settings=settings(database=None)
    )
    assert found == start + dt.timedelta(seconds=1)


def test_polymorphic_key_renders_as_its_column_type():
    # factories make the selected table's row; a Hypothesis object draws what the type gives
    from fixturekit.schema.model import Column, ColumnType, Kind

    column = Column("schedule_id", ColumnType(Kind.INTEGER), nullable=False)
    rendered = column_strategy(
        st.PolymorphicKey("kind", (("crontab", "CronFactory", "id"),)), column
    )

    @settings(max_examples=30, database=None)
    @given(rendered)
    def check(value):
        assert isinstance(value, int) and value >= 0

    check()
