"""Columns placed relative to another column of the row: by CHECK or by paired names.

`ends_at > starts_at` (a CHECK) and `updated_at` / `created_at` (names that pair) both make the
later column a `Relative` of the earlier one, capped by its own bounds.
"""

from __future__ import annotations

import datetime

from fixturekit.infer import strategies as st
from fixturekit.infer.constraints import Narrowing, narrow
from fixturekit.infer.meanings import ORDERED_PAIRS
from fixturekit.infer.names import match_name
from fixturekit.infer.names import normalise as normalise_name
from fixturekit.infer.numbers import like, step_of, type_bounds
from fixturekit.schema.model import INTEGER_KINDS, NUMBER_KINDS, Column, Kind, Table

_PLACEABLE = NUMBER_KINDS | {Kind.DATE, Kind.DATETIME, Kind.TIME, Kind.INTERVAL, Kind.STRING}


def _counterpart(column: Column, table: Table) -> Column | None:
    """The column this one is ordered after, by name (`ends_at` -> `starts_at`)."""
    name = normalise_name(column.name)
    tokens = name.split("_")
    by_name = {normalise_name(c.name): c for c in table.columns}
    for later, earlier in ORDERED_PAIRS:
        later_tokens, earlier_tokens = later.split("_"), earlier.split("_")
        for i in range(len(tokens) - len(later_tokens) + 1):
            if tokens[i : i + len(later_tokens)] == later_tokens:
                candidate = "_".join(tokens[:i] + earlier_tokens + tokens[i + len(later_tokens) :])
                other = by_name.get(candidate)
                if other is not None and other.kind is column.kind and other is not column:
                    return other
    return None


def _precedes(a: Column, b: Column, table: Table) -> bool:
    names = [c.name for c in table.columns]
    return names.index(a.name) < names.index(b.name)


def _fk_columns(table: Table | None) -> set[str]:
    return {c for fk in table.foreign_keys for c in fk.columns} if table else set()


def relation_choice(
    column: Column, table: Table | None, narrowing: Narrowing, fallback: st.Strategy
) -> tuple[st.Relative, str] | None:
    """(strategy, reason) placing `column` after an earlier column, or None when none applies.

    `fallback` gives the column's value when the other column is NULL.
    """
    if table is None or column.kind not in _PLACEABLE:
        return None
    fk_columns = _fk_columns(table)
    for relation in narrowing.relations:
        if not table.has_column(relation.right) or column.name in fk_columns:
            continue
        other = table.column(relation.right)
        if relation.right in fk_columns or other.autoincrement or other.computed:
            continue
        if not _precedes(other, column, table):
            continue  # the other column takes the relation from its side
        high = _ceiling(column, narrowing)
        low = _floor(column, narrowing)
        bounded = low is not None or (
            narrowing.high is not None and column.kind not in (Kind.DATE, Kind.DATETIME)
        )
        return (
            st.Relative(other.python_name, relation.op, fallback, step_of(column), high, low),
            f"{relation.op} {other.name} (CHECK)" + (", within its own bounds" if bounded else ""),
        )
    if column.kind in (Kind.DATE, Kind.DATETIME) or column.kind in INTEGER_KINDS | {Kind.NUMERIC}:
        other = _counterpart(column, table)
        if other is not None and _precedes(other, column, table) and other.name not in fk_columns:
            high = _ceiling(column, narrowing)
            return (
                st.Relative(other.python_name, ">=", fallback, step_of(column), high),
                f"not before {other.name} (by name)",
            )
    return None


def _ceiling(column: Column, narrowing: Narrowing):
    """The largest value a column placed after another may take."""
    if column.kind in (Kind.TIME, Kind.INTERVAL):
        return _inclusive(narrowing.high, narrowing.high_inclusive, -1)
    if column.kind in (Kind.DATE, Kind.DATETIME):
        rule = match_name(column.name, column.kind)
        if rule is not None and rule.meaning == "future":
            return None
        return "today" if column.kind is Kind.DATE else "now"
    if column.kind in INTEGER_KINDS | {Kind.NUMERIC}:
        high = type_bounds(column)[1]
        if narrowing.high is not None:
            bound = narrowing.high if narrowing.high_inclusive else narrowing.high - step_of(column)
            high = min(high, like(bound, high))
        return high
    return None


def _inclusive(bound, inclusive: bool, direction: int):
    """A bound of a time or interval column made inclusive (one second inward), or None."""
    if bound is None or inclusive:
        return bound
    if isinstance(bound, datetime.timedelta):
        return bound + direction * datetime.timedelta(seconds=1)
    if isinstance(bound, datetime.time):
        seconds = bound.hour * 3600 + bound.minute * 60 + bound.second + direction
        seconds = max(0, min(86399, seconds))
        return datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return bound


def _floor(column: Column, narrowing: Narrowing):
    """The smallest value a column placed before another may take: its own lower bound."""
    if narrowing.low is None:
        return None
    if column.kind in (Kind.TIME, Kind.INTERVAL):
        return _inclusive(narrowing.low, narrowing.low_inclusive, 1)
    if column.kind in INTEGER_KINDS | {Kind.NUMERIC}:
        bound = narrowing.low if narrowing.low_inclusive else narrowing.low + step_of(column)
        return like(bound, type_bounds(column)[0])
    if column.kind in (Kind.DATE, Kind.DATETIME) and isinstance(narrowing.low, datetime.date):
        return narrowing.low
    return None


def _comparable(a: Column, b: Column) -> bool:
    return a.kind is b.kind or (a.kind in NUMBER_KINDS and b.kind in NUMBER_KINDS)


def leave_room_for_later_columns(column: Column, table: Table | None, narrowing: Narrowing) -> None:
    """Bound `column` by the constant bounds of a later column placed relative to it.

    With `opens_at < closes_at` and `closes_at <= '18:00'`, `opens_at` must stay before 18:00,
    or no `closes_at` fits; likewise `x >= 0 AND x <= y` floors `y` at 0. Only the later
    column's own constant bounds are read (no chains).
    """
    if table is None or column.kind not in _PLACEABLE or column.kind is Kind.STRING:
        return
    fk_columns = _fk_columns(table)
    if column.name in fk_columns or column.autoincrement or column.computed:
        return
    for relation in narrowing.relations:
        if not table.has_column(relation.right):
            continue
        later = table.column(relation.right)
        if not _comparable(column, later) or _precedes(later, column, table):
            continue
        if later.name in fk_columns or later.computed:
            continue
        bounds = narrow(later, table)
        strict = relation.op in ("<", ">")
        if relation.op in ("<", "<="):
            high, inclusive = bounds.high, bounds.high_inclusive
            if high is None and column.kind is Kind.TIME:
                high, inclusive = datetime.time(23, 59, 59), True
            narrowing.tighten_high(high, inclusive and not strict)
        elif relation.op in (">", ">="):
            low, inclusive = bounds.low, bounds.low_inclusive
            if low is None and column.kind is Kind.TIME:
                low, inclusive = datetime.time(0, 0, 0), True
            narrowing.tighten_low(low, inclusive and not strict)
