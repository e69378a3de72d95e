"""Write SQLAlchemy model classes for a reflected database, next to its generated factories.

A database without Python models still needs classes for factories to build. They are written
out as plain declarative SQLAlchemy (one class per table, `__table__` spelled out), rather than
reflected when the tests start: the module can be read and reviewed, imported by tests for
queries, diffed when the database changes, and importing it does not need the database.

The column types are what the driver needs to bind values: on PostgreSQL the dialect types
(`ENUM` by its type name, `INET`, `JSONB`, `ARRAY`), because SQLAlchemy casts parameters to
the declared type there; elsewhere the generic types. No DDL is ever run from this module.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fixturekit.codegen.layout import LINE_LIMIT, layout
from fixturekit.infer.strategies import lit
from fixturekit.schema.model import Column, ColumnType, Kind, PythonRef, Schema, Table
from fixturekit.schema.reflect import class_names, identity_columns

_GENERIC = {
    Kind.INTEGER: "Integer",
    Kind.BIGINT: "BigInteger",
    Kind.SMALLINT: "SmallInteger",
    Kind.FLOAT: "Float",
    Kind.TEXT: "Text",
    Kind.BOOLEAN: "Boolean",
    Kind.DATE: "Date",
    Kind.INTERVAL: "Interval",
    Kind.UUID: "Uuid",
    Kind.BINARY: "LargeBinary",
    Kind.JSON: "JSON",
}
_PG_NAMED = {Kind.INET: "INET", Kind.CIDR: "CIDR", Kind.MACADDR: "MACADDR"}


def models_path(factories: Path) -> Path:
    """`tests/factories.py` -> `tests/factories_models.py`."""
    return factories.with_name(f"{factories.stem}_models.py")


def module_name_for(path: Path) -> str:
    """The dotted name `path` is imported under: through its parent packages, if any."""
    path = path.resolve()
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


# PostgreSQL types read as a plainer kind, whose parameters must be bound as themselves.
_PG_SPELLED = {
    "TSVECTOR": "TSVECTOR",
    "MONEY": "MONEY",
    "HSTORE": "HSTORE",
    "BIT": "BIT",
    "BIT VARYING": "BIT",
    "VARBIT": "BIT",
    "CITEXT": "CITEXT",
}


class _Types:
    """Renders ColumnTypes as SQLAlchemy type expressions, collecting the imports they need."""

    def __init__(self, dialect: str | None) -> None:
        self.postgresql = dialect == "postgresql"
        self.names: set[str] = set()
        self.uses_pg = False

    def _generic(self, name: str, args: str = "") -> str:
        self.names.add(name)
        return f"{name}({args})"

    def _pg(self, name: str, args: str = "") -> str:
        self.uses_pg = True
        return f"postgresql.{name}({args})"

    def render(self, ctype: ColumnType) -> str:
        kind = ctype.kind
        spelled = ctype.sql.upper().split("(")[0].strip()
        if self.postgresql and spelled in _PG_SPELLED:
            # fixturekit reads these as text or numbers, but PostgreSQL casts parameters only
            # when they are bound with the column's own type
            return self._pg(_PG_SPELLED[spelled])
        if kind is Kind.ENUM:
            values = ", ".join(lit(v) for v in ctype.enum_values)
            if self.postgresql and ctype.sql:
                # A native enum: parameters are cast to the type, so it needs the type's name.
                schema, _, name = ctype.sql.replace('"', "").rpartition(".")
                extra = f", schema={lit(schema)}" if schema else ""
                return self._pg("ENUM", f"{values}, name={lit(name)}{extra}, create_type=False")
            return self._generic("Enum", f"{values}, native_enum=False, create_constraint=False")
        if kind is Kind.ARRAY and ctype.item is not None and self.postgresql:
            return self._pg("ARRAY", self.render(ctype.item))
        if kind is Kind.JSON and self.postgresql:
            return self._pg("JSONB" if ctype.binary_json else "JSON")
        if kind in _PG_NAMED:
            return self._pg(_PG_NAMED[kind]) if self.postgresql else self._generic("String", "50")
        if kind in (Kind.STRING, Kind.TEXT) and ctype.length is not None and kind is Kind.STRING:
            return self._generic("String", str(ctype.length))
        if kind is Kind.STRING:
            return self._generic("String")
        if kind is Kind.NUMERIC:
            args = [str(ctype.precision)] if ctype.precision is not None else []
            if ctype.precision is not None and ctype.scale is not None:
                args.append(str(ctype.scale))
            return self._generic("Numeric", ", ".join(args))
        if kind in (Kind.DATETIME, Kind.TIME):
            name = "DateTime" if kind is Kind.DATETIME else "Time"
            return self._generic(name, "timezone=True" if ctype.timezone else "")
        if kind in _GENERIC:
            return self._generic(_GENERIC[kind])
        # Unknown to fixturekit: bind values as they are given, without a cast.
        self.names.add("NullType")
        return "NullType()"


def _column(column: Column, types: _Types) -> str:
    args = [lit(column.name), types.render(column.type)]
    if column.attribute:
        args.append(f"key={lit(column.attribute)}")
    if column.primary_key:
        args.append("primary_key=True")
        if not column.autoincrement:
            args.append("autoincrement=False")
    elif not column.nullable:
        args.append("nullable=False")
    # a serial's nextval() names a sequence of the reflected database: autoincrement makes its
    # own, so the models also create cleanly elsewhere (a test or verification database)
    sequence = column.autoincrement and "nextval(" in (column.server_default or "").lower()
    if column.server_default is not None and not sequence:
        types.names.add("text")
        args.append(f"server_default=text({lit(column.server_default)})")
    if column.computed:
        types.names.add("FetchedValue")
        args.append("server_default=FetchedValue()")
    types.names.add("Column")
    return f"Column({', '.join(args)})"


def _table_lines(table: Table, class_name: str, schema: Schema, types: _Types) -> list[str]:
    doc = f'"""The {table.key} table."""' if not table.comment else lit(table.comment)
    lines = [f"class {class_name}(Base):", f"    {doc}"]
    lines += ["", "    __table__ = Table(", f"        {lit(table.name)},", "        Base.metadata,"]
    for col in table.columns:
        lines += layout("        ", "", _column(col, types), ",")
    for fk in table.foreign_keys:
        parent = schema.tables.get(fk.referred_table)
        prefix = f"{parent.key}." if parent is not None else f"{fk.referred_table}."
        referred = [f"{prefix}{c}" for c in fk.referred_columns]
        types.names.add("ForeignKeyConstraint")
        lines.append(f"        ForeignKeyConstraint({lit(list(fk.columns))}, {lit(referred)}),")
    # the constraints too, so that a database built from these models (tests, --verify)
    # refuses what the reflected one refuses
    for unique in table.uniques:
        if unique.where:
            continue  # a partial unique index, not a constraint
        types.names.add("UniqueConstraint")
        name = f", name={lit(unique.name)}" if unique.name else ""
        columns = ", ".join(lit(c) for c in unique.columns)
        lines += layout("        ", "", f"UniqueConstraint({columns}{name})", ",")
    for check in table.checks:
        types.names.add("CheckConstraint")
        name = f", name={lit(check.name)}" if check.name else ""
        lines += layout("        ", "", f"CheckConstraint({lit(check.sql)}{name})", ",")
    if table.schema:
        lines.append(f"        schema={lit(table.schema)},")
    lines.append("    )")
    if not table.primary_key:
        # The ORM needs an identity to insert through a class and the table has no key.
        identity = ", ".join(f"__table__.c[{lit(c)}]" for c in identity_columns(table))
        lines += layout("    ", "__mapper_args__ = ", f"dict(primary_key=[{identity}])")
    return lines


def render_models_module(schema: Schema, command: str = "fixturekit generate --url") -> str:
    """The source of a declarative models module for a reflected schema."""
    types = _Types(schema.dialect)
    names = class_names(schema.tables)
    body: list[str] = []
    for table in schema:
        body += ["", "", *_table_lines(table, names[table.key], schema, types)]
    sa_names = sorted([*(types.names - {"NullType"}), "Table"])
    imports = [f"from sqlalchemy import {', '.join(sa_names)}"]
    if len(imports[0]) > LINE_LIMIT:
        imports = ["from sqlalchemy import (", *(f"    {n}," for n in sa_names), ")"]
    if types.uses_pg:
        imports.append("from sqlalchemy.dialects import postgresql")
    imports.append("from sqlalchemy.orm import DeclarativeBase")
    if "NullType" in types.names:
        imports.append("from sqlalchemy.types import NullType")
    header = [
        f'"""SQLAlchemy models for {schema.source or "a reflected database"}.',
        "",
        f"Generated by `{command}` from the database's catalog, with the factories",
        "that use them. Regenerate after a schema change instead of editing this file.",
        '"""',
        "",
    ]
    base = ["", "", "class Base(DeclarativeBase):", "    pass"]
    return "\n".join(header + imports + base + body) + "\n"


def with_model_refs(schema: Schema, module: str) -> Schema:
    """A copy of `schema` whose tables name their class in the generated models `module`."""
    names = class_names(schema.tables)
    result = dataclasses.replace(schema, tables={})
    for table in schema:
        result.add(dataclasses.replace(table, model=PythonRef(module, names[table.key])))
    return result
