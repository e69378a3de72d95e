"""CHECK forms on real servers: intervals, array sizes, TIME orderings, bounds plus relations.

Each schema is created on the server, then filled three ways (generated factories, runtime
factories, bulk seeding); the database's own CHECKs reject any row that breaks them. The
reflected spellings (PostgreSQL's `'12:00:00'::interval`, MariaDB's backquotes, SQLite's text as
declared) are read back and must give the same plan as the models.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import factory.random
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from fixturekit import factory_for
from fixturekit.cli import _register, cli
from fixturekit.infer import strategies as st
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.checks import parse_check
from fixturekit.schema.loading import load_models
from fixturekit.schema.predicates import ColumnCompare, Compare, Length
from fixturekit.schema.reflect import read_database
from fixturekit.schema.sqlalchemy import read_metadata

ROOT = Path(__file__).resolve().parents[2]
PORTABLE = f"{ROOT / 'tests' / 'schemas' / 'check_forms.py'}:Base"
POSTGRES_ONLY = f"{ROOT / 'tests' / 'schemas' / 'check_forms_pg.py'}:Base"
ROWS = 300


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("d > interval '0'", Compare("d", ">", dt.timedelta(0))),
        ("CHECK ((d > '00:00:00'::interval))", Compare("d", ">", dt.timedelta(0))),
        ("e <= interval '12 hours'", Compare("e", "<=", dt.timedelta(hours=12))),
        ("(e <= '12:00:00'::interval)", Compare("e", "<=", dt.timedelta(hours=12))),
        ("d < '1 day 02:00:00'::interval", Compare("d", "<", dt.timedelta(days=1, hours=2))),
        ("d >= INTERVAL '5' DAY", Compare("d", ">=", dt.timedelta(days=5))),
        ("d <= INTERVAL '1:30' HOUR TO MINUTE", Compare("d", "<=", dt.timedelta(minutes=90))),
        ("d < 'PT2H'::interval", Compare("d", "<", dt.timedelta(hours=2))),
        ("d <= '01:00:00'::interval hour", Compare("d", "<=", dt.timedelta(hours=1))),
        ("d < interval '1 mon'", Compare("d", "<", dt.timedelta(days=30))),
        ("cardinality(a) >= 1", Length("a", ">=", 1)),
        ("(array_length(a, 1) <= 4)", Length("a", "<=", 4)),
        ("`closes_at` > `opens_at`", ColumnCompare("closes_at", ">", "opens_at")),
        ("(tt < '18:00:00'::time without time zone)", Compare("tt", "<", "18:00:00")),
    ],
)
def test_parses_interval_array_and_time_forms(sql, expected):
    parsed = parse_check(sql)
    assert parsed.predicates == (expected,) and not parsed.unparsed


def test_array_length_between_gives_both_sizes():
    parsed = parse_check("CHECK (((array_length(b, 1) >= 1) AND (array_length(b, 1) <= 4)))")
    assert parsed.predicates == (Length("b", ">=", 1), Length("b", "<=", 4))


def test_an_interval_literal_that_is_not_one_stays_unparsed():
    assert parse_check("d > interval 'soon'").unparsed == ("d > interval 'soon'",)


def _plan(spec: str, url=None):
    if url is None:
        loaded = load_models(spec)
        schema = read_metadata(loaded.metadatas[0], loaded.classes)
    else:
        schema = read_database(url)
    return plan_schema(schema)


def _fields(plan, table: str) -> dict[str, object]:
    return {f.column.name: f.strategy for f in plan.tables[table].fields}


def test_plan_keeps_bounds_and_relations_together():
    shifts = _fields(_plan(PORTABLE), "shifts")
    assert shifts["lunch_at"] == st.TimeOfDay(11 * 3600, 14 * 3600 + 29 * 60 + 59)
    # opens_at leaves room for closes_at after it; last_call is floored at 17:00 and placed
    # before closes_at, which is therefore floored at 17:00 too.
    assert shifts["opens_at"] == st.TimeOfDay(0, 86398)
    assert isinstance(shifts["closes_at"], st.Relative) and shifts["closes_at"].op == ">"
    assert shifts["closes_at"].low == dt.time(17, 0)
    assert shifts["last_call"].low == dt.time(17, 0) and shifts["last_call"].op == "<="
    allowances = _fields(_plan(PORTABLE), "allowances")
    assert allowances["spent"].low == 0 and allowances["spent"].op == "<="
    assert allowances["minimum"].high == 50  # leaves room for maximum <= 50
    jobs = _fields(_plan(POSTGRES_ONLY), "jobs")
    assert jobs["timeout"] == st.Duration(30, 1, 30 * 86400)
    assert jobs["retry_after"] == st.Duration(30, 60, 12 * 3600)
    assert jobs["grace"] == st.Duration(30, 60, 2 * 86400)
    assert jobs["warmup"].high == 3599
    assert jobs["cooldown"].high == dt.timedelta(hours=1)
    assert (jobs["tags"].min_items, jobs["tags"].max_items) == (1, 3)
    assert (jobs["scores"].min_items, jobs["scores"].max_items) == (2, 4)


def _strategies(plan) -> dict[str, object]:
    return {
        f"{key}.{f.column.name}": f.strategy
        for key, table in plan.tables.items()
        for f in table.fields
    }


def _create(url, spec: str) -> None:
    engine = create_engine(url)
    try:
        load_models(spec).metadatas[0].create_all(engine)
    finally:
        engine.dispose()


def _generated(spec: str, tmp_path: Path):
    import importlib.util

    _register()
    out = tmp_path / "factories.py"
    result = CliRunner().invoke(cli, ["generate", spec, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "CHECK not understood" not in out.read_text()
    name = f"check_forms_{tmp_path.name}"
    module_spec = importlib.util.spec_from_file_location(name, out)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def _fill(session: Session, factories: dict) -> None:
    factory.random.reseed_random(20261130)
    for factory_class in factories.values():
        factory_class.create_batch(ROWS)
        session.flush()


def _count(url, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(text(table)))
    finally:
        engine.dispose()


def _all_three_ways(url, spec: str, tables: list[str], tmp_path: Path) -> None:
    _create(url, spec)
    module = _generated(spec, tmp_path)
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            module.bind_session(session)
            _fill(session, module.FACTORIES)
            session.commit()
        with Session(engine) as session:
            classes = load_models(spec).classes
            _fill(session, {c.__name__: factory_for(c, session=session) for c in classes})
            session.commit()
    finally:
        module.bind_session(None)
        engine.dispose()
    rows = ",".join(f"{table}={ROWS}" for table in tables)
    result = CliRunner().invoke(
        cli, ["seed", spec, "--url", url.render_as_string(False), "--rows", rows, "-q", "--append"]
    )
    assert result.exit_code == 0, result.output
    for table in tables:
        assert _count(url, table) == 3 * ROWS


def _seconds(value) -> float:
    """A TIME as read back: a time (PostgreSQL), a timedelta (MariaDB) or text (SQLite)."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, str):
        value = dt.time.fromisoformat(value)
    return value.hour * 3600 + value.minute * 60 + value.second


@pytest.mark.parametrize("server", ["pg_url", "mysql_url", "sqlite_url"])
def test_time_and_bounded_relations_fill_every_server(server, request, tmp_path):
    url = request.getfixturevalue(server)
    if server == "sqlite_url":
        Path(url.database).touch()
    _all_three_ways(url, PORTABLE, ["shifts", "allowances"], tmp_path)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT opens_at, closes_at, last_call FROM shifts")).all()
    finally:
        engine.dispose()
    assert all(_seconds(o) < _seconds(c) and _seconds(last) <= _seconds(c) for o, c, last in rows)
    # The reflected spellings give the same plan as the models.
    assert _strategies(_plan(PORTABLE, url)) == _strategies(_plan(PORTABLE))


def test_intervals_and_array_sizes_fill_postgresql(pg_url, tmp_path):
    _all_three_ways(pg_url, POSTGRES_ONLY, ["jobs"], tmp_path)
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            sizes = conn.execute(
                text("SELECT min(cardinality(tags)), max(cardinality(scores)) FROM jobs")
            ).one()
    finally:
        engine.dispose()
    assert sizes[0] >= 1 and sizes[1] <= 4
    reflected = _plan(POSTGRES_ONLY, pg_url)
    for check in reflected.schema.table("jobs").checks:
        assert check.parsed.fully_parsed, check.sql
    assert _strategies(reflected) == _strategies(_plan(POSTGRES_ONLY))


def test_hypothesis_rows_keep_bounds_and_relations():
    """The fourth rendering (Hypothesis) agrees: drawn rows satisfy the same CHECKs."""
    from hypothesis import HealthCheck, given, settings

    from fixturekit.strategies import rows

    classes = {c.__name__: c for c in load_models(PORTABLE).classes}

    @settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
    @given(rows(classes["Shift"]), rows(classes["Allowance"]))
    def check(shift, allowance):
        assert shift["opens_at"] < shift["closes_at"]
        assert dt.time(17) <= shift["last_call"] <= shift["closes_at"]
        assert shift["lunch_at"] is None or dt.time(11) <= shift["lunch_at"] < dt.time(14, 30)
        assert 0 <= allowance["spent"] <= allowance["budget"]
        assert 10 <= allowance["minimum"] <= allowance["maximum"] <= 50
        assert 1 <= allowance["floor_price"] <= allowance["ceiling_price"] <= 500

    check()

    jobs = load_models(POSTGRES_ONLY).classes[0]

    @settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
    @given(rows(jobs))
    def check_jobs(job):
        assert job["timeout"] > dt.timedelta(0)
        assert dt.timedelta(minutes=1) <= job["grace"] <= dt.timedelta(days=2)
        assert job["warmup"] < job["cooldown"] <= dt.timedelta(hours=1)
        assert len(job["tags"]) >= 1 and 2 <= len(job["scores"]) <= 4

    check_jobs()
