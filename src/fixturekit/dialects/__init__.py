"""Dialect quirks, one small module per database family, shared by the plugin and the seeder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fixturekit.dialects.base import Mark, Server, TableRef
from fixturekit.errors import FixturekitError

__all__ = ["SUPPORTED", "Mark", "Server", "TableRef", "UnsupportedDialect", "server_for"]

SUPPORTED = "postgresql (psycopg), mysql/mariadb (pymysql) or sqlite"


class UnsupportedDialect(FixturekitError):
    """A URL for a database fixturekit cannot run tests against."""


def server_for(url: Any, *, directory: Path | None = None) -> Server:
    """The `Server` for a SQLAlchemy URL; `directory` holds SQLite test files."""
    backend = url.get_backend_name()
    if backend == "postgresql":
        from fixturekit.dialects.postgresql import PostgresServer

        return PostgresServer(url)
    if backend in ("mysql", "mariadb"):
        from fixturekit.dialects.mysql import MySQLServer

        return MySQLServer(url)
    if backend == "sqlite":
        from fixturekit.dialects.sqlite import SQLiteServer

        return SQLiteServer(url, directory=directory)
    raise UnsupportedDialect(
        f"fixturekit cannot run tests on {backend!r} databases.",
        hint=f"Use a {SUPPORTED} URL.",
    )
