"""A column's alternatives to its inferred strategy, in the order verification tries them.

When the database refuses a value, verification (fixturekit.verify) walks this list for the
column concerned:

1. `default`: leave the column out, so the ORM's or the database's default fills it (only when
   the column has one);
2. `null`: NULL (only when the column is nullable);
3. narrower or simpler values for the column's type: a word, a few letters, digits, an empty
   string, 1, 0, today, an empty JSON object, ... (unique columns get unique forms);
4. `values:[...]`: values the database itself found to pass a CHECK (see
   `fixturekit.verify.checks`), made by `chosen_values`.

Each candidate has a stable `key`, written into generated files and read back with
`candidate_for_key`, so a repair made once is made the same way on every regeneration. They are
ordinary strategies: generated code, `factory_for` and bulk seeding render them alike.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fixturekit.infer import strategies as st
from fixturekit.infer.plan import FieldPlan, ParentLink, SchemaPlan, TablePlan
from fixturekit.schema.model import INTEGER_KINDS, STRING_KINDS, Column, Kind, Table

VALUES_PREFIX = "values:"


@dataclass(frozen=True)
class Candidate:
    key: str  # stable name, written into generated files
    strategy: st.Strategy | None  # None: left to the column's default
    reason: str

    def describe(self) -> str:
        if self.strategy is None:
            return "its default"
        if isinstance(self.strategy, st.NullValue):
            return "NULL"
        return self.strategy.source()


def _string_candidates(column: Column, unique: bool) -> list[Candidate]:
    length = column.type.length
    short = min(length or 8, 8)
    found = [
        Candidate(
            "word",
            st.UniqueFakerValue("word", max_length=length)
            if unique
            else st.FakerValue("word", max_length=length),
            "a plain word",
        ),
        Candidate(
            "lower-letters",
            st.Code(short, "abcdefghijklmnopqrstuvwxyz", unique),
            f"{short} lower-case letters",
        ),
        Candidate("letters", st.Code(short, is_unique=unique), f"{short} capital letters"),
        Candidate("digits", st.Code(min(length or 6, 6), "0123456789", unique), "digits"),
    ]
    if not unique:
        found.append(Candidate("empty", st.Literal(""), "an empty string"))
    return found


def _simpler(column: Column, unique: bool) -> list[Candidate]:
    kind = column.kind
    if kind in STRING_KINDS:
        return _string_candidates(column, unique)
    if kind in INTEGER_KINDS:
        if unique:
            return [Candidate("count", st.SequenceInt(1), "counting up from 1")]
        return [
            Candidate("one", st.Literal(1), "1"),
            Candidate("zero", st.Literal(0), "0"),
            Candidate("small", st.IntRange(1, 10), "a small number"),
            Candidate("minus-one", st.Literal(-1), "-1"),
        ]
    if kind is Kind.NUMERIC:
        places = column.type.scale if column.type.scale is not None else 0
        return [
            Candidate("one", st.Literal(Decimal(1)), "1"),
            Candidate("zero", st.Literal(Decimal(0)), "0"),
            Candidate("fraction", st.DecimalRange(Decimal(0), Decimal(1), places), "below 1"),
        ]
    if kind is Kind.FLOAT:
        return [
            Candidate("one", st.Literal(1.0), "1.0"),
            Candidate("zero", st.Literal(0.0), "0.0"),
        ]
    if kind is Kind.BOOLEAN:
        return [
            Candidate("true", st.Literal(True), "true"),
            Candidate("false", st.Literal(False), "false"),
        ]
    if kind is Kind.DATE:
        return [Candidate("today", st.DateRange("today", "today"), "today")]
    if kind is Kind.DATETIME:
        return [
            Candidate("now", st.DateTimeRange("now", "now", column.type.timezone), "now"),
            Candidate(
                "future", st.DateTimeRange("+1d", "+30d", column.type.timezone), "next month"
            ),
        ]
    if kind is Kind.JSON:
        return [
            Candidate("empty-object", st.Custom("factory.LazyFunction(dict)"), "{}"),
            Candidate("empty-list", st.Custom("factory.LazyFunction(list)"), "[]"),
        ]
    if kind is Kind.ARRAY:
        return [Candidate("empty-list", st.Custom("factory.LazyFunction(list)"), "[]")]
    if kind is Kind.UUID:
        return [Candidate("uuid-text", st.UuidValue(as_string=True), "a UUID as text")]
    # A type fixturekit does not know: most vendor types read text (tsvector, citext, ltree).
    return [
        Candidate(
            "word",
            st.UniqueFakerValue("word") if unique else st.FakerValue("word"),
            "a word as text (unknown type)",
        ),
        Candidate("zero-text", st.Literal("0"), "'0' as text (unknown type)"),
        Candidate("empty", st.Literal(""), "an empty string (unknown type)"),
    ]


def candidates(column: Column, table: Table | None = None) -> list[Candidate]:
    """The column's alternatives, in the documented order (not including `values:`)."""
    unique = table.is_unique_alone(column.name) if table is not None else column.unique
    found: list[Candidate] = []
    if column.server_default is not None or column.client_default:
        found.append(Candidate("default", None, "left to its default"))
    if column.nullable and not column.primary_key:
        found.append(Candidate("null", st.NullValue(), "left NULL"))
    found += _simpler(column, unique)
    return found


def _plain(value: Any) -> Any:
    """A value as JSON can keep it: dates and decimals become text the database reads back."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def chosen_values(column: Column, table: Table | None, values: Iterable[Any]) -> Candidate:
    """A candidate drawing from `values` (found by the database to pass a CHECK)."""
    plain = tuple(_plain(v) for v in values)
    unique = table.is_unique_alone(column.name) if table is not None else column.unique
    key = VALUES_PREFIX + json.dumps(list(plain), separators=(",", ":"), sort_keys=True)
    strategy = st.UniqueChoice(plain) if unique else st.Choice(plain)
    return Candidate(key, strategy, "values the database accepts for its CHECK")


def candidate_for_key(column: Column, table: Table | None, key: str) -> Candidate | None:
    """The candidate a generated file names; None when it no longer applies to the column."""
    if key.startswith(VALUES_PREFIX):
        try:
            values = json.loads(key[len(VALUES_PREFIX) :])
        except ValueError:
            return None
        return chosen_values(column, table, values) if isinstance(values, list) else None
    return next((c for c in candidates(column, table) if c.key == key), None)


def with_candidate(field: FieldPlan, candidate: Candidate, why: str) -> FieldPlan:
    """The field with its strategy replaced; the reason says what was replaced and why."""
    return dataclasses.replace(
        field,
        strategy=candidate.strategy,
        reason=f"{candidate.reason} ({why})",
        flags=(),
    )


def field_index(plan: TablePlan, column: str) -> int | None:
    return next((i for i, f in enumerate(plan.fields) if f.column.name == column), None)


LINK_NULL = "null"  # the repair key of a nullable foreign key left NULL


def empty_link(plan: TablePlan, column: str) -> ParentLink | None:
    """Leave the nullable parent link on `column` NULL (a model rule allows one of several
    parents); the link as it was, or None when there is no such link to empty."""
    for index, link in enumerate(plan.parents):
        if link.fk.columns == (column,) and link.nullable and not link.empty:
            plan.parents[index] = dataclasses.replace(
                link, empty=True, reason="left NULL (repaired by --verify)"
            )
            return link
    return None


def apply_repairs(plan: SchemaPlan, repairs: Mapping[str, str]) -> list[str]:
    """Apply `"table.column" -> candidate key` to a plan; return the entries that no longer fit.

    Used by every consumer that should see a verified schema's repairs: generation reads them
    back from the generated file, and runtime factories or seeding can be given the same map.
    """
    stale: list[str] = []
    for target, key in repairs.items():
        table_key, _, column_name = target.rpartition(".")
        table_plan = plan.tables.get(table_key)
        index = field_index(table_plan, column_name) if table_plan is not None else None
        if table_plan is not None and index is None and key == LINK_NULL:
            if empty_link(table_plan, column_name) is None:
                stale.append(target)
            continue
        if table_plan is None or index is None:
            stale.append(target)
            continue
        field = table_plan.fields[index]
        candidate = candidate_for_key(field.column, table_plan.table, key)
        if candidate is None:
            stale.append(target)
            continue
        table_plan.fields[index] = with_candidate(field, candidate, "repaired by --verify")
    return stale
