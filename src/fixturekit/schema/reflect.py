"""Read a live database's catalog into the neutral schema model, and map classes onto it.

Everything here only reads: SQLAlchemy's inspector (catalog queries, SHOW CREATE TABLE, PRAGMA)
plus two small catalog queries of our own, so a login that may read the catalog but write
nothing is enough. SQLite files are opened read-only.

Reflected types go through the same `column_type` mapping as the SQLAlchemy reader; the fix-ups
below cover what the catalog says differently from a model (MySQL's TINYINT(1) booleans and
JSON-as-LONGTEXT on MariaDB, PostgreSQL domains, SQLite rowid aliases).
"""

from __future__ import annotations

import difflib
import keyword
import re
import sqlite3
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Inspector, make_url
from sqlalchemy.types import NullType, TypeEngine

from fixturekit.errors import FixturekitError
from fixturekit.schema.defaults import server_default
from fixturekit.schema.model import (
    Check,
    Column,
    ColumnType,
    ForeignKey,
    Kind,
    Schema,
    Table,
    Unique,
    python_identifier,
)
from fixturekit.schema.sqlalchemy import column_type

# Async drivers cannot be inspected synchronously; users paste their application's URL, so
# reflection swaps in the synchronous driver of the same database.
_SYNC_DRIVERS = {
    "asyncpg": "psycopg",
    "psycopg_async": "psycopg",
    "aiosqlite": "pysqlite",
    "aiomysql": "pymysql",
    "asyncmy": "pymysql",
}

# Types SQLAlchemy does not know, by the name the catalog gives them.
_KNOWN_UNKNOWN = {"citext": Kind.TEXT}

# Byte limits of the MySQL TEXT family: generating a longer value fails in strict mode.
_MYSQL_TEXT_LENGTH = {"TINYTEXT": 255, "TEXT": 65535, "MEDIUMTEXT": 16777215}
_BINARY_VISITS = {"BINARY", "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB", "BYTEA"}

# Attribute names declarative mapping reserves, on top of Python keywords.
_UNRECOGNISED = re.compile(r"Did not recognize type '(?P<type>[^']+)' of column '(?P<col>[^']+)'")


@dataclass
class _Raw:
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


# ---------------------------------------------------------------------------------------------
# Connecting


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _scrub(message: str, url: URL) -> str:
    """The first line of a driver error, with the password removed should the driver echo it."""
    line = (message.strip().splitlines() or [""])[0]
    if url.password:
        line = line.replace(str(url.password), "***")
    return line


def _sync_url(url: URL) -> URL:
    driver = url.get_driver_name()
    if driver in _SYNC_DRIVERS:
        return url.set(drivername=f"{url.get_backend_name()}+{_SYNC_DRIVERS[driver]}")
    return url


def _sqlite_readonly_engine(url: URL) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:"):
        raise FixturekitError(
            f"{_shown(url)} is an in-memory SQLite database: it has no tables to reflect.",
            hint="Give the path of a SQLite file, e.g. sqlite:///app.db.",
        )
    path = Path(database).expanduser()
    if not path.is_file():
        raise FixturekitError(
            f"SQLite file {path} does not exist.",
            hint="Check the path in the URL (sqlite:///relative.db, sqlite:////absolute.db).",
        )
    # mode=ro: reflection must never create or touch the file.
    uri = f"file:{path.resolve().as_posix()}?mode=ro"
    return create_engine(url, creator=lambda: sqlite3.connect(uri, uri=True))


def make_engine(url: str | URL) -> Engine:
    """An engine for reflecting `url`, or a FixturekitError that says what is wrong with it."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except sa_exc.ArgumentError:
        raise FixturekitError(
            f"{url!r} is not a database URL.",
            hint="Use the SQLAlchemy form dialect+driver://user:password@host:port/database, "
            "e.g. postgresql+psycopg://app@localhost/app or sqlite:///app.db.",
        ) from None
    try:
        parsed = _sync_url(parsed)
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_readonly_engine(parsed)
        return create_engine(parsed)
    except FixturekitError:
        raise
    except sa_exc.NoSuchModuleError:
        raise FixturekitError(
            f"Unknown database dialect in {_shown(parsed)}.",
            hint="Supported: postgresql+psycopg://, mysql+pymysql:// (MariaDB too), sqlite:///.",
        ) from None
    except ModuleNotFoundError as exc:
        raise FixturekitError(
            f"The driver for {_shown(parsed)} is not installed ({exc.name}).",
            hint="Install it (e.g. pip install 'fixturekit[mysql]') or name an installed driver "
            "in the URL, e.g. mysql+pymysql://.",
        ) from None


def _connect(engine: Engine) -> Connection:
    try:
        return engine.connect()
    except sa_exc.DBAPIError as exc:
        raise FixturekitError(
            f"Cannot connect to {_shown(engine.url)}: {_scrub(str(exc.orig), engine.url)}",
            hint="Check that the server is running and reachable, and that the user, password "
            "and database name are right and the user may connect to that database.",
        ) from None


# ---------------------------------------------------------------------------------------------
# Naming: Python attributes and classes for reflected names


def attribute_names(column_names: Iterable[str]) -> dict[str, str]:
    """Column name -> attribute name, unique within the table."""
    names = list(column_names)
    taken = set(names)
    result: dict[str, str] = {}
    for name in names:
        ident = python_identifier(name)
        if ident != name:
            base, n = ident, 2
            while ident in taken:
                ident, n = f"{base}_{n}", n + 1
            taken.add(ident)
        result[name] = ident
    return result


def _camel(name: str) -> str:
    parts = [p for p in re.split(r"[\W_]+", name) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)


def identity_columns(table: Table) -> list[str]:
    """Columns to map as the ORM identity of a table without a primary key.

    All of them, except JSON and arrays: their Python values (dicts, lists) cannot be hashed
    into an identity key.
    """
    usable = [c.name for c in table.columns if c.kind not in (Kind.JSON, Kind.ARRAY)]
    return usable or [c.name for c in table.columns]


def class_names(table_keys: Iterable[str]) -> dict[str, str]:
    """Table key -> a class name: CamelCase of the table name, schema-prefixed on a clash."""
    keys = list(table_keys)
    bare = {key: _camel(key.rsplit(".", 1)[-1]) or "Table" for key in keys}
    counts: dict[str, int] = {}
    for name in bare.values():
        counts[name] = counts.get(name, 0) + 1
    result: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        name = bare[key]
        if counts[name] > 1 and "." in key:
            name = _camel(key.rsplit(".", 1)[0]) + name
        if name[0].isdigit():
            name = f"T{name}"
        if keyword.iskeyword(name):
            name = f"{name}_"
        base, n = name, 2
        while name in used:
            name, n = f"{base}{n}", n + 1
        used.add(name)
        result[key] = name
    return result


# ---------------------------------------------------------------------------------------------
# Reading the catalog


def _batch(call, schema: str | None, names: list[str]) -> dict[tuple[str | None, str], Any]:
    """One get_multi_* call; NotImplementedError means the dialect cannot tell (e.g. comments)."""
    try:
        return call(schema=schema, filter_names=names)
    except NotImplementedError:
        return {}


def _read_raw(inspector: Inspector, schema: str | None, names: list[str]) -> dict[str, _Raw]:
    raws = {name: _Raw(schema, name) for name in names}
    unrecognised: dict[str, set[str]] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        columns = inspector.get_multi_columns(schema=schema, filter_names=names)
        indexes = _batch(inspector.get_multi_indexes, schema, names)
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
    for (_, name), pk in _batch(inspector.get_multi_pk_constraint, schema, names).items():
        raws[name].pk = list(pk.get("constrained_columns") or [])
    for (_, name), fks in _batch(inspector.get_multi_foreign_keys, schema, names).items():
        raws[name].fks = fks
    for (_, name), uqs in _batch(inspector.get_multi_unique_constraints, schema, names).items():
        raws[name].uniques = uqs
    for (_, name), ixs in indexes.items():
        raws[name].indexes = ixs
    for (_, name), cks in _batch(inspector.get_multi_check_constraints, schema, names).items():
        raws[name].checks = cks
    for (_, name), comment in _batch(inspector.get_multi_table_comment, schema, names).items():
        raws[name].comment = comment.get("text")
    for (_, name), options in _batch(inspector.get_multi_table_options, schema, names).items():
        raws[name].options = options
    return raws


def _norm_schema(schema: str | None, default: str | None) -> str | None:
    return None if schema is None or schema == default else schema


def _key(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _gather(
    inspector: Inspector, schemas: list[str | None], wanted: list[str] | None
) -> dict[str, _Raw]:
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
            schema, table = _locate(name, available)
            todo.setdefault(schema, set()).add(table)
    raws: dict[str, _Raw] = {}
    while todo:
        schema, names = todo.popitem()
        names -= {r.name for r in raws.values() if r.schema == schema}
        if not names:
            continue
        batch = _read_raw(inspector, schema, sorted(names))
        for raw in batch.values():
            raws[raw.key] = raw
            for fk in raw.fks:
                ref_schema = _norm_schema(fk.get("referred_schema"), default)
                if _key(ref_schema, fk["referred_table"]) not in raws:
                    todo.setdefault(ref_schema, set()).add(fk["referred_table"])
    return raws


def _locate(name: str, available: dict[str | None, list[str]]) -> tuple[str | None, str]:
    for schema, names in available.items():
        if name in names:
            return schema, name
        if schema and name.startswith(f"{schema}.") and name[len(schema) + 1 :] in names:
            return schema, name[len(schema) + 1 :]
    everything = [_key(s, n) for s, names in available.items() for n in names]
    close = difflib.get_close_matches(name, everything, n=3)
    raise FixturekitError(
        f"No table {name!r} in the database.",
        hint=f"Did you mean {', '.join(close)}?"
        if close
        else "Views are not reflected; list the tables with --tables a,b or leave it out.",
    )


# ---------------------------------------------------------------------------------------------
# Dialect fix-ups


def _mariadb_checks(conn: Connection, schema: str | None) -> dict[str, list[tuple[str, str, str]]]:
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


def _sqlite_rowid_aliases(conn: Connection, raws: dict[str, _Raw]) -> set[tuple[str, str]]:
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


def _domain_check(domain: Any, column: str) -> str | None:
    check = getattr(domain, "check", None)
    if check is None:
        return None
    quoted = '"' + column.replace('"', '""') + '"'
    # The domain's check names its value VALUE; on the table it is the column.
    return re.sub(r"\bVALUE\b", lambda _: quoted, str(check))


def _type_of(col: dict[str, Any], dialect: Any) -> ColumnType:
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


# ---------------------------------------------------------------------------------------------
# Building neutral tables


def _autoincrement(col: dict[str, Any], dialect_name: str) -> bool:
    if col.get("identity"):
        return True
    # SQLite says "auto" for every column; its rowid aliases are found separately.
    return dialect_name != "sqlite" and col.get("autoincrement") is True


def _where_text(index: dict[str, Any]) -> str | None:
    for option, value in (index.get("dialect_options") or {}).items():
        if option.endswith("_where") and value is not None:
            return str(value)
    return None


_CASE_FOLD = re.compile(
    r"^(?:lower|upper|btrim|trim)\(\s*\(?\s*"
    r"(?:\"(?P<quoted>[^\"]+)\"|`(?P<ticked>[^`]+)`|(?P<bare>\w+))"
    r"\s*\)?(?:::[\w ]+)?\s*\)$",
    re.IGNORECASE,
)


def _case_folded_column(expression: str | None) -> str | None:
    """`email` for `lower(email::text)` / `upper(\"Code\")`; None for any other expression."""
    match = _CASE_FOLD.match((expression or "").strip())
    return (match["quoted"] or match["ticked"] or match["bare"]) if match else None


def _unique_sets(raw: _Raw) -> list[tuple[tuple[str, ...], str | None, str | None]]:
    """(columns, name, where) of every unique constraint and plain-column unique index."""
    found: list[tuple[tuple[str, ...], str | None, str | None]] = []
    names = {c["name"] for c in raw.columns}
    for uq in raw.uniques:
        found.append((tuple(uq["column_names"]), uq.get("name"), None))
    for ix in raw.indexes:
        if not ix.get("unique") or ix.get("duplicates_constraint"):
            continue
        cols = ix.get("column_names") or []
        expressions = ix.get("expressions") or cols
        if not cols or len(expressions) != len(cols):
            continue
        # lower(email), upper(code): distinct values of the column itself satisfy the index,
        # so it is recorded as the column's uniqueness; other expressions are left out.
        resolved = [
            c if c is not None else _case_folded_column(e)
            for c, e in zip(cols, expressions, strict=True)
        ]
        if any(c not in names for c in resolved):
            continue
        found.append((tuple(resolved), ix.get("name"), _where_text(ix)))
    unique: list[tuple[tuple[str, ...], str | None, str | None]] = []
    for cols, name, where in found:
        if not any(c == cols and w == where for c, _, w in unique):
            unique.append((cols, name, where))
    return unique


def _build_table(
    raw: _Raw,
    default_schema: str | None,
    dialect: Any,
    rowid_aliases: set[tuple[str, str]],
    extra_checks: list[tuple[str, str, str]] | None,
) -> Table:
    json_columns: set[str] = set()
    checks: list[Check] = []
    if extra_checks is not None:  # MariaDB: information_schema is the full list
        for name, clause, level in extra_checks:
            if level == "Column" and re.fullmatch(rf"json_valid\(`{re.escape(name)}`\)", clause):
                json_columns.add(name)
            else:
                checks.append(Check(clause, name))
    else:
        checks = [Check(ck["sqltext"], ck.get("name")) for ck in raw.checks]

    uniques = _unique_sets(raw)
    single = {cols[0] for cols, _, where in uniques if len(cols) == 1 and where is None}
    attributes = attribute_names(c["name"] for c in raw.columns)
    pk = set(raw.pk)
    columns: list[Column] = []
    for col in raw.columns:
        name = col["name"]
        ctype = _type_of(col, dialect)
        if name in json_columns:
            ctype = ColumnType(Kind.JSON, sql="JSON")
        domain_check = None
        if getattr(col["type"], "__visit_name__", "") == "DOMAIN":
            domain_check = _domain_check(col["type"], name)
        if domain_check:
            checks.append(Check(domain_check, f"{col['type'].name} ({name})"))
        default = col.get("default")
        columns.append(
            Column(
                name=name,
                type=ctype,
                # A primary key is never NULL, even where SQLite's catalog says it may be.
                nullable=bool(col.get("nullable", True)) and name not in pk,
                primary_key=name in pk,
                autoincrement=_autoincrement(col, dialect.name) or (raw.key, name) in rowid_aliases,
                server_default=str(default) if default is not None else None,
                default=server_default(str(default)) if default is not None else None,
                computed=bool(col.get("computed")),
                unique=name in single,
                attribute=attributes[name] if attributes[name] != name else None,
                comment=col.get("comment"),
            )
        )

    foreign_keys = []
    for fk in raw.fks:
        # No referred schema means the default one (PostgreSQL leaves out what the search
        # path finds); the others name it, even for a reference within the same schema.
        ref_schema = _norm_schema(fk.get("referred_schema"), default_schema)
        options = fk.get("options") or {}
        foreign_keys.append(
            ForeignKey(
                columns=tuple(fk["constrained_columns"]),
                referred_table=_key(ref_schema, fk["referred_table"]),
                referred_columns=tuple(fk.get("referred_columns") or ()),
                name=fk.get("name"),
                deferrable=bool(options.get("deferrable")),
                ondelete=options.get("ondelete"),
            )
        )
    foreign_keys.sort(key=lambda f: f.columns)

    options = raw.options
    return Table(
        name=raw.name,
        schema=raw.schema,
        columns=columns,
        primary_key=tuple(raw.pk),
        foreign_keys=foreign_keys,
        uniques=[Unique(c, n, w) for c, n, w in uniques if len(c) > 1 or w is not None],
        checks=checks,
        model=None,
        comment=raw.comment,
        engine=options.get("mysql_engine") or options.get("mariadb_engine"),
    )


def _fill_implicit_references(schema: Schema) -> None:
    """`REFERENCES parent` without columns means the parent's primary key."""
    for table in schema:
        for i, fk in enumerate(table.foreign_keys):
            if fk.referred_columns or fk.referred_table not in schema.tables:
                continue
            parent = schema.tables[fk.referred_table]
            table.foreign_keys[i] = ForeignKey(
                fk.columns,
                fk.referred_table,
                parent.primary_key,
                fk.name,
                fk.deferrable,
                fk.ondelete,
            )


def _schemas_of(inspector: Inspector, schema: str | Sequence[str] | None) -> list[str | None]:
    if schema is None:
        return [None]
    requested = [schema] if isinstance(schema, str) else list(schema)
    try:
        existing = set(inspector.get_schema_names())
    except NotImplementedError:
        existing = set(requested)
    missing = [s for s in requested if s not in existing]
    if missing:
        raise FixturekitError(
            f"No schema {', '.join(map(repr, missing))} in the database.",
            hint=f"Schemas there: {', '.join(sorted(existing))}.",
        )
    default = inspector.default_schema_name
    return [_norm_schema(s, default) for s in requested]


def _parse_tables(tables: str | Sequence[str] | None) -> list[str] | None:
    if tables is None:
        return None
    names = tables.split(",") if isinstance(tables, str) else list(tables)
    return [n.strip() for n in names if n.strip()] or None


def read_database(
    url: str | URL | Engine,
    schema: str | Sequence[str] | None = None,
    tables: str | Sequence[str] | None = None,
) -> Schema:
    """The neutral schema of a live database: its tables (views skipped) and their keys.

    `schema` names one or more database schemas (default: the connection's default schema);
    `tables` limits reading to those tables (names, or `schema.name`) plus every table they
    reference. Raises FixturekitError for an unusable URL, a failed connection, a missing
    schema or table, or a catalog the user may not read.
    """
    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        with _connect(engine) as conn:
            try:
                return _read(conn, schema, _parse_tables(tables))
            except sa_exc.DBAPIError as exc:
                raise FixturekitError(
                    f"Cannot read the catalog of {_shown(engine.url)}: "
                    f"{_scrub(str(exc.orig), engine.url)}",
                    hint="The user needs permission to read the database's catalog (table "
                    "definitions); it needs no write permission.",
                ) from None
    finally:
        if engine is not url:
            engine.dispose()


def _read(conn: Connection, schema: str | Sequence[str] | None, wanted: list[str] | None):
    inspector = inspect(conn)
    dialect = conn.dialect
    schemas = _schemas_of(inspector, schema)
    raws = _gather(inspector, schemas, wanted)
    shown = _shown(conn.engine.url)
    if not raws:
        where = f" in schema {', '.join(s for s in schemas if s)}" if any(schemas) else ""
        raise FixturekitError(
            f"No tables{where} in {shown} (views are not reflected).",
            hint="Check the database name and --schema. On MySQL/MariaDB the catalog hides "
            "tables the user has no privilege on: grant at least SELECT on them.",
        )
    rowid_aliases = _sqlite_rowid_aliases(conn, raws) if dialect.name == "sqlite" else set()
    mariadb_checks: dict[str | None, dict[str, list[tuple[str, str, str]]]] = {}
    if getattr(dialect, "is_mariadb", False):
        for s in {raw.schema for raw in raws.values()}:
            mariadb_checks[s] = _mariadb_checks(conn, s)

    result = Schema(source=shown, dialect=dialect.name)
    default = inspector.default_schema_name
    for key in sorted(raws, key=lambda k: (raws[k].schema or "", raws[k].name)):
        raw = raws[key]
        extra = None
        if raw.schema in mariadb_checks:
            extra = mariadb_checks[raw.schema].get(raw.name, [])
        result.add(_build_table(raw, default, dialect, rowid_aliases, extra))
    _fill_implicit_references(result)
    return result


# ---------------------------------------------------------------------------------------------
# Mapped classes at run time


def automap(
    url: str | URL | Engine,
    schema: str | Sequence[str] | None = None,
    tables: str | Sequence[str] | None = None,
    *,
    neutral: Schema | None = None,
) -> dict[str, type]:
    """Mapped classes for a live database's tables, keyed like `Schema.tables`.

    For runtime factories and seeding when there are no models. Classes are named by
    `class_names`, attributes by `attribute_names` (so `"First Name"` is `First_Name`), columns
    only: no relationships are generated, foreign keys are set through their columns. A table
    without a primary key is mapped with all its columns as the mapper's identity, because the
    ORM cannot insert into a class without one. Pass the already-read `neutral` schema to skip
    reading the catalog twice.
    """
    from sqlalchemy import JSON, Boolean, MetaData
    from sqlalchemy.ext.automap import automap_base

    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        neutral = neutral or read_database(engine, schema, tables)
        names = class_names(neutral.tables)
        metadata = MetaData()

        @event.listens_for(metadata, "column_reflect")
        def _align(_inspector: Any, sa_table: Any, info: dict[str, Any]) -> None:
            # Reflect exactly what the neutral schema says about the column.
            table = neutral.tables.get(_key(sa_table.schema, sa_table.name))
            if table is None or not table.has_column(info["name"]):
                return
            col = table.column(info["name"])
            if col.attribute:
                info["key"] = col.attribute
            if col.kind is Kind.JSON and not isinstance(info["type"], JSON):
                info["type"] = JSON()  # MariaDB's JSON is a LONGTEXT
            elif col.kind is Kind.BOOLEAN and not isinstance(info["type"], Boolean):
                info["type"] = Boolean()  # MySQL's TINYINT(1)

        by_schema: dict[str | None, list[str]] = {}
        for table in neutral:
            by_schema.setdefault(table.schema, []).append(table.name)
        with _connect(engine) as conn:
            for db_schema, table_names in by_schema.items():
                metadata.reflect(conn, schema=db_schema, only=table_names, views=False)
    finally:
        if engine is not url:
            engine.dispose()

    base = automap_base(metadata=metadata)
    base.prepare(
        classname_for_table=lambda _cls, name, sa_table: names[_key(sa_table.schema, name)],
        generate_relationship=lambda *args, **kwargs: None,
    )
    classes: dict[str, type] = {}
    for mapped in base.classes:
        classes[_key(mapped.__table__.schema, mapped.__table__.name)] = mapped
    for key, sa_table in metadata.tables.items():
        if key in classes or key not in neutral.tables:
            continue
        # automap skips tables without a primary key: map those here, with the same constructor
        cls = type(names[key], (), {"__init__": base.registry.constructor})
        identity = [sa_table.c[name] for name in identity_columns(neutral.table(key))]
        base.registry.map_imperatively(cls, sa_table, primary_key=identity)
        classes[key] = cls
    return classes
