"""From a database error back to the table and the columns that caused it, via the schema model.

The dialect reads the error (fixturekit.dialects: failure kind, constraint, table, column). A
named column is the answer. A constraint name is looked up among the table's CHECKs and unique
sets. A value error that names no column (PostgreSQL's "value too long for type character
varying(3)") is matched against the failed statement's parameters: the string longer than its
column, the column of the type the server named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fixturekit.dialects import Server
from fixturekit.dialects.errors import DatabaseError, Failure, driver_error, first_line
from fixturekit.schema.model import STRING_KINDS, Check, Kind, Schema, Table

_INSERT_TABLE = re.compile(
    r'^\s*INSERT\s+INTO\s+((?:[`"]?[^`"\s(]+[`"]?\.)?[`"]?[^`"\s(]+[`"]?)', re.I
)


@dataclass
class Diagnosis:
    message: str  # the database's (or Python's) own words
    error: DatabaseError | None = None
    table: str | None = None  # Table.key
    columns: list[str] = field(default_factory=list)  # suspects, most likely first
    checks: list[Check] = field(default_factory=list)  # the CHECKs that refused the row

    @property
    def signature(self) -> tuple:
        if self.error is None:
            return ("python", self.message)
        return self.error.signature


def columns_in(sql: str, table: Table) -> list[str]:
    """The table's columns an SQL expression mentions, in the order the table declares them."""
    found = []
    for column in table.columns:
        name = re.escape(column.name)
        if re.search(rf'(?<![\w$])[`"\[]?{name}[`"\]]?(?![\w$])', sql, re.I):
            found.append(column.name)
    return found


def named_columns(exc: BaseException, table: Table) -> list[str]:
    """Columns a model's own rule names when it refuses a row in Python (a `save()` or
    `clean()` raising "Only one can be set, in expires and expire_seconds", or a Django
    ValidationError keyed by field): the table's columns, by column, attribute or relation name.

    Last declared first: where a rule allows one of several (one schedule of four), the first
    declared is kept, as the usual one. The primary key is never a suspect.
    """
    names: dict[str, str] = {}
    for column in table.columns:
        if column.primary_key:
            continue
        for name in (column.name, column.key, column.python_name):
            names.setdefault(name, column.name)
    for rel in table.relationships:
        if len(rel.local_columns) == 1 and rel.local_columns[0] in names.values():
            names.setdefault(rel.name, rel.local_columns[0])
    keyed = getattr(exc, "error_dict", None)
    fields = [str(k) for k in keyed if k != "__all__"] if isinstance(keyed, dict) else []
    text = " ".join(fields) if fields else str(exc)
    found = {
        column
        for name, column in names.items()
        if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", text)
    }
    return [c.name for c in reversed(table.columns) if c.name in found]


def _normalised(sql: str) -> str:
    return re.sub(r"[\s()`\"]+", "", sql).lower()


def _checks_for(table: Table, error: DatabaseError) -> list[Check]:
    name = (error.constraint or "").lower()
    named = [c for c in table.checks if c.name and c.name.lower() == name]
    if named:
        return named
    # SQLite names an unnamed CHECK by its expression
    by_text = [c for c in table.checks if name and _normalised(c.sql) == _normalised(name)]
    if by_text:
        return by_text
    unnamed = [c for c in table.checks if not c.name] or list(table.checks)
    # the server's generated name carries the column: orders_qty_check, CONSTRAINT `qty`
    mentioned = [c for c in unnamed if any(col.lower() in name for col in columns_in(c.sql, table))]
    return mentioned or unnamed


def _statement_table(exc: BaseException, schema: Schema) -> str | None:
    statement = getattr(exc, "statement", None) or ""
    match = _INSERT_TABLE.match(statement)
    if not match:
        return None
    parts = [p.strip('`"') for p in match.group(1).split(".")]
    return _table_key(schema, parts[-1], parts[0] if len(parts) > 1 else None)


def _table_key(schema: Schema, name: str, schema_name: str | None = None) -> str | None:
    if schema_name and f"{schema_name}.{name}" in schema.tables:
        return f"{schema_name}.{name}"
    if name in schema.tables:
        return name
    matches = [k for k, t in schema.tables.items() if t.name == name]
    return matches[0] if len(matches) == 1 else None


def _parameters(exc: BaseException) -> list[dict[str, Any]]:
    params = getattr(exc, "params", None)
    if isinstance(params, dict):
        return [params]
    if isinstance(params, (list, tuple)) and all(isinstance(p, dict) for p in params):
        return list(params)
    return []


def _value_suspects(exc: BaseException, table: Table, error: DatabaseError) -> list[str]:
    """Columns whose values in the failed statement fit the kind of value error."""
    by_key = {c.key: c for c in table.columns} | {c.name: c for c in table.columns}
    given = []
    for row in _parameters(exc):
        for key, value in row.items():
            column = by_key.get(key)
            if column is not None and value is not None and column.name not in given:
                given.append(column.name)
    if error.failure is Failure.TOO_LONG:
        long = []
        for row in _parameters(exc):
            for key, value in row.items():
                column = by_key.get(key)
                length = column.type.length if column is not None else None
                if isinstance(value, str) and length and len(value) > length:
                    long.append(column.name)
        if long:
            return list(dict.fromkeys(long))
        return [c for c in given if table.column(c).kind in STRING_KINDS]
    named = (error.type_name or "").lower()
    if named:
        typed = [c for c in given if named in table.column(c).type.describe().lower()]
        if typed:
            return typed
    unknown = [c for c in given if table.column(c).kind is Kind.UNKNOWN]
    return unknown or given


def diagnose(exc: BaseException, server: Server, schema: Schema, factory_table: str) -> Diagnosis:
    """What failed, where: the table (a parent's, when a SubFactory's insert failed) and the
    columns to repair, most likely first."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError) and driver_error(exc) is exc:
        diagnosis = Diagnosis(f"{type(exc).__name__}: {first_line(exc)}", table=factory_table)
        table = schema.tables.get(factory_table)
        if table is not None:
            diagnosis.columns = named_columns(exc, table)
        return diagnosis
    error = server.describe_error(exc)
    key = None
    if error.table:
        key = _table_key(schema, error.table)
    key = key or _statement_table(exc, schema) or factory_table
    diagnosis = Diagnosis(error.message, error, key)
    table = schema.tables.get(key)
    if table is None:
        return diagnosis
    columns = [c for c in error.columns if table.has_column(c)]
    if error.failure is Failure.CHECK:
        diagnosis.checks = _checks_for(table, error)
        if not columns:
            name = (error.constraint or "").lower()
            mentioned = [c for check in diagnosis.checks for c in columns_in(check.sql, table)]
            # a column the constraint's own name carries is the likeliest culprit
            mentioned.sort(key=lambda c: c.lower() not in name)
            columns = list(dict.fromkeys(mentioned))
    elif error.failure is Failure.UNIQUE and not columns:
        name = (error.constraint or "").lower()
        for unique in table.uniques:
            if unique.name and unique.name.lower() == name:
                columns = list(unique.columns)
        if not columns and name in ("primary", f"{table.name}_pkey".lower()):
            columns = list(table.primary_key)
        if not columns:
            columns = [c.name for c in table.columns if c.name.lower() in name and c.unique]
    elif error.failure in (Failure.TOO_LONG, Failure.OUT_OF_RANGE, Failure.INVALID_VALUE):
        if not columns:
            columns = _value_suspects(exc, table, error)
    elif error.failure is Failure.OTHER and not columns:
        columns = _value_suspects(exc, table, error) if error.type_name else []
    diagnosis.columns = columns
    return diagnosis
