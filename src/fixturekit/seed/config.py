"""The seed configuration: row counts and distributions, from TOML, checked against the schema.

It lives in `pyproject.toml` under `[tool.fixturekit.seed]` or in a file of its own (same keys
at the top level):

    seed = 42
    today = "2025-06-01"        # anchor of relative dates; default: the day of the run
    default_rows = 100          # tables nothing else gives a count

    [tables.users]              # [tool.fixturekit.seed.tables.users] in pyproject.toml
    rows = 1000
    children.orders = "0..5"    # 0 to 5 orders per user, uniform
    columns.role = { weights = { customer = 80, premium = 15, admin = 5 } }
    columns.is_active = { true = 0.9 }
    columns.signed_up_at = { between = ["-2y", "today"] }
    columns.nickname = { null = 0.3 }

    [tables.countries]
    rows = [{ code = "US", name = "United States" }, { code = "FR", name = "France" }]

A distribution *replaces* the strategy inference chose for the column (a weighted Choice, a
Boolean with a rate, a DateRange, ...); nothing here infers anything. Every mistake is reported
with the TOML key it sits under, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.project import tool_section
from fixturekit.schema.model import (
    Column,
    ForeignKey,
    Schema,
    Table,
)
from fixturekit.seed.config_columns import (
    check_against_constraints,
    column_strategy,
    literal_for,
    rate,
    weight,
)

TOP_KEYS = {"seed", "today", "default_rows", "tables", "mongo"}  # `mongo`: fixturekit.nosql
TABLE_KEYS = {"rows", "columns", "children", "per_parent"}


@dataclass(frozen=True)
class CountRange:
    """How many children each parent gets: uniform over low..high, or weighted counts."""

    low: int
    high: int
    weights: tuple[tuple[int, float], ...] = ()

    @property
    def mean(self) -> float:
        if self.weights:
            total = sum(w for _, w in self.weights)
            return sum(c * w for c, w in self.weights) / total
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class ColumnRule:
    """What the user asked for one column: a replacement strategy and/or a NULL rate."""

    strategy: st.Strategy | None = None
    null_rate: float = 0.0


@dataclass
class SeedConfig:
    seed: int = 0
    today: dt.date | None = None
    default_rows: int = 100
    rows: dict[str, int] = field(default_factory=dict)
    fixed_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    columns: dict[tuple[str, str], ColumnRule] = field(default_factory=dict)
    children: dict[tuple[str, ForeignKey], CountRange] = field(default_factory=dict)
    source: str = "the seed configuration"


def _where(source: str, *parts: str) -> str:
    """`pyproject.toml: [tool.fixturekit.seed.tables.users]`, or `seed.toml: [tables.users]`."""
    prefix = ["tool.fixturekit.seed"] if source.endswith("pyproject.toml") else []
    section = ".".join(prefix + list(parts))
    return f"{source}: [{section}]" if section else source


def _fail(message: str, hint: str | None = None) -> FixturekitError:
    return FixturekitError(message, hint=hint)


def parse_count_range(value: Any, where: str) -> CountRange:
    """`"0..5"`, `3`, `[0, 5]`, `{ min = 0, max = 5 }` or `{ weights = { 0 = 10, 1 = 30 } }`."""
    if isinstance(value, bool):
        raise _fail(f"{where}: {value!r} is not a count.")
    if isinstance(value, int):
        low = high = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if ".." in text:
                a, b = text.split("..", 1)
                low, high = int(a), int(b)
            else:
                low = high = int(text)
        except ValueError:
            raise _fail(f"{where}: {value!r} is not a count or a range like 0..5.") from None
    elif isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        low, high = value
    elif isinstance(value, Mapping) and "weights" in value:
        weights = value["weights"]
        if not isinstance(weights, Mapping) or not weights:
            raise _fail(f"{where}: weights must map counts to numbers, e.g. {{ 0 = 10, 1 = 30 }}.")
        pairs = []
        for count, amount in weights.items():
            try:
                number = int(count)
            except ValueError:
                raise _fail(f"{where}: weight key {count!r} is not a count of children.") from None
            pairs.append((number, weight(amount, f"{where} weights.{count}")))
        if min(c for c, _ in pairs) < 0 or sum(w for _, w in pairs) <= 0:
            raise _fail(f"{where}: counts must be >= 0 and the weights must not all be 0.")
        pairs.sort()
        return CountRange(pairs[0][0], pairs[-1][0], tuple(pairs))
    elif isinstance(value, Mapping) and {"min", "max"} >= set(value) and value:
        low, high = int(value.get("min", 0)), int(value.get("max", value.get("min", 0)))
    else:
        raise _fail(f'{where}: {value!r} is not a count or a range like "0..5".')
    if low < 0 or high < low:
        raise _fail(f"{where}: {low}..{high} is not a range of counts (0 <= low <= high).")
    return CountRange(low, high)


def parse_rows_option(items: tuple[str, ...] | list[str] | str | None) -> dict[str, int]:
    """`--rows users=100,orders=300` (the option may also be repeated)."""
    if not items:
        return {}
    if isinstance(items, str):
        items = [items]
    counts: dict[str, int] = {}
    for item in items:
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            name, sep, value = part.partition("=")
            try:
                number = int(value)
            except ValueError:
                number = -1
            if not sep or not name.strip() or number < 0:
                raise _fail(
                    f"--rows {part!r}: write TABLE=COUNT, e.g. --rows users=100,orders=300."
                )
            name = name.strip()
            if name in counts:
                raise _fail(
                    f"--rows names {name} twice ({counts[name]:,} and {number:,}); give each "
                    "table one count."
                )
            counts[name] = number
    return counts


def read_config(path: Path | None = None) -> tuple[dict[str, Any], str]:
    """The raw `[tool.fixturekit.seed]` table and where it came from."""
    section, source = tool_section("seed", path)
    return section, str(source) if source else "pyproject.toml"


# --- checking against the schema -----------------------------------------------------------------


def find_table(schema: Schema, name: str, where: str) -> Table:
    if name in schema.tables:
        return schema.tables[name]
    for table in schema:
        if table.name == name or (table.model is not None and table.model.name == name):
            return table
    known = ", ".join(sorted(t.key for t in schema))
    raise _fail(f"{where}: no table {name!r} in the models.", hint=f"Tables: {known}.")


def find_column(table: Table, name: str, where: str) -> Column:
    for column in table.columns:
        if name in (column.name, column.key):
            return column
    known = ", ".join(c.name for c in table.columns)
    raise _fail(f"{where}: table {table.key} has no column {name!r}.", hint=f"Columns: {known}.")


def find_link(
    schema: Schema, child: Table, name: str, parent: Table | None, where: str
) -> ForeignKey:
    """The foreign key of `child` named by a column, a relationship or the parent table."""
    candidates = [
        fk for fk in child.foreign_keys if parent is None or fk.referred_table == parent.key
    ]
    by_column = [fk for fk in candidates if fk.columns == (name,)]
    if by_column:
        return by_column[0]
    for rel in child.relationships:
        if rel.name == name:
            match = [fk for fk in candidates if set(fk.columns) == set(rel.local_columns)]
            if match:
                return match[0]
    by_table = [
        fk
        for fk in candidates
        if fk.referred_table == name or schema.table(fk.referred_table).name == name
    ]
    if len(by_table) == 1:
        return by_table[0]
    if len(by_table) > 1:
        raise _fail(
            f"{where}: {child.key} has {len(by_table)} foreign keys to {name}; name the column "
            f"instead ({', '.join(fk.columns[0] for fk in by_table)})."
        )
    raise _fail(
        f"{where}: {child.key} has no foreign key {name!r}.",
        hint="Name the foreign-key column, the relationship or the parent table.",
    )


def build_config(
    raw: Mapping[str, Any],
    schema: Schema,
    *,
    source: str,
    unique_columns: set[tuple[str, str]] | None = None,
    cli_rows: Mapping[str, int] | None = None,
    seed: int | None = None,
) -> SeedConfig:
    """Check the raw configuration against the schema and resolve it to a SeedConfig."""
    unique_columns = unique_columns or set()
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise _fail(
            f"{_where(source)}: unknown key {sorted(unknown)[0]!r}.",
            hint="Keys: seed, today, default_rows, and [tables.NAME] with rows, columns, "
            "children, per_parent.",
        )
    config = SeedConfig(source=source)
    if "seed" in raw:
        if isinstance(raw["seed"], bool) or not isinstance(raw["seed"], int) or raw["seed"] < 0:
            raise _fail(f"{_where(source)} seed: {raw['seed']!r} is not a non-negative integer.")
        config.seed = raw["seed"]
    if seed is not None:
        if seed < 0:
            raise _fail(f"--seed {seed}: the seed must be a non-negative integer.")
        config.seed = seed
    if "today" in raw:
        value = raw["today"]
        try:
            config.today = (
                value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            )
        except ValueError:
            raise _fail(f"{_where(source)} today: {value!r} is not a date (YYYY-MM-DD).") from None
    if "default_rows" in raw:
        value = raw["default_rows"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(f"{_where(source)} default_rows: {value!r} is not a row count.")
        config.default_rows = value

    tables = raw.get("tables", {})
    if not isinstance(tables, Mapping):
        raise _fail(f"{_where(source)} tables: must be a table of [tables.NAME] sections.")
    for name, spec in tables.items():
        where = _where(source, "tables", name)
        table = find_table(schema, name, where)
        if not isinstance(spec, Mapping):
            raise _fail(f"{where}: must be a table with rows, columns, children or per_parent.")
        bad = set(spec) - TABLE_KEYS
        if bad:
            raise _fail(
                f"{where}: unknown key {sorted(bad)[0]!r}.",
                hint="A table takes rows, columns, children and per_parent.",
            )
        if "rows" in spec:
            _read_rows(config, table, spec["rows"], f"{where} rows")
        for column_name, column_spec in (spec.get("columns") or {}).items():
            cwhere = f"{_where(source, 'tables', name, 'columns')} {column_name}"
            column = find_column(table, column_name, cwhere)
            if not isinstance(column_spec, Mapping):
                raise _fail(
                    f"{cwhere}: write a distribution such as {{ weights = {{ a = 80, b = 20 }} }}."
                )
            unique = (table.key, column.name) in unique_columns or table.is_unique_alone(
                column.name
            )
            strategy = column_strategy(column, column_spec, unique, cwhere)
            null_rate = 0.0
            if "null" in column_spec:
                null_rate = rate(column_spec["null"], f"{cwhere} null")
                if null_rate and not column.nullable:
                    raise _fail(f"{cwhere}: the column is NOT NULL, it cannot have a null rate.")
            if strategy is not None:
                check_against_constraints(table, column, strategy, cwhere)
            config.columns[(table.key, column.name)] = ColumnRule(strategy, null_rate)
        for link, value in (spec.get("per_parent") or {}).items():
            lwhere = f"{_where(source, 'tables', name, 'per_parent')} {link}"
            fk = find_link(schema, table, link, None, lwhere)
            _add_children(config, table, fk, parse_count_range(value, lwhere), lwhere)
        for child_name, value in (spec.get("children") or {}).items():
            lwhere = f"{_where(source, 'tables', name, 'children')} {child_name}"
            child, fk = _child_link(schema, table, child_name, lwhere)
            _add_children(config, child, fk, parse_count_range(value, lwhere), lwhere)

    for name, count in (cli_rows or {}).items():
        table = find_table(schema, name, f"--rows {name}={count}")
        if table.key in config.fixed_rows:
            raise _fail(f"--rows {name}={count}: {table.key} has a fixed list of rows in {source}.")
        config.rows[table.key] = count
    return config


def _read_rows(config: SeedConfig, table: Table, value: Any, where: str) -> None:
    if isinstance(value, bool):
        raise _fail(f"{where}: {value!r} is not a row count.")
    if isinstance(value, int):
        if value < 0:
            raise _fail(f"{where}: {value} is not a row count.")
        config.rows[table.key] = value
        return
    if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
        raise _fail(
            f"{where}: give a count (rows = 100) or a list of rows "
            '(rows = [{ code = "US" }, ...]).'
        )
    rows = []
    for index, row in enumerate(value):
        converted = {}
        for key, item in row.items():
            column = find_column(table, key, f"{where}[{index}]")
            if item is None:
                converted[column.name] = None
            else:
                converted[column.name] = literal_for(column, item, f"{where}[{index}].{key}")
        rows.append(converted)
    config.fixed_rows[table.key] = rows
    config.rows[table.key] = len(rows)


def _child_link(schema: Schema, parent: Table, name: str, where: str) -> tuple[Table, ForeignKey]:
    for rel in parent.relationships:
        if rel.name == name and rel.target in schema.tables:
            child = schema.table(rel.target)
            fks = [
                fk
                for fk in child.foreign_keys
                if fk.referred_table == parent.key and set(fk.columns) == set(rel.remote_columns)
            ]
            if fks:
                return child, fks[0]
    child = find_table(schema, name, where)
    return child, find_link(schema, child, parent.key, parent, where)


def _add_children(
    config: SeedConfig, child: Table, fk: ForeignKey, counts: CountRange, where: str
) -> None:
    if fk.referred_table == child.key:
        raise _fail(f"{where}: children per parent are not supported for a self-reference.")
    others = [key for key in config.children if key[0] == child.key]
    if others:
        raise _fail(
            f"{where}: {child.key} already has children per parent through "
            f"{', '.join(others[0][1].columns)}; one per table is supported."
        )
    config.children[(child.key, fk)] = counts
