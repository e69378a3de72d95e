"""Catalog queries: what the inspector and the dialects' own catalogs say about each table.

SQLAlchemy's batched `get_multi_*` calls do most of it; MariaDB's column-level CHECKs and
SQLite's rowid aliases need a query of their own, and a few reflected types are corrected
(TINYINT(1) booleans, MySQL's TEXT sizes, PostgreSQL domains, types SQLAlchemy does not know).
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.types import NullType, TypeEngine

from fixturekit.errors import FixturekitError
from fixturekit.schema.model import ColumnType, Kind
from fixturekit.schema.sqlalchemy import column_type

# Types SQLAlchemy does not know, by the name the catalog gives them.
_KNOWN_UNKNOWN = {"citext": Kind.TEXT}

# Byte limits of the MySQL TEXT family: generating a longer value fails in strict mode.
_MYSQL_TEXT_LENGTH = {"TINYTEXT": 255, "TEXT": 65535, "MEDIUMTEXT": 16777215}
_BINARY_VISITS = {"BINARY", "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB", "BYTEA"}

# Attribute names declarative mapping reserves, on top of Python keywords.
_UNRECOGNISED = re.compile(r"Did not recognize type '(?P<type>[^']+)' of column '(?P<col>[^']+)'")


@dataclass
class RawTable:
    """What the inspector said about one table, before it becomes a neutral Table."""

    schema: str | None
    name: str
    columns: list[dict[str, Any]] = field(default_factory=list)
    pk: list[str] = field(default_factory=list)
    fks: list[dict[str, Any]] = field(default_factory=list)
    uniques: list[dict[str, Any]] = field(default_factory=list)
    indexes: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    comment: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def batch(call, schema: str | None, names: list[str]) -> dict[tuple[str | None, str], Any]:
    """One get_multi_* call; NotImplementedError means the dialect cannot tell (e.g. comments)."""
    try:
        return call(schema=schema, filter_names=names)
    except NotImplementedError:
        return {}


def read_raw(inspector: Inspector, schema: str | None, names: list[str]) -> dict[str, RawTable]:
    raws = {name: RawTable(schema, name) for name in names}
    unrecognised: dict[str, set[str]] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        columns = inspector.get_multi_columns(schema=schema, filter_names=names)
        indexes = batch(inspector.get_multi_indexes, schema, names)
    for warning in caught:
        match = _UNRECOGNISED.search(str(warning.message))
        if match:
            unrecognised.setdefault(match["col"], set()).add(match["type"])
    for (_, name), cols in columns.items():
        for col in cols:
            types = unrecognised.get(col["name"], set())
            if isinstance(col["type"], NullType) and len(types) == 1:
                col["catalog_type"] = next(iter(types))
        raws[name].columns = cols
    for (_, name), pk in batch(inspector.get_multi_pk_constraint, schema, names).items():
        raws[name].pk = list(pk.get("constrained_columns") or [])
    for (_, name), fks in batch(inspector.get_multi_foreign_keys, schema, names).items():
        raws[name].fks = fks
    for (_, name), uqs in batch(inspector.get_multi_unique_constraints, schema, names).items():
        raws[name].uniques = uqs
    for (_, name), ixs in indexes.items():
        raws[name].indexes = ixs
    for (_, name), cks in batch(inspector.get_multi_check_constraints, schema, names).items():
        raws[name].checks = cks
    for (_, name), comment in batch(inspector.get_multi_table_comment, schema, names).items():
        raws[name].comment = comment.get("text")
    for (_, name), options in batch(inspector.get_multi_table_options, schema, names).items():
        raws[name].options = options
    return raws


def norm_schema(schema: str | None, default: str | None) -> str | None:
    return None if schema is None or schema == default else schema


def table_key(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def gather(
    inspector: Inspector, schemas: list[str | None], wanted: list[str] | None
) -> dict[str, RawTable]:
    """Reflect the tables asked for plus every table they reference, in any schema.

    Referenced parents are included even when not asked for: a row cannot be inserted without
    them, so factories for the selection would be useless without theirs.
    """
    default = inspector.default_schema_name
    available = {s: inspector.get_table_names(schema=s) for s in schemas}
    todo: dict[str | None, set[str]] = {}
    if wanted is None:
        for s, names in available.items():
            todo[s] = set(names)
    else:
        for name in wanted:
            schema, table = locate(name, available)
            todo.setdefault(schema, set()).add(table)
    raws: dict[str, RawTable] = {}
    while todo:
        schema, names = todo.popitem()
        names -= {r.name for r in raws.values() if r.schema == schema}
        if not names:
            continue
        found = read_raw(inspector, schema, sorted(names))
        for raw in found.values():
            raws[raw.key] = raw
            for fk in raw.fks:
                ref_schema = norm_schema(fk.get("referred_schema"), default)
                if table_key(ref_schema, fk["referred_table"]) not in raws:
                    todo.setdefault(ref_schema, set()).add(fk["referred_table"])
    return raws


def locate(name: str, available: dict[str | None, list[str]]) -> tuple[str | None, str]:
    for schema, names in available.items():
        if name in names:
            return schema, name
        if schema and name.startswith(f"{schema}.") and name[len(schema) + 1 :] in names:
            return schema, name[len(schema) + 1 :]
    everything = [table_key(s, n) for s, names in available.items() for n in names]
    close = difflib.get_close_matches(name, everything, n=3)
    raise FixturekitError(
        f"No table {name!r} in the database.",
        hint=f"Did you mean {', '.join(close)}?"
        if close
        else "Views are not reflected; list the tables with --tables a,b or leave it out.",
    )


def mariadb_checks(conn: Connection, schema: str | None) -> dict[str, list[tuple[str, str, str]]]:
    """MariaDB's CHECK constraints from information_schema, column-level ones included.

    SQLAlchemy parses SHOW CREATE TABLE, which misses inline column checks, among them the
    `json_valid()` check that is all that distinguishes a JSON column from LONGTEXT on MariaDB.
    """
    rows = conn.execute(
        text(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL "
            "FROM information_schema.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = COALESCE(:schema, DATABASE()) "
            "ORDER BY TABLE_NAME, CONSTRAINT_NAME"
        ),
        {"schema": schema},
    )
    found: dict[str, list[tuple[str, str, str]]] = {}
    for table, name, clause, level in rows:
        found.setdefault(table, []).append((name, clause, level))
    return found


def sqlite_rowid_aliases(conn: Connection, raws: dict[str, RawTable]) -> set[tuple[str, str]]:
    """(table key, column) of INTEGER PRIMARY KEY columns: SQLite assigns those (rowid alias).

    Only the exact declared type INTEGER qualifies (INT or BIGINT do not), and never in a
    WITHOUT ROWID table; SQLAlchemy maps all of these to INTEGER, so the declaration is read.
    """
    aliases = set()
    for key, raw in raws.items():
        if len(raw.pk) != 1:
            continue
        prefix = f'"{raw.schema}".' if raw.schema else ""
        quoted = '"' + raw.name.replace('"', '""') + '"'
        sql = conn.exec_driver_sql(
            f"SELECT sql FROM {prefix}sqlite_master WHERE type = 'table' AND name = ?",
            (raw.name,),
        ).scalar()
        if sql and re.search(r"\)\s*WITHOUT\s+ROWID\b", sql, re.IGNORECASE):
            continue
        for row in conn.exec_driver_sql(f"PRAGMA {prefix}table_info({quoted})"):
            if row[1] == raw.pk[0] and (row[2] or "").strip().upper() == "INTEGER":
                aliases.add((key, raw.pk[0]))
    return aliases


def domain_check(domain: Any, column: str) -> str | None:
    check = getattr(domain, "check", None)
    if check is None:
        return None
    quoted = '"' + column.replace('"', '""') + '"'
    # The domain's check names its value VALUE; on the table it is the column.
    return re.sub(r"\bVALUE\b", lambda _: quoted, str(check))


def type_of(col: dict[str, Any], dialect: Any) -> ColumnType:
    sa_type: TypeEngine = col["type"]
    visit = getattr(sa_type, "__visit_name__", "").upper()
    if visit == "DOMAIN":
        sa_type = sa_type.data_type  # type: ignore[attr-defined]
        visit = getattr(sa_type, "__visit_name__", "").upper()
    if isinstance(sa_type, NullType):
        name = col.get("catalog_type", "")
        return ColumnType(_KNOWN_UNKNOWN.get(name.lower(), Kind.UNKNOWN), sql=name or "untyped")
    mapped = column_type(sa_type, dialect)
    sql = mapped.sql
    if visit == "TINYINT" and getattr(sa_type, "display_width", None) == 1:
        # MySQL's BOOL is TINYINT(1); SQLAlchemy models' Boolean creates exactly that.
        return ColumnType(Kind.BOOLEAN, sql=sql)
    if visit == "MEDIUMINT":
        return ColumnType(Kind.INTEGER, precision=7, unsigned=mapped.unsigned, sql=sql)
    if visit == "SET":
        # Any one label is a valid SET value, which is what generation needs.
        return ColumnType(Kind.ENUM, enum_values=tuple(sa_type.values), sql=sql)  # type: ignore[attr-defined]
    if visit in _MYSQL_TEXT_LENGTH and dialect.name == "mysql" and mapped.length is None:
        return ColumnType(Kind.TEXT, length=_MYSQL_TEXT_LENGTH[visit], sql=sql)
    if visit in _BINARY_VISITS and mapped.kind is Kind.UNKNOWN:
        return ColumnType(Kind.BINARY, length=getattr(sa_type, "length", None), sql=sql)
    return mapped
