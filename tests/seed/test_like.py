"""`fixturekit seed --like SOURCE`: distributions learned from a source database's statistics.

The source is filled with skewed distributions (by fixturekit itself, from a configuration),
its free text replaced by sentinel values, then analysed. The target, seeded with --like, must
match its NULL rates and common-value weights within 3 percentage points and its row counts
within 5%, and no free-text value of the source may reach the target or the written config.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from seedhelp import create_schema
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from fixturekit.cli import _register, cli

ROOT = Path(__file__).resolve().parents[2]
SHOP = f"{ROOT / 'examples' / 'shop' / 'models.py'}:Base"
SKEWED = """
[tables.users]
rows = 2000
columns.role = { weights = { customer = 70, premium = 25, admin = 5 } }
columns.phone = { null = 0.4 }
[tables.orders]
rows = 6000
columns.status = { weights = { pending = 10, paid = 60, shipped = 25, cancelled = 5 } }
columns.discount_percent = { null = 0.7 }
"""
# Free text a source may hold that must never be copied: a few values repeated (a closed
# domain by its statistics, but names are personal data) and values unique per row.
SENTINELS = ["Zqalpha", "Zqbeta", "Zqgamma"]


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def _source(runner: CliRunner, url: URL, tmp_path: Path, analyze: bool = True) -> None:
    create_schema(url, SHOP)
    config = tmp_path / "skewed.toml"
    config.write_text(SKEWED)
    result = invoke(runner, "seed", SHOP, "--url", _url(url), "--config", str(config), "-q")
    assert result.exit_code == 0, result.output
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            text(
                "UPDATE users SET first_name = (ARRAY['Zqalpha','Zqbeta','Zqgamma'])"
                "[1 + abs(hashtext(id::text)) % 3], email = 'zqmail' || md5(id::text) || '@zq.test'"
            )
        )
        if analyze:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def _shares(url: URL, sql: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    engine.dispose()
    total = sum(n for _, n in rows)
    return {str(k): n / total for k, n in rows}


def _scalar(url: URL, sql: str):
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar_one()
    engine.dispose()
    return value


@pytest.fixture
def source_url(pg_admin_url: URL):
    """A second scratch PostgreSQL database, the source --like reads from."""
    import uuid

    source = pg_admin_url.set(database=f"fkt_like_{uuid.uuid4().hex[:8]}")
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{source.database}"'))
    try:
        yield source
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{source.database}" WITH (FORCE)'))
        admin.dispose()


def test_like_matches_the_sources_shape_and_copies_no_free_text(
    runner, pg_url: URL, source_url: URL, tmp_path: Path
):
    source = source_url
    _source(runner, source, tmp_path)
    create_schema(pg_url, SHOP)
    learned = tmp_path / "learned.toml"
    result = invoke(
        runner,
        "seed",
        SHOP,
        "--url",
        _url(pg_url),
        "--like",
        _url(source),
        "--like-out",
        str(learned),
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Learned from" in said and "pg_stats" in said

    for table in ("users", "orders"):
        want = _scalar(source, f"SELECT count(*) FROM {table}")
        got = _scalar(pg_url, f"SELECT count(*) FROM {table}")
        assert abs(got - want) <= 0.05 * want, (table, got, want)
    for sql in (
        "SELECT role, count(*) FROM users GROUP BY role",
        "SELECT status::text, count(*) FROM orders GROUP BY status",
        "SELECT (phone IS NULL)::text, count(*) FROM users GROUP BY 1",
        "SELECT (discount_percent IS NULL)::text, count(*) FROM orders GROUP BY 1",
    ):
        want, got = _shares(source, sql), _shares(pg_url, sql)
        for value, share in want.items():
            assert abs(got.get(value, 0) - share) <= 0.03, (sql, value, got, want)

    config_text = learned.read_text()
    config = tomllib.loads(config_text)
    assert config["tables"]["users"]["columns"]["role"]["weights"]
    assert not any(word in config_text.lower() for word in ("zqalpha", "zqmail", "zq.test"))
    leaked = _scalar(
        pg_url,
        "SELECT count(*) FROM users WHERE first_name IN ('Zqalpha', 'Zqbeta', 'Zqgamma') "
        "OR email LIKE 'zqmail%' OR email LIKE '%@zq.test'",
    )
    assert leaked == 0

    # --scale keeps the shape at a tenth of the size
    create_schema(pg_url, SHOP)
    scaled = invoke(
        runner,
        "seed",
        SHOP,
        "--url",
        _url(pg_url),
        "--like",
        _url(source),
        "--scale",
        "0.1",
        "--truncate",
        "-q",
    )
    assert scaled.exit_code == 0, scaled.output
    assert abs(_scalar(pg_url, "SELECT count(*) FROM orders") - 600) <= 30

    # --rows still overrides a learned count
    again = invoke(
        runner,
        "seed",
        SHOP,
        "--url",
        _url(pg_url),
        "--like",
        _url(source),
        "--rows",
        "users=100",
        "--truncate",
        "-q",
    )
    assert again.exit_code == 0, again.output
    assert _scalar(pg_url, "SELECT count(*) FROM users") == 100


def test_a_source_without_statistics_suggests_analyze(runner, pg_url: URL, source_url: URL):
    source = source_url
    create_schema(source, SHOP)
    create_schema(pg_url, SHOP)
    result = invoke(runner, "seed", SHOP, "--url", _url(pg_url), "--like", _url(source))
    assert result.exit_code == 2
    assert "ANALYZE" in result.output and "Traceback" not in result.output
    assert _scalar(pg_url, "SELECT count(*) FROM users") == 0


def test_an_unreachable_source_is_one_message(runner, pg_url: URL):
    create_schema(pg_url, SHOP)
    bad = "postgresql+psycopg://someone:hunter2@127.0.0.1:1/nowhere"
    result = invoke(runner, "seed", SHOP, "--url", _url(pg_url), "--like", bad)
    assert result.exit_code == 2
    assert "cannot read statistics" in result.output and "hunter2" not in result.output
    assert "***" in result.output


def test_a_source_with_other_tables_is_refused(runner, pg_url: URL, sqlite_url: URL):
    create_schema(pg_url, SHOP)
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)"))
    engine.dispose()
    result = invoke(runner, "seed", SHOP, "--url", _url(pg_url), "--like", str(sqlite_url))
    assert result.exit_code == 2
    assert "None of the models' tables" in result.output and "ledger" in result.output


def test_mariadb_sources_are_read_from_a_bounded_sample(
    runner, mysql_url: URL, pg_url: URL, tmp_path: Path
):
    create_schema(mysql_url, SHOP)
    config = tmp_path / "skewed.toml"
    config.write_text(SKEWED.replace("rows = 6000", "rows = 3000"))
    seeded = invoke(runner, "seed", SHOP, "--url", _url(mysql_url), "--config", str(config), "-q")
    assert seeded.exit_code == 0, seeded.output
    create_schema(pg_url, SHOP)
    result = invoke(runner, "seed", SHOP, "--url", _url(pg_url), "--like", _url(mysql_url))
    assert result.exit_code == 0, result.output
    assert "a sample of the first" in " ".join(result.output.split())
    want = _shares(mysql_url, "SELECT role, count(*) FROM users GROUP BY role")
    got = _shares(pg_url, "SELECT role, count(*) FROM users GROUP BY role")
    for value, share in want.items():
        assert abs(got.get(value, 0) - share) <= 0.03


def _mariadb_source(runner: CliRunner, url: URL, tmp_path: Path, histogram: str) -> None:
    """A skewed MariaDB source with sentinel free text, analysed into persistent statistics."""
    create_schema(url, SHOP)
    config = tmp_path / "skewed.toml"
    config.write_text(SKEWED.replace("rows = 6000", "rows = 3000"))
    seeded = invoke(runner, "seed", SHOP, "--url", _url(url), "--config", str(config), "-q")
    assert seeded.exit_code == 0, seeded.output
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            text(
                "UPDATE users SET first_name = ELT(1 + CRC32(id) % 3, 'Zqalpha', 'Zqbeta', "
                "'Zqgamma'), email = CONCAT('zqmail', MD5(id), '@zq.test')"
            )
        )
        conn.execute(text(f"SET SESSION histogram_type = '{histogram}'"))
        for table in conn.execute(text("SHOW TABLES")).scalars().all():
            conn.execute(text(f"ANALYZE TABLE `{table}` PERSISTENT FOR ALL")).all()
    engine.dispose()


@pytest.mark.parametrize("histogram", ["JSON_HB", "DOUBLE_PREC_HB"])
def test_mariadb_sources_are_read_from_their_persistent_statistics(
    runner, mysql_url: URL, pg_url: URL, tmp_path: Path, histogram: str
):
    _mariadb_source(runner, mysql_url, tmp_path, histogram)
    create_schema(pg_url, SHOP)
    learned = tmp_path / "learned.toml"
    result = invoke(
        runner,
        "seed",
        SHOP,
        "--url",
        _url(pg_url),
        "--like",
        _url(mysql_url),
        "--like-out",
        str(learned),
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "persistent statistics (mysql.table_stats, mysql.column_stats) for 12 of 12" in said
    # The enums' weights come from the histograms themselves (a DOUBLE_PREC_HB histogram does
    # not name the values of a VARCHAR, so first_name, three sentinels, is sampled there).
    assert not re.search(r"(users|orders): [^:]*\b(role|status)\b[^:]* from a sample", said)

    for table in ("users", "orders"):
        want = _scalar(mysql_url, f"SELECT count(*) FROM {table}")
        got = _scalar(pg_url, f"SELECT count(*) FROM {table}")
        assert abs(got - want) <= 0.05 * want, (table, got, want)
    for source_sql, target_sql in (
        ("SELECT role, count(*) FROM users GROUP BY role", None),
        ("SELECT status, count(*) FROM orders GROUP BY status", None),
        (
            "SELECT IF(is_active, 'true', 'false'), count(*) FROM users GROUP BY 1",
            "SELECT is_active::text, count(*) FROM users GROUP BY 1",
        ),
        (
            "SELECT IF(phone IS NULL, 'true', 'false'), count(*) FROM users GROUP BY 1",
            "SELECT (phone IS NULL)::text, count(*) FROM users GROUP BY 1",
        ),
        (
            "SELECT IF(discount_percent IS NULL, 'true', 'false'), count(*) FROM orders GROUP BY 1",
            "SELECT (discount_percent IS NULL)::text, count(*) FROM orders GROUP BY 1",
        ),
    ):
        want = _shares(mysql_url, source_sql)
        got = _shares(pg_url, target_sql or source_sql.replace("status,", "status::text,"))
        assert set(got) <= set(want), (source_sql, got, want)
        for value, share in want.items():
            assert abs(got.get(value, 0) - share) <= 0.03, (source_sql, value, got, want)

    config_text = learned.read_text()
    assert "persistent statistics" in config_text
    assert not any(word in config_text.lower() for word in ("zqalpha", "zqmail", "zq.test"))
    leaked = _scalar(
        pg_url,
        "SELECT count(*) FROM users WHERE first_name IN ('Zqalpha', 'Zqbeta', 'Zqgamma') "
        "OR email LIKE 'zqmail%' OR email LIKE '%@zq.test'",
    )
    assert leaked == 0
