"""Columns placed relative to another column of the row: by CHECK or by paired names.

`ends_at > starts_at` (a CHECK) and `updated_at` / `created_at` (names that pair) both make the
later column a `Relative` of the earlier one, capped by its own bounds.
"""

from __future__ import annotations

from fixturekit.infer import strategies as st
from fixturekit.infer.constraints import Narrowing
from fixturekit.infer.meanings import ORDERED_PAIRS
from fixturekit.infer.names import match_name
from fixturekit.infer.names import normalise as normalise_name
from fixturekit.infer.numbers import like, step_of, type_bounds
from fixturekit.schema.model import INTEGER_KINDS, Column, Kind, Table


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
    if table is None or column.kind not in (
        INTEGER_KINDS | {Kind.NUMERIC, Kind.FLOAT, Kind.DATE, Kind.DATETIME, Kind.STRING}
    ):
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
        return (
            st.Relative(other.python_name, relation.op, fallback, step_of(column), high),
            f"{relation.op} {other.name} (CHECK)",
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
