"""From a source's statistics to an ordinary seed configuration a person can read and edit.

What is copied, and what never is:

* row counts per table (scaled), NULL rates, and numeric and date ranges with their shape;
* the weights of the common values of **closed domains only**: enums, booleans, and short
  codes such as `status` or `role` whose common values cover the column. A column whose values
  look like free text or personal data (emails, names, addresses, anything inference fills
  from Faker, any unique column) never has a value copied: it keeps its inferred strategy;
* children per parent, from the number of distinct values of a NOT NULL foreign key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.infer.plan import SchemaPlan, TablePlan
from fixturekit.schema.model import (
    INTEGER_KINDS,
    Column,
    Kind,
    Table,
)
from fixturekit.seed.learn.stats import ColumnStats, SourceStats, TableStats

MAX_CLOSED_VALUES = 50
CLOSED_COVERAGE = 0.98  # the common values must account for this share of non-NULL rows
MIN_NULL_RATE = 0.001
# Strategies whose values describe people, places or prose: never copied from a source.
_FREE_TEXT = (
    st.UniqueFakerValue,
    st.UniqueText,
    st.FromColumn,
    st.Matching,
    st.PersonName,
    st.PersonDerived,
    st.AddressPart,  # postcodes follow the row's region, the country the locale
    st.CompanyDerived,  # domains, websites and emails of companies
)
# Faker providers whose values are vocabulary, not about anyone: a column filled from one of
# them may have its common values copied when they form a closed domain (a `status` word).
_SAFE_PROVIDERS = frozenset(
    {
        "word",
        "country_code",
        "currency_code",
        "language_code",
        "locale",
        "file_extension",
        "mime_type",
        "color_name",
        "safe_color_name",
        "timezone",
    }
)


def _free_text(strategy: st.Strategy | None) -> bool:
    if isinstance(strategy, _FREE_TEXT):
        return True
    return isinstance(strategy, st.FakerValue) and strategy.provider not in _SAFE_PROVIDERS


@dataclass
class Learned:
    """The configuration learned, and one line per decision for the command's report."""

    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    how: str = ""


def derive_config(
    stats: SourceStats, plan: SchemaPlan, scale: float = 1.0, source: str = "the source"
) -> Learned:
    learned = Learned(raw={"tables": {}}, how=stats.how)
    matched = [(p, stats.tables[p.table.name]) for p in plan if p.table.name in stats.tables]
    if not matched:
        names = ", ".join(sorted(stats.tables)[:8]) or "none"
        raise FixturekitError(
            f"None of the models' tables is in {source} (its tables: {names}).",
            hint="--like needs a database with the same schema as the models, e.g. a "
            "production replica or a staging copy.",
        )
    not_analyzed = [t.name for _, t in matched if not t.analyzed]
    if not_analyzed:
        raise FixturekitError(
            f"{source} has no statistics for {', '.join(sorted(not_analyzed))}.",
            hint="Run ANALYZE on the source database (it reads no rows here, only what "
            "ANALYZE recorded), then try again.",
        )
    models = {p.table.name for p in plan}
    learned.notes.extend(n for n in stats.notes if n.split(":", 1)[0] in models)
    for missing in sorted(p.table.name for p in plan if p.table.name not in stats.tables):
        learned.notes.append(f"{missing}: not in {source}; counts and values as configured")
    by_name = {t.name: t for _, t in matched}
    for table_plan, table_stats in matched:
        spec = _table(table_plan, table_stats, by_name, scale, learned.notes)
        if spec:
            learned.raw["tables"][table_plan.table.name] = spec
    return learned


def _table(
    plan: TablePlan,
    stats: TableStats,
    by_name: Mapping[str, TableStats],
    scale: float,
    notes: list[str],
) -> dict[str, Any]:
    table = plan.table
    spec: dict[str, Any] = {"rows": max(0, round(stats.rows * scale))}
    columns: dict[str, Any] = {}
    fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
    for field_plan in plan.fields:
        column = field_plan.column
        column_stats = stats.columns.get(column.name)
        if column_stats is None or column.name in fk_columns or _keyed(table, column):
            continue
        rule = _column(column, field_plan.strategy, column_stats, stats.rows, notes, table)
        if rule:
            columns[column.name] = rule
    if columns:
        spec["columns"] = columns
    per_parent = _children(table, stats, by_name)
    if per_parent:
        spec["per_parent"] = per_parent
    return spec


def _keyed(table: Table, column: Column) -> bool:
    return (
        column.primary_key
        or column.autoincrement
        or column.computed
        or table.is_unique_alone(column.name)
        or column.unique
    )


def _column(
    column: Column,
    strategy: st.Strategy | None,
    stats: ColumnStats,
    rows: float,
    notes: list[str],
    table: Table,
) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    present = 1.0 - stats.null_frac
    if column.nullable and stats.null_frac >= MIN_NULL_RATE:
        rule["null"] = round(stats.null_frac, 4)
    if present <= 0:
        return rule
    where = f"{table.name}.{column.name}"
    if column.kind is Kind.BOOLEAN:
        share = sum(f for v, f in stats.common if v.lower() in ("t", "true", "1")) / present
        rule["true"] = round(min(1.0, share), 4)
        return rule
    closed = column.kind is Kind.ENUM or (
        not _free_text(strategy)
        and column.kind is not Kind.TEXT
        and 0 < stats.distinct_values(rows) <= MAX_CLOSED_VALUES
        and sum(f for _, f in stats.common) / present >= CLOSED_COVERAGE
    )
    if closed and stats.common:
        rule["weights"] = {v: round(f / present, 4) for v, f in stats.common}
        notes.append(f"{where}: weights of {len(stats.common)} values (a closed domain)")
        return rule
    if isinstance(strategy, st.Relative):
        # placed after another column of the row (ends_at > starts_at): an independent range
        # would break the relation, so the column keeps it
        return rule
    if column.kind in INTEGER_KINDS | {Kind.NUMERIC, Kind.FLOAT}:
        rule.update(_number_shape(column, stats.bounds))
    elif column.kind in (Kind.DATE, Kind.DATETIME) and len(stats.bounds) >= 2:
        rule["between"] = [_date(stats.bounds[0], column), _date(stats.bounds[-1], column)]
    elif column.kind in (Kind.STRING, Kind.TEXT) and stats.common:
        notes.append(f"{where}: free text, no value copied (kept as inferred)")
    return rule


def _date(text: str, column: Column) -> str:
    text = text.strip().replace(" ", "T")
    if column.kind is Kind.DATE:
        return text[:10]
    return text[:19]  # whole seconds, no zone: the configuration's bounds are naive


def _number_shape(column: Column, bounds: tuple[str, ...]) -> dict[str, Any]:
    values = []
    for text in bounds:
        try:
            values.append(float(text))
        except ValueError:
            return {}
    if len(values) < 2:
        return {}
    cast = int if column.kind in INTEGER_KINDS else float
    places = column.type.scale if column.kind is Kind.NUMERIC else None
    low, high = values[0], values[-1]
    between = [_rounded(cast(low), places), _rounded(cast(high), places)]
    if cast is int:
        between = [math.floor(low), math.ceil(high)]
    shape: dict[str, Any] = {"between": between}
    lognormal = _lognormal(values)
    if lognormal is not None:
        shape["lognormal"] = lognormal
    return shape


def _rounded(value: Any, places: int | None) -> Any:
    return round(value, places) if places is not None else value


def _lognormal(values: list[float]) -> dict[str, float] | None:
    """A log-normal fit to equi-depth histogram bounds, when they show a long right tail."""
    if len(values) < 5 or values[0] <= 0:
        return None
    median = values[len(values) // 2]
    spread_above = values[-1] - median
    spread_below = median - values[0]
    if spread_below <= 0 or spread_above / spread_below < 3:
        return None  # no long tail: a uniform range describes it as well
    logs = [math.log(v) for v in values]
    # equally full buckets: the bounds at 16% and 84% sit one sigma either side of the median
    lower = logs[round(0.16 * (len(logs) - 1))]
    upper = logs[round(0.84 * (len(logs) - 1))]
    sigma = max((upper - lower) / 2, 0.01)
    return {"median": round(median, 4), "sigma": round(sigma, 4)}


def _in_check(table: Table, column: str) -> bool:
    import re

    word = re.compile(rf"\b{re.escape(column)}\b", re.IGNORECASE)
    return any(word.search(check.sql) for check in table.checks)


def _children(table: Table, stats: TableStats, by_name: Mapping[str, TableStats]) -> dict[str, Any]:
    """Children per parent for the first NOT NULL single-column foreign key with statistics."""
    for fk in table.foreign_keys:
        if len(fk.columns) != 1:
            continue
        column = table.column(fk.columns[0])
        column_stats = stats.columns.get(column.name)
        parent = by_name.get(fk.referred_table.rsplit(".", 1)[-1])
        if column.nullable or column_stats is None or parent is None or not parent.rows:
            continue
        if _in_check(table, column.name):
            continue  # a CHECK ties this key to another (sender <> recipient): seeding places it
        referenced = column_stats.distinct_values(stats.rows)
        if referenced <= 0 or not stats.rows:
            continue
        with_children = min(1.0, referenced / parent.rows)
        mean = stats.rows / referenced
        low, high = math.floor(mean), math.ceil(mean)
        weights: dict[str, float] = {}
        if with_children < 0.999:
            weights["0"] = round(1 - with_children, 4)
        if low == high:
            weights[str(low)] = round(with_children, 4)
        else:
            weights[str(low)] = round(with_children * (high - mean), 4)
            weights[str(high)] = round(with_children * (mean - low), 4)
        return {column.name: {"weights": {k: v for k, v in weights.items() if v > 0}}}
    return {}
