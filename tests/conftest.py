"""Servers for fixturekit's own test suite.

Tests talk to real PostgreSQL, MariaDB and SQLite. Each fixture below hands out a scratch
database of its own (unique name, dropped afterwards), so tests stay independent under xdist.

PostgreSQL: when nothing answers at 127.0.0.1:5432 (and FIXTUREKIT_TEST_PG_URL does not name
another server), the run starts a throwaway cluster from the installed PostgreSQL binaries with
fixturekit's own ephemeral-server support, says so in the header, and stops it at the end. The
xdist workers inherit its URL through the environment. MariaDB: where it is not reachable the
tests that need it are skipped with the reason, except in CI (CI=true), where a missing server
is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

PG_ENV = "FIXTUREKIT_TEST_PG_URL"
MYSQL_ENV = "FIXTUREKIT_TEST_MYSQL_URL"
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MYSQL_DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/mysql"

_EPHEMERAL = pytest.StashKey[tuple[object, str]]()

# The plugin's tests run inner pytest sessions; pytest_plugins is only honoured at the top.
pytest_plugins = ["pytester"]


def _connect_error(url: str) -> Exception | None:
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except Exception as exc:
        return exc
    finally:
        engine.dispose()


def _first_line(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get(PG_ENV):
        return  # xdist workers inherit the controller's choice; an explicit URL is kept as is
    error = _connect_error(PG_DEFAULT_URL)
    if error is None:
        return
    from fixturekit.plugin.ephemeral import EphemeralPostgres, find_bindir

    bindir = find_bindir()
    if bindir is None:
        return  # the PostgreSQL tests report the unreachable server themselves
    server = EphemeralPostgres.start(bindir)
    os.environ[PG_ENV] = server.url.render_as_string(hide_password=False)
    message = (
        f"PostgreSQL at {make_url(PG_DEFAULT_URL).render_as_string(hide_password=True)} is not "
        f"reachable ({_first_line(error)}); using an "
        f"ephemeral cluster from {bindir} in {server.root}"
    )
    config.stash[_EPHEMERAL] = (server, message)

    def stop() -> None:
        os.environ.pop(PG_ENV, None)
        server.stop()

    config.add_cleanup(stop)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    started = config.stash.get(_EPHEMERAL, None)
    return [started[1]] if started else None


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable ({_first_line(exc)})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; in CI every server must be up", pytrace=False)
    pytest.skip(message)


def _scratch_name() -> str:
    # FIXTUREKIT_TEST_DB_TAG marks the scratch databases of one run (on a shared server, whose
    # they are); letters, digits and underscores only.
    given = os.environ.get("FIXTUREKIT_TEST_DB_TAG", "")
    tag = "".join(c for c in given if c.isalnum() or c == "_")
    return f"fkt_{tag + '_' if tag else ''}{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def pg_admin_url() -> URL:
    # Read at use time: the ephemeral fallback sets the variable after this module is imported.
    url = make_url(os.environ.get(PG_ENV, PG_DEFAULT_URL))
    error = _connect_error(url)
    if error is not None:  # pragma: no cover - depends on the machine
        _unavailable(f"PostgreSQL at {url.render_as_string(hide_password=True)}", error)
    return url


@pytest.fixture(scope="session")
def mysql_admin_url() -> URL:
    url = make_url(os.environ.get(MYSQL_ENV, MYSQL_DEFAULT_URL))
    error = _connect_error(url)
    if error is not None:  # pragma: no cover - depends on the machine
        _unavailable(f"MariaDB at {url.render_as_string(hide_password=True)}", error)
    return url


@pytest.fixture
def pg_url(pg_admin_url: URL) -> Iterator[URL]:
    """A fresh, empty PostgreSQL database for one test."""
    name = _scratch_name()
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def mysql_url(mysql_admin_url: URL) -> Iterator[URL]:
    """A fresh, empty MariaDB database for one test."""
    name = _scratch_name()
    admin = create_engine(mysql_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    try:
        yield mysql_admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> URL:
    return make_url(f"sqlite:///{tmp_path / 'test.sqlite3'}")
