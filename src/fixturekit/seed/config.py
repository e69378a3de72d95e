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
import decimal
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.project import tool_section
from fixturekit.schema.model import (
    INTEGER_KINDS,
    INTEGER_RANGES,
    STRING_KINDS,
    Column,
    ForeignKey,
    Kind,
    Schema,
    Table,
)
from fixturekit.seed.distributions import Shaped
from fixturekit.values.offsets import BadBound, resolve

TOP_KEYS = {"seed", "today", "default_rows", "tables", "mongo"}  # `mongo`: fixturekit.nosql
TABLE_KEYS = {"rows", "columns", "children", "per_parent"}
DISTRIBUTIONS = {
    "weights",
    "values",
    "true",
    "between",
    "normal",
    "lognormal",
    "value",
    "faker",
    "pattern",
}
COLUMN_KEYS = DISTRIBUTIONS | {"null"}


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
        for count, weight in weights.items():
            try:
                number = int(count)
            except ValueError:
                raise _fail(f"{where}: weight key {count!r} is not a count of children.") from None
            pairs.append((number, _weight(weight, f"{where} weights.{count}")))
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


def _weight(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"{where}: the weight {value!r} is not a number.")
    if value < 0 or not math.isfinite(value):
        raise _fail(f"{where}: the weight {value!r} must be a finite number >= 0.")
    return float(value)


def _rate(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise _fail(f"{where}: {value!r} is not a rate between 0 and 1 (0.9 means 90%).")
    return float(value)


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
            counts[name.strip()] = number
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


def _literal_for(column: Column, value: Any, where: str) -> Any:
    """A TOML value (or weight key, always a string) converted to the column's type, checked."""
    kind = column.kind
    ctype = column.type
    try:
        if kind in INTEGER_KINDS:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            number = int(value)
            low, high = INTEGER_RANGES[kind]
            if not low <= number <= high:
                raise _fail(f"{where}: {number} does not fit {ctype.describe()}.")
            return number
        if kind is Kind.NUMERIC:
            return decimal.Decimal(str(value))
        if kind is Kind.FLOAT:
            return float(value)
        if kind is Kind.BOOLEAN:
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise ValueError
        if kind is Kind.ENUM:
            labels = list(ctype.enum_values)
            if str(value) in labels:
                return str(value)
            if str(value) in ctype.enum_members:
                return labels[list(ctype.enum_members).index(str(value))]
            raise _fail(f"{where}: {value!r} is not a value of the enum ({', '.join(labels)}).")
        if kind is Kind.DATE:
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if kind is Kind.DATETIME:
            if isinstance(value, dt.datetime):
                return value
            return dt.datetime.fromisoformat(str(value))
        if kind in STRING_KINDS or kind in (Kind.UUID, Kind.INET, Kind.CIDR, Kind.MACADDR):
            text = str(value)
            if ctype.length is not None and len(text) > ctype.length:
                raise _fail(f"{where}: {text!r} is longer than {ctype.describe()} allows.")
            return text
        return value
    except (ValueError, decimal.InvalidOperation):
        raise _fail(
            f"{where}: {value!r} does not fit the column's type {ctype.describe()}."
        ) from None


def _number_bounds(column: Column, pair: Any, where: str) -> tuple[Any, Any]:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise _fail(f"{where}: between takes two bounds, e.g. between = [1, 100].")
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in pair):
        raise _fail(
            f"{where}: the bounds {pair!r} of a {column.type.describe()} column must be numbers."
        )
    low, high = (_literal_for(column, v, where) for v in pair)
    if low > high:
        raise _fail(f"{where}: between [{pair[0]}, {pair[1]}] ends before it starts.")
    return low, high


def _shape_params(spec: Any, names: tuple[str, str], where: str) -> tuple[float, float]:
    if not isinstance(spec, Mapping) or set(spec) != set(names):
        raise _fail(f"{where}: write {{ {names[0]} = ..., {names[1]} = ... }}.")
    values = []
    for name in names:
        value = spec[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(f"{where}: {name} = {value!r} is not a number.")
        values.append(float(value))
    return values[0], values[1]


def _places(column: Column) -> int:
    return column.type.scale if column.type.scale is not None else 2


def _type_range(column: Column) -> tuple[Any, Any]:
    from fixturekit.infer.rules import type_bounds

    return type_bounds(column)


def column_strategy(
    column: Column, spec: Mapping[str, Any], unique: bool, where: str
) -> st.Strategy | None:
    """The strategy a column's distribution stands for, or None when it only sets `null`."""
    unknown = set(spec) - COLUMN_KEYS
    if unknown:
        raise _fail(
            f"{where}: unknown key {sorted(unknown)[0]!r}.",
            hint="A column takes one of: " + ", ".join(sorted(DISTRIBUTIONS)) + ", plus null.",
        )
    chosen = [k for k in spec if k in DISTRIBUTIONS]
    if len(chosen) > 1 and not (
        set(chosen) <= {"normal", "between"} or set(chosen) <= {"lognormal", "between"}
    ):
        raise _fail(f"{where}: give one distribution, not {', '.join(chosen)}.")
    if not chosen:
        return None
    kind = column.kind
    number = kind in INTEGER_KINDS or kind in (Kind.NUMERIC, Kind.FLOAT)
    temporal = kind in (Kind.DATE, Kind.DATETIME)

    def needs(condition: bool, what: str) -> None:
        if not condition:
            raise _fail(f"{where}: {what} does not fit the column's type {column.type.describe()}.")

    if unique and not {"faker", "pattern"} >= set(chosen):
        raise _fail(
            f"{where}: the column is unique; a distribution would repeat values.",
            hint="Leave unique columns to fixturekit, or give them `faker` or `pattern`.",
        )
    if "weights" in spec:
        weights = spec["weights"]
        if not isinstance(weights, Mapping) or not weights:
            raise _fail(f"{where}: weights must map values to numbers, e.g. {{ a = 80, b = 20 }}.")
        values = tuple(_literal_for(column, k, f"{where} weights.{k}") for k in weights)
        numbers = tuple(_weight(w, f"{where} weights.{k}") for k, w in weights.items())
        if sum(numbers) <= 0:
            raise _fail(f"{where}: the weights add up to 0.")
        return st.Choice(values, weights=numbers)
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise _fail(f"{where}: values must be a non-empty list.")
        return st.Choice(tuple(_literal_for(column, v, f"{where} values") for v in values))
    if "true" in spec:
        needs(kind is Kind.BOOLEAN, "a true rate")
        return st.Boolean(_rate(spec["true"], f"{where} true"))
    if "value" in spec:
        return st.Literal(_literal_for(column, spec["value"], f"{where} value"))
    if "faker" in spec:
        needs(kind in STRING_KINDS, "a Faker provider")
        from fixturekit.values.pools import has_provider

        provider = str(spec["faker"])
        if not has_provider(provider):
            raise _fail(f"{where}: Faker has no provider {provider!r}.")
        cls = st.UniqueFakerValue if unique else st.FakerValue
        return cls(provider, max_length=column.type.length)
    if "pattern" in spec:
        needs(kind in STRING_KINDS, "a pattern")
        import re

        try:
            re.compile(str(spec["pattern"]))
        except re.error as exc:
            raise _fail(
                f"{where}: pattern {spec['pattern']!r} is not a regular expression: {exc}."
            ) from None
        return st.Matching(str(spec["pattern"]), column.type.length, unique)
    if "normal" in spec or "lognormal" in spec:
        needs(number, "a normal or log-normal shape")
        shape = "normal" if "normal" in spec else "lognormal"
        names = ("mean", "sd") if shape == "normal" else ("median", "sigma")
        a, b = _shape_params(spec[shape], names, f"{where} {shape}")
        if b <= 0:
            raise _fail(f"{where} {shape}: {names[1]} must be > 0.")
        if shape == "lognormal" and a <= 0:
            raise _fail(f"{where} lognormal: the median must be > 0.")
        low, high = (
            _number_bounds(column, spec["between"], f"{where} between")
            if "between" in spec
            else _type_range(column)
        )
        places = 0 if kind in INTEGER_KINDS else (_places(column) if kind is Kind.NUMERIC else None)
        return Shaped(shape, a, b, float(low), float(high), places)
    # between
    bounds = spec["between"]
    if temporal:
        if not (isinstance(bounds, list) and len(bounds) == 2):
            raise _fail(f'{where}: between takes two bounds, e.g. between = ["-2y", "today"].')
        text = [b.isoformat() if isinstance(b, (dt.date, dt.datetime)) else str(b) for b in bounds]
        anchor = dt.date(2000, 1, 1)
        try:
            start, end = (resolve(t, anchor) for t in text)
        except BadBound as exc:
            raise _fail(f"{where} between: {exc}.") from None
        if start > end:
            raise _fail(f"{where}: between {text} ends before it starts.")
        if kind is Kind.DATE:
            return st.DateRange(text[0], text[1])
        return st.DateTimeRange(text[0], text[1], column.type.timezone)
    needs(number, "a numeric range")
    low, high = _number_bounds(column, bounds, f"{where} between")
    if kind in INTEGER_KINDS:
        return st.IntRange(int(low), int(high))
    if kind is Kind.NUMERIC:
        return st.DecimalRange(
            decimal.Decimal(str(low)), decimal.Decimal(str(high)), _places(column)
        )
    return st.FloatRange(float(low), float(high))


def _check_against_constraints(
    table: Table, column: Column, strategy: st.Strategy, where: str
) -> None:
    """Refuse distributions the column's CHECKs (as the inference reads them) rule out."""
    from fixturekit.infer.constraints import narrow

    narrowing = narrow(column, table, ())
    values: list[Any] = []
    if isinstance(strategy, st.Choice):
        values = list(strategy.values)
    elif isinstance(strategy, st.Literal):
        values = [strategy.value]
    elif isinstance(strategy, (st.IntRange, st.DecimalRange, st.FloatRange, Shaped)):
        values = [strategy.low, strategy.high]
    for value in values:
        if value is None:
            continue
        problem = None
        shown = repr(value) if isinstance(value, str) else str(value)
        try:
            if narrowing.allowed is not None and value not in narrowing.allowed:
                problem = f"{shown} is not among the values its CHECK allows"
            elif value in narrowing.excluded:
                problem = f"{shown} is excluded by a CHECK"
            elif narrowing.low is not None and (
                value < narrowing.low or (value == narrowing.low and not narrowing.low_inclusive)
            ):
                problem = f"{shown} is below the CHECK bound {narrowing.low}"
            elif narrowing.high is not None and (
                value > narrowing.high or (value == narrowing.high and not narrowing.high_inclusive)
            ):
                problem = f"{shown} is above the CHECK bound {narrowing.high}"
        except TypeError:
            problem = None
        if problem:
            raise _fail(f"{where}: {problem} ({'; '.join(narrowing.sources)}).")


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
                null_rate = _rate(column_spec["null"], f"{cwhere} null")
                if null_rate and not column.nullable:
                    raise _fail(f"{cwhere}: the column is NOT NULL, it cannot have a null rate.")
            if strategy is not None:
                _check_against_constraints(table, column, strategy, cwhere)
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
                converted[column.name] = _literal_for(column, item, f"{where}[{index}].{key}")
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
