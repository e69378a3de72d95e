"""Read a live database's catalog into the neutral schema model, and map classes onto it.

Everything here only reads: SQLAlchemy's inspector (catalog queries, SHOW CREATE TABLE, PRAGMA)
plus two small catalog queries of our own, so a login that may read the catalog but write
nothing is enough. SQLite files are opened read-only.

Reflected types go through the same `column_type` mapping as the SQLAlchemy reader; the fix-ups
below cover what the catalog says differently from a model (MySQL's TINYINT(1) booleans and
JSON-as-LONGTEXT on MariaDB, PostgreSQL domains, SQLite rowid aliases).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Inspector

from fixturekit.errors import FixturekitError
from fixturekit.naming import attribute_names, class_names, python_identifier
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
)
from fixturekit.schema.reflect_catalog import (
    RawTable,
    domain_check,
    gather,
    mariadb_checks,
    norm_schema,
    sqlite_rowid_aliases,
    table_key,
    type_of,
)
from fixturekit.schema.reflect_connect import connect, make_engine, scrub, shown

__all__ = [
    "attribute_names",
    "automap",
    "class_names",
    "identity_columns",
    "make_engine",
    "python_identifier",
    "read_database",
]


def identity_columns(table: Table) -> list[str]:
    """Columns to map as the ORM identity of a table without a primary key.

    All of them, except JSON and arrays: their Python values (dicts, lists) cannot be hashed
    into an identity key.
    """
    usable = [c.name for c in table.columns if c.kind not in (Kind.JSON, Kind.ARRAY)]
    return usable or [c.name for c in table.columns]


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


def _unique_sets(raw: RawTable) -> list[tuple[tuple[str, ...], str | None, str | None]]:
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
    raw: RawTable,
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
        ctype = type_of(col, dialect)
        if name in json_columns:
            ctype = ColumnType(Kind.JSON, sql="JSON")
        from_domain = None
        if getattr(col["type"], "__visit_name__", "") == "DOMAIN":
            from_domain = domain_check(col["type"], name)
        if from_domain:
            checks.append(Check(from_domain, f"{col['type'].name} ({name})"))
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
        ref_schema = norm_schema(fk.get("referred_schema"), default_schema)
        options = fk.get("options") or {}
        foreign_keys.append(
            ForeignKey(
                columns=tuple(fk["constrained_columns"]),
                referred_table=table_key(ref_schema, fk["referred_table"]),
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
    return [norm_schema(s, default) for s in requested]


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
        with connect(engine) as conn:
            try:
                return _read(conn, schema, _parse_tables(tables))
            except sa_exc.DBAPIError as exc:
                raise FixturekitError(
                    f"Cannot read the catalog of {shown(engine.url)}: "
                    f"{scrub(str(exc.orig), engine.url)}",
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
    raws = gather(inspector, schemas, wanted)
    source = shown(conn.engine.url)
    if not raws:
        where = f" in schema {', '.join(s for s in schemas if s)}" if any(schemas) else ""
        raise FixturekitError(
            f"No tables{where} in {source} (views are not reflected).",
            hint="Check the database name and --schema. On MySQL/MariaDB the catalog hides "
            "tables the user has no privilege on: grant at least SELECT on them.",
        )
    rowid_aliases = sqlite_rowid_aliases(conn, raws) if dialect.name == "sqlite" else set()
    checks_by_schema: dict[str | None, dict[str, list[tuple[str, str, str]]]] = {}
    if getattr(dialect, "is_mariadb", False):
        for s in {raw.schema for raw in raws.values()}:
            checks_by_schema[s] = mariadb_checks(conn, s)

    result = Schema(source=source, dialect=dialect.name)
    default = inspector.default_schema_name
    for key in sorted(raws, key=lambda k: (raws[k].schema or "", raws[k].name)):
        raw = raws[key]
        extra = None
        if raw.schema in checks_by_schema:
            extra = checks_by_schema[raw.schema].get(raw.name, [])
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
            table = neutral.tables.get(table_key(sa_table.schema, sa_table.name))
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
        with connect(engine) as conn:
            for db_schema, table_names in by_schema.items():
                metadata.reflect(conn, schema=db_schema, only=table_names, views=False)
    finally:
        if engine is not url:
            engine.dispose()

    base = automap_base(metadata=metadata)
    base.prepare(
        classname_for_table=lambda _cls, name, sa_table: names[table_key(sa_table.schema, name)],
        generate_relationship=lambda *args, **kwargs: None,
    )
    classes: dict[str, type] = {}
    for mapped in base.classes:
        classes[table_key(mapped.__table__.schema, mapped.__table__.name)] = mapped
    for key, sa_table in metadata.tables.items():
        if key in classes or key not in neutral.tables:
            continue
        # automap skips tables without a primary key: map those here, with the same constructor
        cls = type(names[key], (), {"__init__": base.registry.constructor})
        identity = [sa_table.c[name] for name in identity_columns(neutral.table(key))]
        base.registry.map_imperatively(cls, sa_table, primary_key=identity)
        classes[key] = cls
    return classes
