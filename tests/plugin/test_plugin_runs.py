"""The plugin for real: inner pytest sessions (pytester) on a user's project, one per dialect."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from fixturekit.dialects import server_for

from .conftest import clean_counts
from .project import EXPECTED_FAILURES, read_counts, write_project

ASYNCIO_INI = "asyncio_default_fixture_loop_scope = function\n"


@pytest.fixture(autouse=True)
def _no_outer_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # the inner run is not a worker


def _user_database(admin_url: URL) -> URL:
    """The user's own database, with a sentinel table the plugin must never touch."""
    name = f"fkr-{uuid.uuid4().hex[:8]}"
    url = admin_url.set(database=name)
    server = server_for(url)
    server._execute(f"CREATE DATABASE {server.quote(name)}")
    server.close()
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE sentinel (id INT PRIMARY KEY)"))
        conn.execute(text("INSERT INTO sentinel VALUES (7)"))
    engine.dispose()
    return url


def _leftovers(url: URL) -> list[str]:
    server = server_for(url)
    try:
        return [n for n in server.databases() if n.startswith(f"{url.database}_test")]
    finally:
        server.close()


def _drop_user_database(url: URL) -> None:
    server = server_for(url)
    try:
        server._drop(url.database)
    finally:
        server.close()


def _check_outcome(result: Any, pytester: Any) -> list[dict[str, Any]]:
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == len(EXPECTED_FAILURES), result.stdout.str()
    assert "error" not in outcomes and "errors" not in outcomes, result.stdout.str()
    failed = {
        line.split("::")[-1].split(" ")[0]
        for line in result.stdout.lines
        if line.startswith("FAILED ")
    }
    assert failed == EXPECTED_FAILURES
    result.stdout.fnmatch_lines(
        [
            "*fixturekit: rows escaped this test's isolation and were committed:",
            "*  products: 1 row",
        ]
    )
    result.stdout.fnmatch_lines(["*waited longer than fixturekit's lock timeout (1s*"])
    rows = read_counts(Path(pytester.path))
    assert rows, "the recorder saw no test"
    # From a connection of its own, after every test's teardown: nothing left anywhere.
    assert {r["test"]: r["counts"] for r in rows} == {r["test"]: clean_counts() for r in rows}
    return rows


def test_postgresql_under_xdist(pytester: Any, pg_admin_url: URL) -> None:
    url = _user_database(pg_admin_url)
    try:
        write_project(pytester)
        result = pytester.runpytest("-n", "2", f"--fixturekit-url={url.render_as_string(False)}")
        rows = _check_outcome(result, pytester)
        databases = {r["database"] for r in rows}
        assert databases == {f"{url.database}_test_gw0", f"{url.database}_test_gw1"}
        assert _leftovers(url) == []
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id FROM sentinel")).scalars().all() == [7]
        engine.dispose()
    finally:
        _drop_user_database(url)


def test_mariadb(pytester: Any, mysql_admin_url: URL) -> None:
    url = _user_database(mysql_admin_url)
    try:
        write_project(pytester, async_ok=False)
        result = pytester.runpytest(f"--fixturekit-url={url.render_as_string(False)}")
        rows = _check_outcome(result, pytester)
        assert {r["database"] for r in rows} == {f"{url.database}_test"}
        fresh = Path(pytester.path, "fresh-databases.txt").read_text().split()
        # f1 was the fresh-db mode test's database, f2 the module's fresh_database; both dropped.
        assert fresh == [f"{url.database}_test_f2"]
        assert _leftovers(url) == []
    finally:
        _drop_user_database(url)


def test_default_sqlite_with_notice(pytester: Any) -> None:
    write_project(pytester)
    result = pytester.runpytest()
    _check_outcome(result, pytester)
    result.stdout.fnmatch_lines(["fixturekit: no database configured *temporary SQLite file*"])
    assert result.stdout.str().count("fixturekit: no database configured") == 1


def test_inert_without_database_fixtures(pytester: Any) -> None:
    pytester.makeini(f"[pytest]\n{ASYNCIO_INI}")
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    # Even a URL nothing listens on is not touched while no test needs a database.
    result = pytester.runpytest("--fixturekit-url=postgresql+psycopg://u@127.0.0.1:1/app", "-v")
    result.assert_outcomes(passed=1)
    mentions = [line for line in result.stdout.lines if "fixturekit" in line]
    assert all(line.startswith("plugins:") for line in mentions), mentions


def test_ephemeral_server_under_xdist(pytester: Any) -> None:
    pytester.makefile(".py", shop=(Path(__file__).parent / "shop.py").read_text())
    pytester.makeini(f"[pytest]\nfixturekit_models = shop.py\n{ASYNCIO_INI}")
    pytester.makepyfile(
        test_eph="""
        from sqlalchemy import text

        def test_one(db_session):
            assert db_session.execute(text("SHOW fsync")).scalar() == "off"
            assert db_session.execute(text("SHOW full_page_writes")).scalar() == "off"

        def test_two(db_session, fresh_database):
            socket_dir = fresh_database.url.query["host"]
            assert socket_dir == db_session.get_bind().engine.url.query["host"]
        """
    )
    result = pytester.runpytest("-n", "2", "--fixturekit-server=ephemeral")
    result.assert_outcomes(passed=2)
    line = next(x for x in result.stdout.lines if "ephemeral PostgreSQL in" in x)
    assert not Path(line.rsplit(" ", 1)[-1]).exists()  # stopped and removed


def test_myisam_tables_switch_to_fresh_databases(pytester: Any, mysql_admin_url: URL) -> None:
    name = f"fkm_{uuid.uuid4().hex[:8]}"
    pytester.makepyfile(
        legacy="""
        from sqlalchemy import Integer, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Hit(Base):
            __tablename__ = "hits"
            __table_args__ = {"mysql_engine": "MyISAM"}
            id: Mapped[int] = mapped_column(Integer, primary_key=True)
            path: Mapped[str] = mapped_column(String(50))
        """,
        test_hits="""
        from sqlalchemy import func, select
        from legacy import Hit

        def test_write(db_session):
            db_session.add(Hit(path="/"))
            db_session.commit()

        def test_nothing_left(db_session):
            assert db_session.scalar(select(func.count()).select_from(Hit)) == 0
        """,
    )
    pytester.makeini(f"[pytest]\nfixturekit_models = legacy.py\n{ASYNCIO_INI}")
    url = mysql_admin_url.set(database=name).render_as_string(False)
    result = pytester.runpytest(f"--fixturekit-url={url}")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["fixturekit: hits (MyISAM) ignore transactions*fresh database*"])


def test_mariadb_ddl_in_a_test_is_reported_and_cleaned_up(
    pytester: Any, mysql_admin_url: URL
) -> None:
    pytester.makefile(".py", shop=(Path(__file__).parent / "shop.py").read_text())
    pytester.makeini(f"[pytest]\nfixturekit_models = shop.py\n{ASYNCIO_INI}")
    pytester.makepyfile(
        test_ddl="""
        from sqlalchemy import func, select, text
        from shop import User

        def test_ddl(db_session):
            db_session.add(User(email="before-ddl@x"))
            db_session.flush()
            db_session.execute(text("CREATE TABLE made_in_test (id INT)"))

        def test_next_one_is_clean(db_session):
            assert db_session.scalar(select(func.count()).select_from(User)) == 0
        """
    )
    url = mysql_admin_url.set(database=f"fkd_{uuid.uuid4().hex[:8]}").render_as_string(False)
    result = pytester.runpytest(f"--fixturekit-url={url}")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*users: 1 row",
            "*`CREATE TABLE made_in_test (id INT)` commits implicitly on MySQL/MariaDB*",
        ]
    )
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_ddl*", "*SAVEPOINT*does not exist*"])


def test_ctrl_c_still_drops_the_databases(pytester: Any, pg_admin_url: URL) -> None:
    pytester.makefile(".py", shop=(Path(__file__).parent / "shop.py").read_text())
    pytester.makeini(f"[pytest]\nfixturekit_models = shop.py\n{ASYNCIO_INI}")
    pytester.makepyfile(
        test_interrupted="""
        def test_first(db_session, fresh_database):
            raise KeyboardInterrupt  # what pytest sees when Ctrl-C arrives mid-test

        def test_never_runs(db_session):
            pass
        """
    )
    url = pg_admin_url.set(database=f"fkc_{uuid.uuid4().hex[:8]}")
    result = pytester.runpytest(
        f"--fixturekit-url={url.render_as_string(False)}", no_reraise_ctrlc=True
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert _leftovers(url) == []


ALEMBIC_ENV = """
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    section = config.get_section(config.config_ini_section)
    engine = engine_from_config(section, poolclass=pool.NullPool)
    connection = engine.connect()
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
"""

ALEMBIC_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

def upgrade():
    plans = op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), nullable=False, unique=True),
    )
    op.bulk_insert(plans, [{"id": 1, "name": "free"}, {"id": 2, "name": "pro"}])
"""


def test_alembic_schema_with_seed_rows(pytester: Any) -> None:
    versions = Path(pytester.path, "migrations", "versions")
    versions.mkdir(parents=True)
    (versions.parent / "env.py").write_text(ALEMBIC_ENV)
    (versions / "0001_plans.py").write_text(ALEMBIC_REVISION)
    Path(pytester.path, "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    pytester.makeini(f"[pytest]\nfixturekit_alembic = alembic.ini\n{ASYNCIO_INI}")
    pytester.makepyfile(
        test_plans="""
        from sqlalchemy import text

        def test_seeded(db_session):
            names = db_session.execute(text("SELECT name FROM plans ORDER BY id")).scalars()
            assert list(names) == ["free", "pro"]
            db_session.execute(text("DELETE FROM plans"))
            db_session.commit()

        def test_deleting_a_seed_row_for_real_is_a_leak(db_engine):
            with db_engine.begin() as conn:
                conn.execute(text("DELETE FROM plans WHERE id = 2"))

        def test_seed_rows_are_back(db_session):
            assert db_session.execute(text("SELECT count(*) FROM plans")).scalar() == 2
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*plans: 1 rows, the template has 2"])
