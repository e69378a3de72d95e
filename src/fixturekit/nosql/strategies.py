"""Strategies that only documents need: BSON types and arrays of values.

They follow the shared `Strategy` contract (`source()`, `declaration()`, `one()`); their
sources may also use `bson` and `mv` (fixturekit.nosql.values), which generated document
modules import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from fixturekit.infer import strategies as st
from fixturekit.schema.model import PythonRef

ROW_PREFIX = "factory.LazyAttribute(lambda o: "


def document_namespace() -> dict[str, Any]:
    import bson

    from fixturekit.nosql import values as mv

    return {"bson": bson, "mv": mv}


@dataclass(frozen=True)
class DocumentStrategy(st.Strategy):
    def namespace(self) -> dict[str, Any]:
        return {**super().namespace(), **document_namespace()}


@dataclass(frozen=True)
class ObjectIdValue(DocumentStrategy):
    """A fresh ObjectId, as the server would assign: unique and time-ordered."""

    unique: ClassVar[bool] = False  # unique without a sequence number

    def value_source(self) -> str:
        return "bson.ObjectId()"

    def source(self) -> str:
        return "factory.LazyFunction(bson.ObjectId)"


@dataclass(frozen=True)
class Converted(DocumentStrategy):
    """Another strategy's value passed through a conversion (`mv.int64`, `mv.iso`, ...).

    The shared strategies produce Python values (int, Decimal, datetime); a validator that says
    `bsonType: long` or `format: date-time` needs `Int64` or ISO text instead.
    """

    inner: st.Strategy
    function: str  # a name in fixturekit.nosql.values
    args: tuple[Any, ...] = ()  # further arguments after the value (bounds for `clamp`)

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return self.inner.python_refs

    def _call(self, expression: str) -> str:
        extra = "".join(f", {st.lit(a)}" for a in self.args)
        return f"mv.{self.function}({expression}{extra})"

    @property
    def unique(self) -> bool:  # type: ignore[override]
        return self.inner.unique

    def namespace(self) -> dict[str, Any]:
        return {**self.inner.namespace(), **document_namespace()}

    def value_source(self) -> str:
        return self._call(self.inner.value_source())

    def source(self) -> str:
        inner = self.inner
        # Row-dependent values (`updated_at` after `created_at`) stay row-dependent. The other
        # field holds a converted value too (ISO text, Int64), so it is read back as plain
        # Python before the comparison.
        if isinstance(inner, st.Relative):
            step = f", step={st.lit(inner.step)}" if inner.step is not None else ""
            relative = (
                f"fv.relative(mv.plain(o.{inner.other}), {inner.op!r}, "
                f"lambda: {inner.fallback.value_source()}{step})"
            )
            return f"{ROW_PREFIX}{self._call(relative)})"
        text = inner.source()
        if text.startswith(ROW_PREFIX) and text.endswith(")"):
            return f"{ROW_PREFIX}{self._call(text[len(ROW_PREFIX) : -1])})"
        return super().source()


@dataclass(frozen=True)
class MultipleOf(DocumentStrategy):
    step: int | float
    low: int | float
    high: int | float

    def value_source(self) -> str:
        return f"mv.multiple_of({self.step!r}, {self.low!r}, {self.high!r})"


@dataclass(frozen=True)
class ArrayItems(DocumentStrategy):
    """A list of `low`..`high` values of one strategy (`uniqueItems` makes them distinct)."""

    item: st.Strategy
    low: int
    high: int
    distinct: bool = False

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return self.item.python_refs

    def namespace(self) -> dict[str, Any]:
        return {**self.item.namespace(), **document_namespace()}

    def value_source(self) -> str:
        extra = ", unique=True" if self.distinct else ""
        return f"mv.items(lambda: {self.item.value_source()}, {self.low}, {self.high}{extra})"


@dataclass(frozen=True)
class BsonConstant(DocumentStrategy):
    """A fixed value of a BSON type with no realistic generator (regex, code, min/max key)."""

    expression: str

    def value_source(self) -> str:
        return self.expression
