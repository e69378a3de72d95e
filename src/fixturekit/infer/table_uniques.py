"""A table's unique keys, as a whole table sees them: which composite uniques need one member
made unique alone, how many distinct values a unique strategy can give, small natural keys and
singleton tables that reuse their row (get-or-create) instead of running out, and partial
uniques kept by leaving their boolean condition False. One column's rules cannot see these;
fixturekit.infer.tables applies them once every field of the table has its plan.
"""

from __future__ import annotations

import dataclasses

from fixturekit.infer import strategies as st
from fixturekit.infer.plan import FieldPlan, TablePlan
from fixturekit.schema.checks import parse_check
from fixturekit.schema.model import DefaultForm, Kind, Table
from fixturekit.schema.predicates import Compare


def unique_sets_needing_help(table: Table, fk_columns: set[str]) -> list[tuple[str, ...]]:
    sets = [u.columns for u in table.uniques] + ([table.primary_key] if table.primary_key else [])
    needing = []
    for columns in sets:
        if len(columns) < 2 or set(columns) & fk_columns:
            continue
        if any(table.column(c).autoincrement or table.is_unique_alone(c) for c in columns):
            continue
        needing.append(columns)
    return needing


def unique_capacity(strategy) -> float:
    """How many distinct values a unique strategy can give: more is safer."""
    if isinstance(strategy, st.UniqueChoice):
        return len(strategy.values) or 100
    if isinstance(strategy, st.Code):
        return strategy.capacity
    if isinstance(strategy, st.UniqueFakerValue) and not strategy.weave:
        return 1000
    length = getattr(strategy, "max_length", None)
    if length is not None and length <= 6:  # numbers woven into so few characters run out
        return 36**length
    if isinstance(strategy, st.Matching):
        return 10_000
    return float("inf")


SMALL_KEY_DOMAIN = 1_000_000


def share_small_natural_key(plan: TablePlan, table: Table) -> None:
    """A primary key from a small domain (`CHAR(2)` codes) is reused instead of running out.

    So is any unique column whose CHECK leaves a single value (a singleton table, such as a
    `version_info` row with `id = 1`): a second create returns the one row.
    """
    for index, field in enumerate(plan.fields):
        strategy = field.strategy
        if strategy is None or not strategy.unique or not hasattr(strategy, "wrap"):
            continue
        is_key = table.primary_key == (field.column.name,)
        capacity = unique_capacity(strategy)
        if not (is_key and capacity < SMALL_KEY_DOMAIN) and not (
            capacity == 1 and table.is_unique_alone(field.column.name)
        ):
            continue
        plan.fields[index] = FieldPlan(
            field.column,
            dataclasses.replace(strategy, wrap=True),
            field.reason + "; an existing row is reused once all values are taken",
            field.flags,
        )
        plan.get_or_create = (field.attribute,)
        return


def singleton_key(plan: TablePlan, table: Table) -> bool:
    """A one-column primary key with a constant default (Django's `ident = ...(default=1,
    primary_key=True)`) makes the table a singleton: every save writes that one row. Factories
    write the default and look the row up first, so a second create returns it."""
    if len(table.primary_key) != 1:
        return False
    column = table.column(table.primary_key[0])
    default = column.default
    if column.autoincrement or default is None or default.form is not DefaultForm.SCALAR:
        return False
    if default.value is None or isinstance(default.value, bool):
        return False
    for index, field in enumerate(plan.fields):
        if field.column.name == column.name:
            plan.fields[index] = FieldPlan(
                column,
                st.Literal(default.value),
                f"{default.describe()}: a constant primary key, so one row shared by every create",
            )
            plan.get_or_create = (field.attribute,)
            return True
    return False


def false_unless_given(plan: TablePlan, table: Table) -> list:
    """Partial uniques whose condition is a boolean column (`WHERE is_primary`): that column is
    False unless the caller sets it, so generated rows never collide where the condition holds.

    Returns the uniques so satisfied.
    """
    held = []
    for unique in table.uniques:
        if not unique.where:
            continue
        predicates = parse_check(unique.where).predicates
        if len(predicates) != 1 or predicates[0] != Compare(predicates[0].column, "=", True):
            continue
        name = predicates[0].column
        if name in unique.columns or not table.has_column(name):
            continue
        if table.column(name).kind is not Kind.BOOLEAN:
            continue
        for i, field in enumerate(plan.fields):
            if field.column.name == name and not isinstance(field.strategy, st.Custom):
                reason = (
                    f"False unless given: UNIQUE ({', '.join(unique.columns)}) holds where "
                    f"{name} is true, so generated rows never collide"
                )
                plan.fields[i] = FieldPlan(field.column, st.Literal(False), reason)
                held.append(unique)
    return held
