"""What a source database says about its data, in a neutral form every statistics reader fills.

Readers (PostgreSQL's `pg_stats`, a bounded sample elsewhere) produce these; `derive` turns them
into a seed configuration. Values stay text as the catalog gives them: only `derive` decides
which of them may be copied at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ColumnStats:
    name: str
    null_frac: float = 0.0
    # > 0: the number of distinct values; < 0: minus the distinct values per row (PostgreSQL's
    # convention, which scales with the table)
    n_distinct: float = 0.0
    common: tuple[tuple[str, float], ...] = ()  # most common values (as text) and their share
    bounds: tuple[str, ...] = ()  # an equi-depth histogram: bounds of equally full buckets

    def distinct_values(self, rows: float) -> float:
        return self.n_distinct if self.n_distinct >= 0 else -self.n_distinct * rows


@dataclass
class TableStats:
    name: str
    rows: float
    columns: dict[str, ColumnStats] = field(default_factory=dict)
    analyzed: bool = True  # False: the catalog has row counts but no column statistics


@dataclass
class SourceStats:
    """Statistics of the tables of one source database (by table name)."""

    tables: dict[str, TableStats]
    how: str  # "pg_stats" or "a sample of N rows per table", for the report and the docs
    notes: list[str] = field(default_factory=list)  # where a table's figures came from
