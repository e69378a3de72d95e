"""The verification database's schema: `create_all`, or what the database accepts of it.

Models are not always valid DDL for the server at hand: a foreign key to a column with no
unique constraint (a project whose migrations add that constraint, or never declare the key)
makes PostgreSQL and MariaDB refuse `create_all` as a whole. Verification only needs tables
to insert rows into, so when `create_all` fails it builds each table without its foreign keys,
then adds the foreign keys one by one, and leaves out those the database refuses. The notice
names each one: verification then proves less about those links (their parent rows are still
created by the factories' SubFactory declarations). A table the database refuses still fails
with the usual message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fixturekit.dialects.errors import first_line
from fixturekit.plugin.building import SchemaBuildError, build_schema


def build_verification_schema(
    engine: Any, metadatas: list[Any], notice: Callable[[str], None]
) -> None:
    try:
        build_schema(engine, metadatas, None, Path.cwd())
        return
    except SchemaBuildError as exc:
        failure = exc
    refused = _build_leniently(engine, metadatas, failure)
    shown = "; ".join(refused[:5]) + (f"; and {len(refused) - 5} more" if len(refused) > 5 else "")
    notice(
        f"Verification: the database refused {len(refused)} foreign key(s) or index(es) of "
        f"the models ({shown}); the schema is verified without them."
    )


def _build_leniently(engine: Any, metadatas: list[Any], failure: SchemaBuildError) -> list[str]:
    """Tables without their foreign keys (and without their indexes, when one is refused), then
    each foreign key (and such index) on its own: the refused ones."""
    from sqlalchemy.schema import AddConstraint, CreateSchema

    tables = [t for metadata in metadatas for t in metadata.sorted_tables]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for schema in sorted({t.schema for t in tables if t.schema}):
                conn.execute(CreateSchema(schema, if_not_exists=True))
    refused: list[str] = []
    for table in tables:
        try:
            _create_table(engine, table)
        except Exception:
            # an index the server cannot build (one with no column) is left out as well
            saved = set(table.indexes)
            table.indexes.clear()
            try:
                _create_table(engine, table)
            except Exception as exc:
                raise SchemaBuildError(
                    f"create_all failed in the test database: table {table.fullname}: "
                    f"{first_line(exc)}",
                    hint="The models must create cleanly on this database server.",
                ) from None
            finally:
                table.indexes.update(saved)
            for index in sorted(saved, key=lambda i: i.name or ""):
                try:
                    with engine.begin() as conn:
                        index.create(conn)
                except Exception:
                    refused.append(f"index {index.name} on {table.fullname}")
    if engine.dialect.name == "sqlite" and not refused:
        # SQLite cannot add a constraint to a table: its foreign keys are never refused
        # at creation, so `create_all` failed for another reason
        raise failure
    for table in tables if engine.dialect.name != "sqlite" else []:
        for constraint in sorted(table.foreign_key_constraints, key=_constraint_label):
            try:
                with engine.begin() as conn:
                    conn.execute(AddConstraint(constraint))
            except Exception:
                refused.append(_constraint_label(constraint))
    if not refused:
        raise failure  # the foreign keys were not the problem: the first error stands
    return refused


def _create_table(engine: Any, table: Any) -> None:
    from sqlalchemy.sql.ddl import SchemaGenerator

    with engine.begin() as conn:
        # a server that does not roll DDL back (MariaDB) may hold some tables already
        if not engine.dialect.has_table(conn, table.name, schema=table.schema):
            # the table as create_all makes it (its enum types, sequences and indexes come
            # with it), only without foreign keys
            SchemaGenerator(conn.dialect, conn, checkfirst=True).traverse_single(
                table, create_ok=True, include_foreign_key_constraints=[]
            )


def _constraint_label(constraint: Any) -> str:
    local = ", ".join(c.name for c in constraint.columns)
    target = constraint.elements[0].column.table.fullname if constraint.elements else "?"
    remote = ", ".join(e.column.name for e in constraint.elements)
    return f"{constraint.table.fullname}({local}) -> {target}({remote})"
