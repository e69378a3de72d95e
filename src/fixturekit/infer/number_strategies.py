"""Number strategies: counting sequences and integer, decimal and float ranges.

The bounds arrive already narrowed by the column's type and CHECKs (fixturekit.infer.numbers);
these only say how to draw inside them.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from typing import ClassVar

from fixturekit.infer.strategy_base import Strategy, lit


@dataclass(frozen=True)
class SequenceInt(Strategy):
    """Distinct integers `start + n * step`, kept inside the column's range."""

    start: int = 1
    maximum: int | None = None

    unique: ClassVar[bool] = True

    def value_source(self) -> str:
        if self.maximum is None:
            return f"n + {self.start}" if self.start else "n"
        return f"fv.bounded_sequence(n, {self.start}, {self.maximum})"


@dataclass(frozen=True)
class IntRange(Strategy):
    low: int
    high: int

    def value_source(self) -> str:
        return f"fv.integer({self.low}, {self.high})"

    def source(self) -> str:
        return f"factory.fuzzy.FuzzyInteger({self.low}, {self.high})"


@dataclass(frozen=True)
class DecimalRange(Strategy):
    """Decimals with `places` digits after the point, inclusive bounds already narrowed."""

    low: decimal.Decimal
    high: decimal.Decimal
    places: int

    def value_source(self) -> str:
        return f"fv.decimal({lit(self.low)}, {lit(self.high)}, {self.places})"


@dataclass(frozen=True)
class FloatRange(Strategy):
    low: float
    high: float

    def value_source(self) -> str:
        return f"fv.floating({self.low!r}, {self.high!r})"

    def source(self) -> str:
        return f"factory.fuzzy.FuzzyFloat({self.low!r}, {self.high!r})"
