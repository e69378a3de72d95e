"""Helpers for the reader tests: load the legacy DDL examples into scratch databases."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

LEGACY = Path(__file__).resolve().parents[2] / "examples" / "legacy"


def statements(sql: str) -> list[str]:
    """Split a DDL script on semicolons that end a line (none of the scripts has one elsewhere)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip() for part in re.split(r";\s*$", body, flags=re.MULTILINE) if part.strip()]


def _run_script(url: URL, name: str) -> None:
    """Run examples/legacy/<name> against the database at `url`."""
    sql = (LEGACY / name).read_text()
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as conn:
            conn.executescript(sql)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements(sql):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture
def pg_legacy(pg_url: URL) -> URL:
    """A scratch PostgreSQL database holding examples/legacy/postgresql.sql."""
    _run_script(pg_url, "postgresql.sql")
    return pg_url


@pytest.fixture
def mysql_legacy(mysql_url: URL) -> URL:
    """A scratch MariaDB database holding examples/legacy/mariadb.sql."""
    _run_script(mysql_url, "mariadb.sql")
    return mysql_url


@pytest.fixture
def sqlite_legacy(sqlite_url: URL) -> URL:
    """A scratch SQLite file holding examples/legacy/sqlite.sql."""
    _run_script(sqlite_url, "sqlite.sql")
    return sqlite_url
