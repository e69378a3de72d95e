"""What a test template looks like once its schema is built: its tables, the rows the build left
in them (seed data from migrations), and those rows kept in memory to put back after a leak.

Read once per run by fixturekit.plugin.databases; the leak check (fixturekit.plugin.leaks)
compares the test database against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fixturekit.dialects import Server, TableRef
from fixturekit.plugin.leaks import LeakProbe

# Seed rows (from migrations) kept in memory to put back after a leak; above this the test
# database is cloned again from the template instead.
SNAPSHOT_ROW_LIMIT = 10_000


@dataclass
class Layout:
    """What the template looks like: its tables, their row counts and the rows to restore."""

    tables: list[TableRef] = field(default_factory=list)
    baseline: dict[TableRef, int] = field(default_factory=dict)
    rows: dict[TableRef, tuple[list[str], list[tuple[Any, ...]]]] = field(default_factory=dict)
    restore_order: list[TableRef] = field(default_factory=list)
    nontransactional: list[str] = field(default_factory=list)


def read_layout(engine: Any, server: Server, extra_tables: list[TableRef]) -> Layout:
    from sqlalchemy import inspect

    with engine.connect() as conn:
        default_schema = inspect(conn).default_schema_name
        reflected = [TableRef(n) for n in inspect(conn).get_table_names()]
    seen: dict[TableRef, None] = {}
    for table in [*extra_tables, *reflected]:
        if table.schema == default_schema:
            table = TableRef(table.name)
        if table.name != "fixturekit_mark":
            seen.setdefault(table, None)
    layout = Layout(tables=list(seen))
    if not layout.tables:
        return layout
    counts = LeakProbe.count_rows(engine, server, layout.tables)
    layout.baseline = {t: n for t, n in counts.items() if n}
    if layout.baseline and sum(layout.baseline.values()) <= SNAPSHOT_ROW_LIMIT:
        layout.rows, layout.restore_order = snapshot_rows(engine, server, list(layout.baseline))
    return layout


def snapshot_rows(
    engine: Any, server: Server, tables: list[TableRef]
) -> tuple[dict[TableRef, tuple[list[str], list[tuple[Any, ...]]]], list[TableRef]]:
    """Rows the schema build left (seed data from migrations), parents first."""
    from sqlalchemy import MetaData

    metadata = MetaData()
    by_key: dict[tuple[str | None, str], TableRef] = {}
    with engine.connect() as conn:
        for schema in {t.schema for t in tables}:
            metadata.reflect(
                conn, schema=schema, only=[t.name for t in tables if t.schema == schema]
            )
        rows: dict[TableRef, tuple[list[str], list[tuple[Any, ...]]]] = {}
        for table in tables:
            result = conn.exec_driver_sql(server.raw(f"SELECT * FROM {server.qualified(table)}"))
            rows[table] = (list(result.keys()), [tuple(r) for r in result])
            by_key[(table.schema, table.name)] = table
    order = [
        by_key[(t.schema, t.name)] for t in metadata.sorted_tables if (t.schema, t.name) in by_key
    ]
    order += [t for t in tables if t not in order]
    return rows, order
