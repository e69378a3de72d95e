"""Statistics from PostgreSQL's catalog: `pg_class.reltuples` and the `pg_stats` view.

Nothing here reads a table's rows: `ANALYZE` already summarised them (null fraction, number of
distinct values, most common values with their frequencies, histogram bounds).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from fixturekit.seed.learn.stats import ColumnStats, SourceStats, TableStats

_TABLES = text(
    """
    SELECT c.relname, c.reltuples
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
    """
)
# anyarray columns go through text[]: the catalog keeps them in the column's own type.
_COLUMNS = text(
    """
    SELECT tablename, attname, null_frac, n_distinct,
           most_common_vals::text::text[], most_common_freqs,
           histogram_bounds::text::text[]
    FROM pg_stats
    WHERE schemaname = current_schema()
    """
)


def read_pg_stats(connection: Any) -> SourceStats:
    tables: dict[str, TableStats] = {}
    for name, reltuples in connection.execute(_TABLES):
        # -1 (PostgreSQL 14+) or 0 with no pages: never vacuumed or analyzed
        tables[name] = TableStats(name, max(float(reltuples), 0.0), analyzed=reltuples >= 0)
    analyzed: set[str] = set()
    for table, column, null_frac, n_distinct, mcv, mcf, bounds in connection.execute(_COLUMNS):
        if table not in tables:
            continue
        analyzed.add(table)
        common = tuple(zip(mcv or (), (float(f) for f in (mcf or ())), strict=False))
        tables[table].columns[column] = ColumnStats(
            name=column,
            null_frac=float(null_frac or 0.0),
            n_distinct=float(n_distinct or 0.0),
            common=common,
            bounds=tuple(bounds or ()),
        )
    for name, stats in tables.items():
        stats.analyzed = stats.analyzed and (name in analyzed or stats.rows == 0)
    return SourceStats(tables, "PostgreSQL's pg_stats and pg_class.reltuples")
