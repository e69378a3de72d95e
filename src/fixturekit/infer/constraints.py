"""Constraint narrowing: what CHECK constraints (and extra predicates) allow for one column.

Collects every predicate that mentions a column into a `Narrowing`: numeric bounds, allowed
and excluded values, length bounds, letter case, patterns, and relations to other columns.
The inference reads the narrowing; nothing here picks values.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from fixturekit.schema.model import Column, Table
from fixturekit.schema.predicates import (
    FLIPPED,
    ColumnCompare,
    Compare,
    InSet,
    Length,
    LetterCase,
    NotNull,
    NullOr,
    Pattern,
    Predicate,
)


@dataclass
class Narrowing:
    """Everything the constraints say about one column's values."""

    low: Any = None
    low_inclusive: bool = True
    high: Any = None
    high_inclusive: bool = True
    allowed: tuple[Any, ...] | None = None
    excluded: list[Any] = field(default_factory=list)
    min_length: int | None = None
    max_length: int | None = None
    case: str | None = None
    patterns: list[Pattern] = field(default_factory=list)
    relations: list[ColumnCompare] = field(default_factory=list)  # oriented: left is us
    not_null: bool = False
    notes: list[str] = field(default_factory=list)  # predicates understood but not honoured
    sources: list[str] = field(default_factory=list)  # the CHECK texts that applied

    @property
    def empty(self) -> bool:
        return not (
            self.low is not None
            or self.high is not None
            or self.allowed is not None
            or self.excluded
            or self.min_length is not None
            or self.max_length is not None
            or self.case
            or self.patterns
            or self.relations
        )

    def tighten_low(self, value: Any, inclusive: bool) -> None:
        if value is None:
            return
        if self.low is None or value > self.low or (value == self.low and not inclusive):
            self.low, self.low_inclusive = value, inclusive

    def tighten_high(self, value: Any, inclusive: bool) -> None:
        if value is None:
            return
        if self.high is None or value < self.high or (value == self.high and not inclusive):
            self.high, self.high_inclusive = value, inclusive

    def tighten_min_length(self, value: int) -> None:
        self.min_length = value if self.min_length is None else max(self.min_length, value)

    def tighten_max_length(self, value: int) -> None:
        self.max_length = value if self.max_length is None else min(self.max_length, value)


def coerce(value: Any, column: Column) -> Any:
    """Convert a literal parsed from SQL to the column's Python type, or return it unchanged."""
    from fixturekit.schema.model import INTEGER_KINDS, Kind

    kind = column.kind
    try:
        if kind in INTEGER_KINDS and not isinstance(value, bool):
            return int(Decimal(str(value)))
        if kind is Kind.NUMERIC:
            return Decimal(str(value))
        if kind is Kind.FLOAT:
            return float(value)
        if kind is Kind.DATE and isinstance(value, str):
            return datetime.date.fromisoformat(value[:10])
        if kind is Kind.TIME and isinstance(value, str):
            return datetime.time.fromisoformat(value.strip())
        if kind is Kind.INTERVAL and isinstance(value, str):
            from fixturekit.schema.intervals import parse_interval

            return parse_interval(value) or value
        if kind is Kind.DATETIME and isinstance(value, str):
            parsed = datetime.datetime.fromisoformat(value)
            if column.type.timezone and parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=datetime.UTC)
            return parsed
    except (InvalidOperation, ValueError, TypeError):
        return value
    return value


def _apply_compare(narrowing: Narrowing, op: str, value: Any, column: Column) -> None:
    value = coerce(value, column)
    if op == ">":
        narrowing.tighten_low(value, False)
    elif op == ">=":
        narrowing.tighten_low(value, True)
    elif op == "<":
        narrowing.tighten_high(value, False)
    elif op == "<=":
        narrowing.tighten_high(value, True)
    elif op == "=":
        narrowing.allowed = (value,)
    elif op == "<>":
        narrowing.excluded.append(value)


def _apply(narrowing: Narrowing, predicate: Predicate, column: Column) -> None:
    name = column.name
    if isinstance(predicate, NullOr):
        _apply(narrowing, predicate.predicate, column)
    elif isinstance(predicate, Compare) and predicate.column == name:
        _apply_compare(narrowing, predicate.op, predicate.value, column)
    elif isinstance(predicate, InSet) and predicate.column == name:
        values = tuple(coerce(v, column) for v in predicate.values if v is not None)
        if predicate.negated:
            narrowing.excluded.extend(values)
        elif narrowing.allowed is None:
            narrowing.allowed = values
        else:
            narrowing.allowed = tuple(v for v in narrowing.allowed if v in values)
    elif isinstance(predicate, Length) and predicate.column == name:
        op, n = predicate.op, predicate.value
        if op in ("=", ">=", ">"):
            narrowing.tighten_min_length(n + (1 if op == ">" else 0))
        if op in ("=", "<=", "<"):
            narrowing.tighten_max_length(n - (1 if op == "<" else 0))
        if op == "<>" and n == 0:
            narrowing.tighten_min_length(1)
    elif isinstance(predicate, LetterCase) and predicate.column == name:
        narrowing.case = predicate.case
    elif isinstance(predicate, Pattern) and predicate.column == name:
        if predicate.negated:
            narrowing.notes.append(f"NOT matching {predicate.source or predicate.regex}")
        else:
            narrowing.patterns.append(predicate)
    elif isinstance(predicate, ColumnCompare):
        if predicate.left == name and predicate.right != name:
            narrowing.relations.append(predicate)
        elif predicate.right == name and predicate.left != name:
            narrowing.relations.append(ColumnCompare(name, FLIPPED[predicate.op], predicate.left))
    elif isinstance(predicate, NotNull) and predicate.column == name:
        narrowing.not_null = True


def narrow(column: Column, table: Table | None, extra: tuple[Predicate, ...] = ()) -> Narrowing:
    """The narrowing of `column` from its table's CHECK constraints plus `extra` predicates."""
    narrowing = Narrowing()
    if table is not None:
        for check in table.checks:
            parsed = check.parsed
            if column.name not in parsed.columns:
                continue
            narrowing.sources.append(check.sql)
            for predicate in parsed.predicates:
                _apply(narrowing, predicate, column)
    for predicate in extra:
        _apply(narrowing, predicate, column)
    if column.type.length is not None and column.kind.value in ("string", "text"):
        narrowing.tighten_max_length(column.type.length)
    return narrowing
