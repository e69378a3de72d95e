"""Strategies over a fixed set of values: a choice (enum labels or members, IN lists), a
constant, a boolean, NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from fixturekit.infer.strategy_base import PythonRef, Strategy, lit


@dataclass(frozen=True)
class Choice(Strategy):
    """One of a fixed set of values (enum labels, IN lists), optionally weighted."""

    values: tuple[Any, ...]
    enum_class: PythonRef | None = None  # choose members of this Enum instead of labels
    weights: tuple[float, ...] | None = None

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return (self.enum_class,) if self.enum_class else ()

    def _choices(self) -> str:
        if self.enum_class:
            if self.values:
                # The qualname reaches an enum nested in a model class (`Order.Status`).
                path = self.enum_class.qualname
                return "[" + ", ".join(f"{path}.{v}" for v in self.values) + "]"
            return f"list({self.enum_class.qualname})"
        return lit(list(self.values))

    def value_source(self) -> str:
        if self.weights:
            return f"fv.weighted({self._choices()}, {list(self.weights)!r})"
        return f"fv.choice({self._choices()})"

    def source(self) -> str:
        if self.weights:
            return super().source()
        return f"factory.fuzzy.FuzzyChoice({self._choices()})"


@dataclass(frozen=True)
class UniqueChoice(Choice):
    """Distinct values from a finite set: row n takes the n-th value; more rows than values fail."""

    wrap: bool = False  # start again after the last value (a get-or-create natural key)

    unique: ClassVar[bool] = True

    def value_source(self) -> str:
        return f"fv.nth({self._choices()}, n{', wrap=True' if self.wrap else ''})"

    def source(self) -> str:
        return f"factory.Sequence(lambda n: {self.value_source()})"


@dataclass(frozen=True)
class Literal(Strategy):
    value: Any

    def value_source(self) -> str:
        return lit(self.value)

    def source(self) -> str:
        return lit(self.value)


@dataclass(frozen=True)
class Boolean(Strategy):
    true_rate: float = 0.5

    def value_source(self) -> str:
        if self.true_rate == 0.5:
            return "fv.boolean()"
        return f"fv.boolean({self.true_rate!r})"

    def source(self) -> str:
        if self.true_rate == 0.5:
            return 'factory.Faker("pybool")'
        return super().source()


@dataclass(frozen=True)
class NullValue(Strategy):
    def value_source(self) -> str:
        return "None"

    def source(self) -> str:
        return "None"
