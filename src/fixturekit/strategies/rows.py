"""One table's row as Hypothesis draws: every column's rendering, in dependency order, with
uniqueness kept inside one example.

A row is drawn inside a `@st.composite` function (see `fixturekit.strategies.graphs`), so one
example may hold many rows of a table (an order's items, each with its own product): the
`Drawn` registry remembers the values of every unique column set per example, and a value
that repeats is drawn again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import assume
from hypothesis import strategies as hs

from fixturekit.errors import FixturekitError
from fixturekit.infer.plan import FieldPlan, TablePlan
from fixturekit.strategies.columns import (
    ColumnStrategy,
    NoHypothesisRendering,
    RowDependent,
    column_strategy,
    nullable,
)

Draw = Callable[[hs.SearchStrategy], Any]


class MissingStrategy(FixturekitError):
    """A column that must get a value from the caller: no rule and no default provides one."""


@dataclass(frozen=True)
class FieldValues:
    """One column of a table and its Hypothesis rendering."""

    field: FieldPlan
    values: ColumnStrategy

    @property
    def attribute(self) -> str:
        return self.field.attribute


@dataclass
class Drawn:
    """Values of unique column sets already used in this example, per table."""

    used: dict[tuple[str, tuple[str, ...]], set[Any]] = field(default_factory=dict)

    def seen(self, table: str, columns: tuple[str, ...]) -> set[Any]:
        return self.used.setdefault((table, columns), set())


def table_fields(plan: TablePlan) -> list[FieldValues]:
    """The renderings of a table's fields, a column read by another first.

    Raises a clear error naming the column where a strategy cannot be built, at the time the
    strategy is made rather than deep inside a test run.
    """
    out: list[FieldValues] = []
    for field_plan in plan.factory_fields:
        column = field_plan.column
        if field_plan.strategy is None:
            # Left to the ORM or the database (a key, a discriminator), as factories leave it;
            # only a flagged NOT NULL column that nothing fills needs the caller.
            if not field_plan.flagged or column.has_default or column.nullable:
                continue
            raise MissingStrategy(
                f"{plan.table.display_name}.{column.name}: no value rule and no default fills "
                "this NOT NULL column.",
                hint=f"Pass it as an override: objects(Model, {column.key}=...) or fix the "
                "FIXME in the generated factories.",
            )
        try:
            values = column_strategy(field_plan.strategy, column)
        except NoHypothesisRendering as exc:
            raise NoHypothesisRendering(
                f"{plan.table.display_name}.{column.name}: {exc.message}", hint=exc.hint
            ) from None
        if column.nullable and not column.primary_key:
            values = nullable(values)
        out.append(FieldValues(field_plan, values))
    return _dependency_order(out)


def _dependency_order(fields: list[FieldValues]) -> list[FieldValues]:
    done: list[FieldValues] = []
    names = {f.attribute for f in fields}
    pending = list(fields)
    while pending:
        progressed = False
        for item in list(pending):
            needs = item.values.needs if isinstance(item.values, RowDependent) else ()
            if all(n not in names or n in {d.attribute for d in done} for n in needs):
                done.append(item)
                pending.remove(item)
                progressed = True
        if not progressed:  # a cycle of relations: draw in declaration order
            done.extend(pending)
            break
    return done


def _as_strategy(value: Any) -> hs.SearchStrategy:
    return value if isinstance(value, hs.SearchStrategy) else hs.just(value)


def draw_values(
    draw: Draw,
    plan: TablePlan,
    fields: list[FieldValues],
    drawn: Drawn,
    overrides: Mapping[str, Any],
    fixed: Mapping[str, Any] = (),
) -> dict[str, Any]:
    """One row's values by declaration name. `overrides` are keyed by declaration name or
    column key; `fixed` are values decided elsewhere (parent keys) that take part in unique
    sets."""
    row: dict[str, Any] = dict(fixed)
    unique_alone = _unique_alone(plan)
    for item in fields:
        column = item.field.column
        given = _override(overrides, item)
        if given is not _MISSING:
            row[item.attribute] = draw(_as_strategy(given))
            continue
        seen = drawn.seen(plan.key, (column.name,)) if column.name in unique_alone else None
        row[item.attribute] = _draw_one(draw, item.values, row, seen)
    _keep_unique(plan, row, drawn)
    return row


_MISSING = object()
_REDRAWS = 8


def _draw_one(draw: Draw, values: Any, row: dict[str, Any], seen: set[Any] | None) -> Any:
    """One value; a unique column draws again while the value is taken in this example."""
    for _ in range(_REDRAWS):
        value = values.draw(draw, row) if isinstance(values, RowDependent) else draw(values)
        if seen is None or value is None or _fold(value) not in seen:
            return value
    assume(False)


def _override(overrides: Mapping[str, Any], item: FieldValues) -> Any:
    for name in (item.attribute, item.field.column.key, item.field.column.name):
        if name in overrides:
            return overrides[name]
    return _MISSING


def _fold(value: Any) -> Any:
    # Case-insensitive collations (MariaDB) treat `Ab` and `ab` as one value.
    return value.casefold() if isinstance(value, str) else value


def _unique_alone(plan: TablePlan) -> set[str]:
    return {s[0] for s in _unique_sets(plan) if len(s) == 1}


_PER_PLAN: dict[tuple[str, int], tuple[TablePlan, Any]] = {}


def _per_plan(what: str, plan: TablePlan, make: Callable[[], Any]) -> Any:
    """A value computed once per table plan (plans are mutable, so keyed by identity)."""
    cached = _PER_PLAN.get((what, id(plan)))
    if cached is None or cached[0] is not plan:
        cached = (plan, make())
        _PER_PLAN[(what, id(plan))] = cached
    return cached[1]


def _unique_sets(plan: TablePlan) -> tuple[tuple[str, ...], ...]:
    return _per_plan("unique", plan, lambda: tuple(plan.table.unique_sets()))


def _attributes(plan: TablePlan) -> dict[str, str]:
    return _per_plan(
        "attributes", plan, lambda: {f.column.name: f.attribute for f in plan.factory_fields}
    )


def _keep_unique(plan: TablePlan, row: dict[str, Any], drawn: Drawn) -> None:
    """Record the row's unique values; reject the example when a combination repeats."""
    by_column = _attributes(plan)
    for columns in _unique_sets(plan):
        names = [by_column.get(c, c) for c in columns]
        if not all(n in row for n in names):
            continue  # a database-assigned key or a parent key: never repeats
        values = tuple(_fold(row[n]) for n in names)
        if any(v is None for v in values):
            continue  # NULLs never collide in a unique constraint
        seen = drawn.seen(plan.key, columns)
        if len(columns) > 1:
            assume(values not in seen)
        seen.add(values if len(columns) > 1 else values[0])
