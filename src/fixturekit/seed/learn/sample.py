"""Statistics from a bounded sample, where the catalog has none to offer (MariaDB, SQLite).

At most `limit` rows per table are read, one column at a time as aggregates the server
computes: `COUNT(*)`, the NULL count and the most common values with their counts. Values are
kept only as the counts of the most common ones and the minimum and maximum; `derive` then
decides which may be copied (closed domains only).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, inspect, select

from fixturekit.seed.learn.stats import ColumnStats, SourceStats, TableStats

SAMPLE_ROWS = 10_000
COMMON_VALUES = 25


def read_sample(connection: Any, limit: int = SAMPLE_ROWS) -> SourceStats:
    from sqlalchemy import MetaData

    metadata = MetaData()
    tables = {
        name: sample_table(connection, name, metadata, limit)
        for name in inspect(connection).get_table_names()
    }
    return SourceStats(tables, f"a sample of the first {limit:,} rows of each table")


def sample_table(
    connection: Any, name: str, metadata: Any, limit: int, columns: list[str] | None = None
) -> TableStats:
    """The statistics of table `name` (of `columns` only, if given) from its first `limit`
    rows; the row count is the whole table's."""
    table = Table(name, metadata, autoload_with=connection)
    rows = connection.execute(select(func.count()).select_from(table)).scalar_one()
    sample = select(table).limit(limit).subquery()
    stats = TableStats(name, float(rows))
    size = min(rows, limit)
    for column in sample.columns:
        if columns is None or column.name in columns:
            stats.columns[column.name] = _column(connection, sample, column, size)
    return stats


def _column(connection: Any, sample: Any, column: Any, size: int) -> ColumnStats:
    if not size:
        return ColumnStats(column.name)
    nulls = connection.execute(
        select(func.count()).select_from(sample).where(column.is_(None))
    ).scalar_one()
    grouped = (
        select(column, func.count().label("n"))
        .where(column.is_not(None))
        .group_by(column)
        .order_by(func.count().desc())
    )
    counts = connection.execute(grouped.limit(COMMON_VALUES + 1)).all()
    distinct = connection.execute(
        select(func.count(func.distinct(column))).select_from(sample)
    ).scalar_one()
    common = tuple((_text(v), n / size) for v, n in counts[:COMMON_VALUES])
    low, high = connection.execute(select(func.min(column), func.max(column))).one()
    bounds = (_text(low), _text(high)) if low is not None else ()
    return ColumnStats(column.name, nulls / size, float(distinct), common, bounds)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
