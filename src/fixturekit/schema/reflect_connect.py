"""Connecting for reflection: URLs checked, async drivers swapped for sync ones, SQLite read-only.

Every failure becomes a FixturekitError naming the URL with its password hidden.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, make_url

from fixturekit.errors import FixturekitError

# Async drivers cannot be inspected synchronously; users paste their application's URL, so
# reflection swaps in the synchronous driver of the same database.
_SYNC_DRIVERS = {
    "asyncpg": "psycopg",
    "psycopg_async": "psycopg",
    "aiosqlite": "pysqlite",
    "aiomysql": "pymysql",
    "asyncmy": "pymysql",
}


def shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def scrub(message: str, url: URL) -> str:
    """The first line of a driver error, with the password removed should the driver echo it."""
    line = (message.strip().splitlines() or [""])[0]
    if url.password:
        line = line.replace(str(url.password), "***")
    return line


def _sync_url(url: URL) -> URL:
    driver = url.get_driver_name()
    if driver in _SYNC_DRIVERS:
        return url.set(drivername=f"{url.get_backend_name()}+{_SYNC_DRIVERS[driver]}")
    return url


def _sqlite_readonly_engine(url: URL) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:"):
        raise FixturekitError(
            f"{shown(url)} is an in-memory SQLite database: it has no tables to reflect.",
            hint="Give the path of a SQLite file, e.g. sqlite:///app.db.",
        )
    path = Path(database).expanduser()
    if not path.is_file():
        raise FixturekitError(
            f"SQLite file {path} does not exist.",
            hint="Check the path in the URL (sqlite:///relative.db, sqlite:////absolute.db).",
        )
    # mode=ro: reflection must never create or touch the file.
    uri = f"file:{path.resolve().as_posix()}?mode=ro"
    return create_engine(url, creator=lambda: sqlite3.connect(uri, uri=True))


def make_engine(url: str | URL) -> Engine:
    """An engine for reflecting `url`, or a FixturekitError that says what is wrong with it."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except sa_exc.ArgumentError:
        raise FixturekitError(
            f"{url!r} is not a database URL.",
            hint="Use the SQLAlchemy form dialect+driver://user:password@host:port/database, "
            "e.g. postgresql+psycopg://app@localhost/app or sqlite:///app.db.",
        ) from None
    try:
        parsed = _sync_url(parsed)
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_readonly_engine(parsed)
        from fixturekit.dialects.appname import connect_args

        return create_engine(parsed, connect_args=connect_args(parsed))
    except FixturekitError:
        raise
    except sa_exc.NoSuchModuleError:
        raise FixturekitError(
            f"Unknown database dialect in {shown(parsed)}.",
            hint="Supported: postgresql+psycopg://, mysql+pymysql:// (MariaDB too), sqlite:///.",
        ) from None
    except ModuleNotFoundError as exc:
        raise FixturekitError(
            f"The driver for {shown(parsed)} is not installed ({exc.name}).",
            hint="Install it (e.g. pip install 'fixturekit[mysql]') or name an installed driver "
            "in the URL, e.g. mysql+pymysql://.",
        ) from None


def connect(engine: Engine) -> Connection:
    try:
        return engine.connect()
    except sa_exc.DBAPIError as exc:
        raise FixturekitError(
            f"Cannot connect to {shown(engine.url)}: {scrub(str(exc.orig), engine.url)}",
            hint="Check that the server is running and reachable, and that the user, password "
            "and database name are right and the user may connect to that database.",
        ) from None
