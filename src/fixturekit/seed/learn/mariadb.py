"""Statistics from MariaDB's persistent statistics, with a bounded sample where they are absent.

`ANALYZE TABLE t PERSISTENT FOR ALL` records, without anything reading them here but this:

* `mysql.table_stats.cardinality`: the row count;
* `mysql.column_stats`: per column `nulls_ratio`, `avg_frequency` (non-NULL rows per distinct
  value), `min_value`, `max_value` and, where histograms are collected (`histogram_size` > 0,
  the default), a histogram of the non-NULL values:
  - `JSON_HB` (MariaDB 10.8+): JSON buckets, each with its first value (`start`), its share of
    the non-NULL rows (`size`) and its number of distinct values (`ndv`); a bucket of one
    distinct value is a common value with its exact share;
  - `DOUBLE_PREC_HB` / `SINGLE_PREC_HB`: equal-height bucket bounds, each a 16-bit (8-bit)
    position between `min_value` and `max_value`. For numbers the position is linear in the
    value; for an ENUM it is linear in the label's index; for other strings it is computed from
    their leading bytes and cannot be turned back into a value.

A table with no row in `mysql.table_stats` is read from the bounded sample instead
(`fixturekit.seed.learn.sample`), and so is a column the statistics describe without its values
when those values may be a closed domain (a short string column with few distinct values and a
`DOUBLE_PREC_HB` histogram): that column's most common values come from the sample, the rest
(NULL rate, distinct count) from the statistics. `derive` decides what may be copied.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from typing import Any

from sqlalchemy import MetaData, inspect, text
from sqlalchemy.exc import DBAPIError

from fixturekit.seed.learn.sample import COMMON_VALUES, SAMPLE_ROWS, sample_table
from fixturekit.seed.learn.stats import ColumnStats, SourceStats, TableStats

PERSISTENT = "MariaDB's persistent statistics (mysql.table_stats, mysql.column_stats)"
# A column with at most this many distinct values may be a closed domain: its values are
# worth reading (from the histogram, or the sample when the histogram cannot give them).
FEW_VALUES = 50
QUANTILES = 100  # numeric histograms are handed on as this many equal-height buckets

_NUMBER_TYPES = frozenset(
    {"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric"}
    | {"float", "double", "real", "bit", "year"}
)
# Types whose columns ANALYZE ... PERSISTENT never describes.
_LONG_TYPES = frozenset(
    {"tinytext", "text", "mediumtext", "longtext", "json"}
    | {"tinyblob", "blob", "mediumblob", "longblob", "geometry"}
)
_INTEGER_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})
_ENUM_LABEL = re.compile(r"'((?:[^']|'')*)'")

_TABLES = text("SELECT table_name, cardinality FROM mysql.table_stats WHERE db_name = DATABASE()")
_COLUMNS = text(
    "SELECT table_name, column_name, min_value, max_value, nulls_ratio, avg_frequency, "
    "hist_type, histogram FROM mysql.column_stats WHERE db_name = DATABASE()"
)
_TYPES = text(
    "SELECT table_name, column_name, data_type, column_type FROM information_schema.columns "
    "WHERE table_schema = DATABASE()"
)


def read_mariadb_stats(connection: Any, limit: int = SAMPLE_ROWS) -> SourceStats:
    persisted, reason = _persistent(connection)
    types = {(t, c): (d.lower(), ct) for t, c, d, ct in connection.execute(_TYPES)}
    metadata = MetaData()
    tables: dict[str, TableStats] = {}
    from_stats: list[str] = []
    sampled: list[str] = []
    notes: list[str] = []
    for name in inspect(connection).get_table_names():
        found = persisted.get(name)
        if found is None:
            tables[name] = sample_table(connection, name, metadata, limit)
            sampled.append(name)
            continue
        cardinality, rows = found
        stats = TableStats(name, float(cardinality))
        to_sample: list[str] = []
        long_text: list[str] = []
        for column in [c["name"] for c in inspect(connection).get_columns(name)]:
            row = rows.get(column)
            if row is None and types.get((name, column), ("",))[0] in _LONG_TYPES:
                long_text.append(column)  # never in the statistics: its NULL rate is sampled
                continue
            if row is None:  # ANALYZE ... PERSISTENT FOR COLUMNS (...) left it out
                to_sample.append(column)
                continue
            column_stats, values_unknown = _column(
                column, row, types.get((name, column)), float(cardinality)
            )
            stats.columns[column] = column_stats
            if values_unknown:
                to_sample.append(column)
        if to_sample or long_text:
            _complete(connection, name, metadata, limit, stats, to_sample + long_text)
        for column in long_text:  # free text by its type: nothing but the NULL rate is kept
            stats.columns[column] = ColumnStats(column, stats.columns[column].null_frac)
        if to_sample:
            notes.append(
                f"{name}: {', '.join(to_sample)} from a sample of the first {limit:,} rows "
                "(the statistics do not give their values)"
            )
        if long_text:
            notes.append(
                f"{name}: the NULL rate of {', '.join(long_text)} from a sample of the first "
                f"{limit:,} rows (MariaDB keeps no statistics of TEXT, BLOB and JSON columns)"
            )
        tables[name] = stats
        from_stats.append(name)
    parts = []
    if from_stats:
        parts.append(f"{PERSISTENT} for {len(from_stats)} of {len(tables)} tables")
    if sampled:
        why = f"; {reason}" if reason else ""
        parts.append(
            f"a sample of the first {limit:,} rows of {', '.join(sorted(sampled))}"
            f" (no persistent statistics{why}: run ANALYZE TABLE ... PERSISTENT FOR ALL)"
        )
    return SourceStats(tables, "; ".join(parts) or PERSISTENT, notes)


def _persistent(connection: Any) -> tuple[dict[str, tuple[float, dict[str, Any]]], str]:
    """{table: (cardinality, {column: column_stats row})}, and why it is empty if it is."""
    try:
        cardinalities = {t: c for t, c in connection.execute(_TABLES) if c is not None}
        columns: dict[str, dict[str, Any]] = {}
        for row in connection.execute(_COLUMNS):
            columns.setdefault(row[0], {})[row[1]] = row
    except DBAPIError as exc:
        connection.rollback()
        code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
        if code == 1146:  # MySQL, or a MariaDB without the tables
            return {}, "mysql.column_stats does not exist"
        return {}, "mysql.column_stats cannot be read by this user"
    return {t: (float(c), columns.get(t, {})) for t, c in cardinalities.items()}, ""


def _column(
    name: str, row: Any, type_info: tuple[str, str] | None, rows: float
) -> tuple[ColumnStats, bool]:
    """The column's statistics, and whether its values may be a closed domain that the
    statistics cannot name (then the sample names them)."""
    _t, _c, low, high, nulls_ratio, avg_frequency, hist_type, histogram = row
    low, high = _decoded(low), _decoded(high)  # VARBINARY in mysql.column_stats
    data_type, column_type = type_info or ("", "")
    null_frac = float(nulls_ratio or 0.0)
    present = 1.0 - null_frac
    # avg_frequency is non-NULL rows per distinct value: kept as PostgreSQL's negative ratio
    # (distinct values per row), which scales with the table.
    per_value = float(avg_frequency or 0.0)
    ratio = -present / per_value if per_value > 0 else 0.0
    stats = ColumnStats(name, null_frac, ratio)
    if low is None or high is None:  # every value NULL, or a type without min/max
        return stats, False
    kind = hist_type or ""
    if kind == "JSON_HB" and histogram:
        common, bounds = _json_hb(histogram, present, data_type, low, high)
        return replace(stats, common=common, bounds=bounds), False
    if kind in ("DOUBLE_PREC_HB", "SINGLE_PREC_HB") and histogram:
        width = 2 if kind == "DOUBLE_PREC_HB" else 1
        positions = _positions(bytes(histogram), width)
        if data_type in _NUMBER_TYPES:
            values = [_between(low, high, p) for p in positions]
            if values and None not in values:
                numbers = [float(low), *values, float(high)]
                integral = data_type in _INTEGER_TYPES
                common = _discrete(numbers, present) if integral else ()
                bounds = tuple(_num(v) for v in numbers)
                return replace(stats, common=common, bounds=bounds), False
        if data_type == "enum":
            labels = [m.replace("''", "'") for m in _ENUM_LABEL.findall(column_type)]
            if low in labels and high in labels:
                first, last = labels.index(low), labels.index(high)
                indexes = [first + round(p * (last - first)) for p in positions]
                shares = _discrete([first, *indexes, last], present)
                common = tuple((labels[int(i)], share) for i, share in shares)
                return replace(stats, common=common, bounds=(low, high)), False
    # No histogram, or one whose positions cannot be turned back into values: the range is
    # what the statistics give; a possibly closed domain gets its values from the sample.
    few = 0 < stats.distinct_values(rows) <= FEW_VALUES
    textual = data_type in ("char", "varchar", "enum", "set", "tinytext")
    return replace(stats, bounds=(str(low), str(high))), textual and few


def _decoded(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return value


def _positions(blob: bytes, width: int) -> list[float]:
    scale = 0xFFFF if width == 2 else 0xFF
    return [
        int.from_bytes(blob[i : i + width], "little") / scale
        for i in range(0, len(blob) - width + 1, width)
    ]


def _between(low: Any, high: Any, position: float) -> float | None:
    try:
        lo, hi = float(low), float(high)
    except (TypeError, ValueError):
        return None
    return lo + (hi - lo) * position


def _num(value: float) -> str:
    return repr(float(value))


def _discrete(ordered: list[float], present: float) -> tuple[tuple[str, float], ...]:
    """Shares of the distinct values of an equal-height histogram of a discrete column:
    `ordered` is [min, bound 1, ..., bound n, max], bound i sitting at the quantile i/(n+1).
    The share of a value runs from the middle of the gap before its first bound to the middle
    of the gap after its last (the minimum starts at 0, the maximum ends at 1)."""
    values = [round(v) for v in ordered]
    n = len(values) - 2
    if n < 1:
        return ()
    quantile = [0.0] + [(i + 1) / (n + 1) for i in range(n)] + [1.0]
    distinct: list[int] = []
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for value, q in zip(values, quantile, strict=True):
        if value not in first:
            distinct.append(value)
            first[value] = q
        last[value] = q
    if len(distinct) > FEW_VALUES:
        return ()
    cuts = [0.0]
    for a, b in itertools.pairwise(distinct):
        cuts.append((last[a] + first[b]) / 2)
    cuts.append(1.0)
    out = []
    for value, start, end in zip(distinct, cuts, cuts[1:], strict=False):
        out.append((str(value), round((end - start) * present, 6)))
    out.sort(key=lambda item: -item[1])
    return tuple(item for item in out if item[1] > 0)[:COMMON_VALUES]


def _json_hb(
    histogram: Any, present: float, data_type: str, low: Any, high: Any
) -> tuple[tuple[tuple[str, float], ...], tuple[str, ...]]:
    """(common values and their share of all rows, equal-height bounds) of a JSON_HB histogram."""
    try:
        buckets = json.loads(histogram)["histogram_hb"]
    except (ValueError, KeyError, TypeError):
        return (), (str(low), str(high))
    common = tuple(
        (str(b["start"]), float(b["size"]) * present)
        for b in buckets
        if b.get("ndv") == 1 and "start" in b
    )
    common = tuple(sorted(common, key=lambda item: -item[1]))[:COMMON_VALUES]
    if data_type not in _NUMBER_TYPES:
        return common, (str(low), str(high))
    try:
        starts = [float(b["start"]) for b in buckets]
        sizes = [float(b["size"]) for b in buckets]
        end = float(buckets[-1].get("end", high))
    except (KeyError, TypeError, ValueError):
        return common, (str(low), str(high))
    return common, tuple(_num(v) for v in _quantiles(starts, sizes, end))


def _quantiles(starts: list[float], sizes: list[float], end: float) -> list[float]:
    """QUANTILES + 1 equal-height bounds from buckets of unequal sizes, each bucket's values
    spread evenly between its start and the next bucket's."""
    edges = [*starts[1:], end]
    total = sum(sizes) or 1.0
    out = [starts[0]]
    cumulative, index = 0.0, 0
    for k in range(1, QUANTILES):
        target = k / QUANTILES * total
        while index < len(sizes) - 1 and cumulative + sizes[index] < target:
            cumulative += sizes[index]
            index += 1
        within = (target - cumulative) / sizes[index] if sizes[index] else 0.0
        start, stop = starts[index], edges[index]
        out.append(start + (stop - start) * min(1.0, max(0.0, within)))
    out.append(end)
    return out


def _complete(
    connection: Any,
    name: str,
    metadata: MetaData,
    limit: int,
    stats: TableStats,
    columns: list[str],
) -> None:
    """Columns the statistics leave without values: their common values from the sample,
    rescaled to the statistics' NULL rate; columns they do not describe at all, all of it."""
    sampled = sample_table(connection, name, metadata, limit, columns)
    for column in columns:
        found = sampled.columns.get(column)
        if found is None:
            continue
        known = stats.columns.get(column)
        if known is None:
            stats.columns[column] = found
            continue
        sample_present = 1.0 - found.null_frac
        factor = (1.0 - known.null_frac) / sample_present if sample_present > 0 else 0.0
        common = tuple((v, f * factor) for v, f in found.common)
        stats.columns[column] = replace(known, common=common)
