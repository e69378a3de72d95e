"""What a seed made, read back from the database, next to what it was asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, case, create_engine, func, literal_column, select
from sqlalchemy import Table as SATable

from fixturekit.infer import strategies as st
from fixturekit.infer.numbering import numbering
from fixturekit.schema.model import INTEGER_KINDS, Kind
from fixturekit.seed.distributions import Shaped, WithNulls

BINS = 12
MAX_LABELS = 12


@dataclass
class Expected:
    """A column's asked-for distribution: weights, a true rate, a range, a NULL rate."""

    weights: dict[str, float] = field(default_factory=dict)
    range: tuple[Any, Any] | None = None
    null_rate: float | None = None
    how: str = "inferred"


@dataclass
class ColumnReport:
    name: str
    kind: str
    null_rate: float
    expected: Expected
    shares: dict[str, float] = field(default_factory=dict)  # label -> share of non-NULL rows
    histogram: list[tuple[str, float]] = field(default_factory=list)  # bin label -> share
    distinct: int | None = None  # for text columns, which get no chart
    numbers: str | None = None  # where unique values show a number (fixturekit.infer.numbering)


@dataclass
class ChildrenReport:
    parent: str
    column: str
    counts: list[tuple[int, float]]  # children per parent -> share of parents
    expected: str


@dataclass
class TableReport:
    name: str
    rows: int
    columns: list[ColumnReport] = field(default_factory=list)
    children: list[ChildrenReport] = field(default_factory=list)


@dataclass
class SeedReport:
    tables: list[TableReport]
    seconds: float
    url: str
    seed: int
    today: str

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


def expected_of(strategy: st.Strategy | None) -> Expected:
    expected = Expected()
    if isinstance(strategy, WithNulls):
        expected = expected_of(strategy.base)
        expected.null_rate = strategy.rate
        return expected
    if isinstance(strategy, st.Choice) and not isinstance(strategy, st.UniqueChoice):
        labels = [getattr(v, "name", v) for v in strategy.values]
        weights = strategy.weights or tuple(1.0 for _ in labels)
        total = sum(weights) or 1.0
        expected.weights = {str(k): w / total for k, w in zip(labels, weights, strict=False)}
        expected.how = "weights" if strategy.weights else "uniform choice"
    elif isinstance(strategy, st.Boolean):
        expected.weights = {"true": strategy.true_rate, "false": 1 - strategy.true_rate}
        expected.how = "true rate"
    elif isinstance(strategy, Shaped):
        expected.range = (strategy.low, strategy.high)
        expected.how = f"{strategy.shape} in [{strategy.low}, {strategy.high}]"
    elif isinstance(strategy, st.IntRange | st.DecimalRange | st.FloatRange):
        expected.range = (strategy.low, strategy.high)
        expected.how = f"uniform in [{strategy.low}, {strategy.high}]"
    elif isinstance(strategy, st.DateRange | st.DateTimeRange):
        expected.how = f"between {strategy.start} and {strategy.end}"
    return expected


def collect_report(plan: Any, url: str, seconds: float) -> SeedReport:
    engine = create_engine(url)
    metadata = MetaData()
    tables: list[TableReport] = []
    try:
        with engine.connect() as conn:
            for seed in plan:
                table = SATable(
                    seed.table.name, metadata, schema=seed.table.schema, autoload_with=conn
                )
                rows = conn.execute(select(func.count()).select_from(table)).scalar_one()
                report = TableReport(seed.table.key, rows)
                for field_plan in seed.fields:
                    column = field_plan.column
                    if column.name not in table.c or column.primary_key or not rows:
                        continue
                    described = _column(conn, table, column, field_plan.strategy, rows)
                    described.numbers = numbering(field_plan.strategy, seed.hi)
                    report.columns.append(described)
                for link in seed.links:
                    if len(link.fk.columns) == 1 and rows:
                        report.children.append(_children(conn, plan, metadata, table, link))
                tables.append(report)
    finally:
        engine.dispose()
    from fixturekit.seed.load import redact

    return SeedReport(tables, seconds, redact(url), plan.seed, plan.today.isoformat())


def _column(conn: Any, table: Any, column: Any, strategy: Any, rows: int) -> ColumnReport:
    col = table.c[column.name]
    nulls = conn.execute(select(func.count()).select_from(table).where(col.is_(None))).scalar_one()
    expected = expected_of(strategy)
    report = ColumnReport(column.name, column.type.describe(), nulls / rows, expected)
    present = rows - nulls
    if not present:
        return report
    closed = bool(expected.weights) or column.kind in (Kind.ENUM, Kind.BOOLEAN)
    if closed:
        counts = conn.execute(
            select(col, func.count())
            .where(col.is_not(None))
            .group_by(col)
            .order_by(func.count().desc())
            .limit(MAX_LABELS)
        ).all()
        report.shares = {_label(v): n / present for v, n in counts}
    elif column.kind in INTEGER_KINDS | {Kind.NUMERIC, Kind.FLOAT}:
        report.histogram = _histogram(conn, table, col, present)
    elif column.kind in (Kind.DATE, Kind.DATETIME):
        report.histogram = _date_histogram(conn, table, col, present, column.kind)
    elif column.kind in (Kind.STRING, Kind.TEXT, Kind.UUID):
        report.distinct = conn.execute(select(func.count(func.distinct(col)))).scalar_one()
    return report


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "name", value))


def _histogram(conn: Any, table: Any, col: Any, present: int) -> list[tuple[str, float]]:
    low, high = conn.execute(select(func.min(col), func.max(col))).one()
    low, high = float(low), float(high)
    if high <= low:
        return [(f"{low:g}", 1.0)]
    width = (high - low) / BINS
    # the top value belongs to the last bin, not to a bin of its own
    bucket = case((col >= high, BINS - 1), else_=func.floor((col - low) / width))
    counts = dict(
        conn.execute(select(bucket, func.count()).where(col.is_not(None)).group_by(bucket)).all()
    )
    return [
        (f"{low + i * width:.4g}", counts.get(i, counts.get(float(i), 0)) / present)
        for i in range(BINS)
    ]


def _date_histogram(conn: Any, table: Any, col: Any, present: int, kind: Kind):
    if conn.dialect.name == "postgresql":
        month = func.to_char(col, literal_column("'YYYY-MM'"))
    elif conn.dialect.name in ("mysql", "mariadb"):
        month = func.date_format(col, literal_column("'%Y-%m'"))
    else:
        month = func.strftime(literal_column("'%Y-%m'"), col)
    counts = conn.execute(
        select(month, func.count()).where(col.is_not(None)).group_by(month).order_by(month)
    ).all()
    for width in (4, 3):  # months, then years, then decades: at most 36 bars
        if len(counts) <= 36:
            break
        merged: dict[str, int] = {}
        for label, n in counts:
            key = str(label)[:width]
            merged[key] = merged.get(key, 0) + n
        counts = sorted(merged.items())
    labels = [str(label) for label, _ in counts]
    return [
        (t if len(t) != 3 else f"{t}0s", n / present)
        for t, (_, n) in zip(labels, counts, strict=True)
    ]


def _children(conn: Any, plan: Any, metadata: Any, table: Any, link: Any) -> ChildrenReport:
    parent_seed = plan.tables[link.parent]
    parent = SATable(
        parent_seed.table.name, metadata, schema=parent_seed.table.schema, autoload_with=conn
    )
    child = table.alias("child")  # the same table for a tree (categories.parent_slug)
    fk_col = child.c[link.fk.columns[0]]
    ref_col = parent.c[link.fk.referred_columns[0]]
    per_parent = (
        select(ref_col.label("k"), func.count(fk_col).label("n"))
        .select_from(parent.outerjoin(child, fk_col == ref_col))
        .group_by(ref_col)
        .subquery()
    )
    counts = conn.execute(
        select(per_parent.c.n, func.count()).group_by(per_parent.c.n).order_by(per_parent.c.n)
    ).all()
    total = sum(n for _, n in counts) or 1
    if link.counts is not None:
        wanted = link.counts
        expected = (
            ", ".join(f"{c}: {w:g}" for c, w in wanted.weights)
            if wanted.weights
            else f"{wanted.low}..{wanted.high} per parent"
        )
    else:
        expected = f"{link.mode}"
    return ChildrenReport(
        parent_seed.table.key,
        link.fk.columns[0],
        [(int(c), n / total) for c, n in counts],
        expected,
    )
