"""Counts a seed refuses before it generates a row: more than the documented maximum, more
keys than the key column's type can hold, more bytes than the disk has room for.

MAX_ROWS_PER_TABLE is the documented ceiling of one command (docs/seeding.md): the planner
keeps per-row arrays for parents and kept key columns in memory, and one transaction of more
rows than that is better split into several `--append` runs. The disk check is an estimate from
the column types (a lower bound for text of unknown length), made only where the disk is known:
the `--export` folder and a SQLite file. A server's own disk is the server's to report.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from fixturekit.errors import FixturekitError
from fixturekit.schema.model import INTEGER_RANGES, Column, Kind
from fixturekit.seed.plan import SeedPlan, TableSeed

MAX_ROWS_PER_TABLE = 100_000_000

# Bytes of one value as seed-file text, by type (strings: their declared length, capped).
_TEXT_WIDTH = {
    Kind.SMALLINT: 4,
    Kind.INTEGER: 6,
    Kind.BIGINT: 8,
    Kind.BOOLEAN: 1,
    Kind.DATE: 10,
    Kind.DATETIME: 19,
    Kind.TIME: 8,
    Kind.UUID: 36,
    Kind.NUMERIC: 6,
    Kind.FLOAT: 8,
}
_STRING_WIDTH_CAP = 40
_UNKNOWN_WIDTH = 4


def check_counts(counts: dict[str, int], source: str = "--rows") -> None:
    for table, count in counts.items():
        if count > MAX_ROWS_PER_TABLE:
            raise FixturekitError(
                f"{source}: {table}={count:,} is more than fixturekit seeds into one table in one "
                f"command ({MAX_ROWS_PER_TABLE:,} rows). Nothing was written.",
                hint="Seed it in steps: several runs with --append, each within the maximum.",
            )


def _key_range(column: Column) -> tuple[int, int] | None:
    bounds = INTEGER_RANGES.get(column.kind)
    if bounds is None:
        return None
    low, high = bounds
    return (0, 2 * high + 1) if column.type.unsigned else (low, high)


def check_key_ranges(seeds: Iterable[TableSeed]) -> None:
    """A key column counts up from its first value: the last one must fit the column's type."""
    for seed in seeds:
        for name, first in seed.sequences.items():
            bounds = _key_range(seed.table.column(name))
            if bounds is None or not seed.rows:
                continue
            last = first + seed.rows - 1
            if last > bounds[1]:
                room = max(bounds[1] - first + 1, 0)
                kind = seed.table.column(name).kind.value.upper()
                raise FixturekitError(
                    f"{seed.key}.{name} is a {kind} key: it holds values up to {bounds[1]:,}, but "
                    f"{seed.rows:,} rows need keys up to {last:,}. Nothing was written.",
                    hint=f"Ask for at most {room:,} rows of {seed.key}, or widen the column.",
                )


def _row_width(seed: TableSeed) -> int:
    width = 0
    for name in seed.columns:
        column = seed.table.column(name)
        if column.kind in (Kind.STRING, Kind.TEXT):
            length = column.type.length
            width += min(length, _STRING_WIDTH_CAP) // 2 if length else 8
        else:
            width += _TEXT_WIDTH.get(column.kind, _UNKNOWN_WIDTH)
        width += 1  # the separator
    return width


def estimated_bytes(plan: SeedPlan) -> int:
    return sum(_row_width(seed) * (seed.hi - seed.lo) for seed in plan)


def check_disk(plan: SeedPlan, target: Path, what: str) -> None:
    """Refuse when the estimated size of the rows exceeds the free space where they go."""
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        return
    need = estimated_bytes(plan)
    if need > free:
        raise FixturekitError(
            f"{what} would need about {_size(need)} for {plan.total_rows:,} rows, and "
            f"{existing} has {_size(free)} free. Nothing was written.",
            hint="Ask for fewer rows (--rows), or free some space first.",
        )


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} TB"
