"""Servers for fixturekit's own test suite.

Tests talk to real PostgreSQL, MariaDB and SQLite. Each fixture below hands out a scratch
database of its own (unique name, dropped afterwards), so tests stay independent under xdist.
Where a server is not reachable the tests that need it are skipped with the reason, except in CI
(CI=true), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

PG_ADMIN_URL = os.environ.get("FIXTUREKIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MYSQL_ADMIN_URL = os.environ.get("FIXTUREKIT_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/mysql")


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable ({type(exc).__name__}: {str(exc).splitlines()[0]})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; in CI every server must be up", pytrace=False)
    pytest.skip(message)


def _scratch_name() -> str:
    return f"fkt_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def pg_admin_url() -> URL:
    url = make_url(PG_ADMIN_URL)
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # pragma: no cover - depends on the machine
        _unavailable(f"PostgreSQL at {url.render_as_string(hide_password=True)}", exc)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def mysql_admin_url() -> URL:
    url = make_url(MYSQL_ADMIN_URL)
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # pragma: no cover - depends on the machine
        _unavailable(f"MariaDB at {url.render_as_string(hide_password=True)}", exc)
    finally:
        engine.dispose()
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
