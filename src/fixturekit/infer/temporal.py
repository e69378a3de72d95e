"""Strategies for dates, times of day and durations, and for values placed relative to (or
derived from) another column of the row. Re-exported by `fixturekit.infer.strategies`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from fixturekit.infer.choice_strategies import Literal
from fixturekit.infer.strategy_base import Strategy, lit
from fixturekit.schema.model import PythonRef


@dataclass(frozen=True)
class DateRange(Strategy):
    """Dates between two bounds: dates, or Faker-style offsets such as "-2y" and "today"."""

    start: Any = "-2y"
    end: Any = "today"

    def value_source(self) -> str:
        return f"fv.date_between({lit(self.start)}, {lit(self.end)})"


@dataclass(frozen=True)
class DateTimeRange(Strategy):
    start: Any = "-2y"  # a datetime, or a Faker-style offset
    end: Any = "now"
    timezone: bool = False

    def value_source(self) -> str:
        tz = ", aware=True" if self.timezone else ""
        return f"fv.datetime_between({lit(self.start)}, {lit(self.end)}{tz})"


@dataclass(frozen=True)
class TimeOfDay(Strategy):
    """A time of day, from `low` to `high` seconds since midnight (inclusive)."""

    low: int = 0
    high: int = 86399

    @property
    def bounded(self) -> bool:
        return (self.low, self.high) != (0, 86399)

    def value_source(self) -> str:
        return f"fv.time_of_day({self.low}, {self.high})" if self.bounded else "fv.time_of_day()"

    def source(self) -> str:
        return super().source() if self.bounded else 'factory.Faker("time_object")'


@dataclass(frozen=True)
class Duration(Strategy):
    """A duration from `low` seconds to `high` seconds (default: `max_days` days)."""

    max_days: int = 30
    low: int = 60
    high: int | None = None

    @property
    def high_seconds(self) -> int:
        return self.max_days * 86400 if self.high is None else self.high

    def value_source(self) -> str:
        if self.low == 60 and self.high is None:
            return f"fv.duration({self.max_days})"
        return f"fv.duration({self.max_days}, {self.low}, {self.high_seconds})"


@dataclass(frozen=True)
class Relative(Strategy):
    """A value placed relative to another column of the same row (`ends_at > starts_at`).

    `op` is the comparison the value must satisfy against `other`, e.g. ">" means strictly
    after/greater. `fallback` produces a value when the other column is NULL.
    """

    other: str  # attribute name of the other column on the instance
    op: str
    fallback: Strategy = field(default_factory=lambda: Literal(None))
    step: Any = None  # the smallest representable gap: 1, Decimal("0.01"), a timedelta
    high: Any = None  # the largest value the column takes: a number, or "now" / "today"
    low: Any = None  # the smallest value the column takes, when placed before the other

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return self.fallback.python_refs

    def value_source(self) -> str:
        return self.fallback.value_source()

    def source(self) -> str:
        step = f", step={lit(self.step)}" if self.step is not None else ""
        high = f", high={lit(self.high)}" if self.high is not None else ""
        low = f", low={lit(self.low)}" if self.low is not None else ""
        return (
            f"factory.LazyAttribute(lambda o: fv.relative(o.{self.other}, {lit(self.op)}, "
            f"lambda: {self.fallback.value_source()}{step}{high}{low}))"
        )


@dataclass(frozen=True)
class FromColumn(Strategy):
    """A value computed from another column of the row (an email from the name, a slug)."""

    other: str
    transform: str  # name of a function in fixturekit.values taking the other value
    max_length: int | None = None

    def value_source(self) -> str:
        raise NotImplementedError("FromColumn needs the row; use source()")

    def source(self) -> str:
        extra = f", max_length={self.max_length}" if self.max_length else ""
        return f"factory.LazyAttribute(lambda o: fv.{self.transform}(o.{self.other}{extra}))"


@dataclass(frozen=True)
class SequenceDate(Strategy):
    """Distinct dates (or datetimes) one step apart, counting back from a start."""

    start: str  # "today", an offset, or an ISO date or datetime
    step_seconds: int = 86400
    with_time: bool = False
    timezone: bool = False

    unique: ClassVar[bool] = True

    def value_source(self) -> str:
        extra = ", aware=True" if self.timezone else ""
        kind = "datetime" if self.with_time else "date"
        return f"fv.{kind}_sequence(n, {lit(self.start)}, {self.step_seconds}{extra})"
