"""Loading generated chunks into a database, all-or-nothing.

One loader per dialect (PostgreSQL COPY, batched multi-row INSERT on MariaDB/MySQL and SQLite),
all behind the same small interface. Everything happens in one transaction: a failure, or
Ctrl-C, rolls back and leaves the database as it was. URLs are only ever shown with the
password hidden, and driver messages are scrubbed of it too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from fixturekit.errors import FixturekitError
from fixturekit.schema.model import Column, Table
from fixturekit.seed.columns import Chunk
from fixturekit.seed.plan import Existing

# Below this many rows, dropping keys for a load and re-creating them afterwards costs more than
# it saves. Read at call time (tests lower it), and by `seed.run` before it connects: the
# worker's load order depends on it.
FAST_PATH_MIN_ROWS = 20_000


def parse_url(url: str | URL) -> URL:
    try:
        return make_url(url) if not isinstance(url, URL) else url
    except ArgumentError:
        raise FixturekitError(
            "The database URL is not a URL SQLAlchemy understands.",
            hint="Write it as dialect://user:password@host:port/database, e.g. "
            "postgresql://postgres@localhost/app or sqlite:///app.db.",
        ) from None


def redact(url: str | URL) -> str:
    return parse_url(url).render_as_string(hide_password=True)


def scrub(message: str, url: URL) -> str:
    """A driver message without the URL's password, first line only."""
    text = str(message).strip().splitlines()[0] if str(message).strip() else type(message).__name__
    if url.password:
        text = text.replace(str(url.password), "***")
    return text


@dataclass
class TableLoad:
    """What a loader needs to know about one table it writes."""

    table: Table
    columns: list[Column]  # in the order chunks give them


class LoadFailed(FixturekitError):
    """The database refused the data; the transaction was rolled back."""


class Loader(ABC):
    """A connection in one open transaction, writing seeded tables."""

    dialect: str = ""

    def __init__(self, url: URL) -> None:
        self.url = url

    # -- inspection, before writing --

    @abstractmethod
    def has_rows(self, table: Table) -> bool: ...

    @abstractmethod
    def existing(self, table: Table, integer_keys: list[str]) -> Existing: ...

    # -- the transaction --

    @abstractmethod
    def begin(self) -> None: ...

    def check_tables(self, tables: list[Table]) -> None:  # noqa: B027
        """Refuse tables that cannot be loaded all-or-nothing (MySQL's MyISAM)."""

    @abstractmethod
    def empty_tables(
        self, tables: list[Table], nullable_links: list[tuple[Table, list[str]]]
    ) -> None:
        """Remove every row of `tables` (insert order), inside the transaction."""

    @property
    def rebuilds(self) -> bool:
        """True when `finish` re-creates keys and indexes that `prepare` dropped."""
        return False

    @property
    def any_order(self) -> bool:
        """True when no foreign key is checked while rows are loaded (`prepare` dropped them
        all, to re-create them once every table is complete): tables may load in any order."""
        return False

    def prepare(self, tables: list[Table], total_rows: int) -> None:  # noqa: B027
        """A chance to speed up the load of empty tables (PostgreSQL drops and rebuilds keys)."""

    def loaded(self, table: Table, busy: Callable[[], bool] | None = None) -> None:  # noqa: B027
        """`table` holds all its rows: a loader may rebuild its keys now, or, while `busy()`
        says the next rows are already waiting, leave that for a pause or for `finish`."""

    @abstractmethod
    def load(
        self,
        target: TableLoad,
        chunks: Iterable[Chunk],
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> int: ...

    @abstractmethod
    def update(
        self,
        table: Table,
        keys: list[Column],
        values: list[Column],
        batches: Iterator[tuple[dict[str, Any], dict[str, Any], int]],
    ) -> None:
        """Set `values` columns of existing rows, found by `keys` (the cycle-breaking pass)."""

    def finish(self, sequences: list[tuple[Table, str, int | None]]) -> None:  # noqa: B027
        """Rebuild what `prepare` removed, then move each (table, column) sequence past both the
        largest key in the table and `planned` (the last key of the whole plan, which a shard
        cannot see while other shards are still loading)."""

    def check_deferred(self) -> None:  # noqa: B027
        """Run the checks a COMMIT would run (deferred constraints and constraint triggers)
        now, so that a shard reports ready only when its COMMIT has nothing left to refuse."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def failure(self, what: str, exc: BaseException) -> LoadFailed:
        return LoadFailed(
            f"{what}: {scrub(str(exc), self.url)}",
            hint="Nothing was written: the whole load was rolled back.",
        )


class StatementLoader(Loader):
    """A loader that reads through plain SQL text (MariaDB/MySQL, SQLite).

    Subclasses give `_run` (one statement, rows back, errors turned into messages) and the
    dialect's quoting; the read-only inspection before a load is the same for both.
    """

    @abstractmethod
    def _run(self, what: str, statement: str, params: Any = None) -> Any: ...

    @staticmethod
    @abstractmethod
    def quote(name: str) -> str: ...

    @classmethod
    def table_name(cls, table: Table) -> str:
        name = cls.quote(table.name)
        return f"{cls.quote(table.schema)}.{name}" if table.schema else name

    def empty_tables(
        self, tables: list[Table], nullable_links: list[tuple[Table, list[str]]]
    ) -> None:
        # Foreign keys are checked row by row: clear the keys that point across a cycle or
        # within a table first, then delete children before parents.
        for table, columns in nullable_links:
            sets = ", ".join(f"{self.quote(c)} = NULL" for c in columns)
            what = f"Emptying {table.key} (--truncate)"
            self._run(what, f"UPDATE {self.table_name(table)} SET {sets}")
        for table in reversed(tables):
            self._run(f"Emptying {table.key} (--truncate)", f"DELETE FROM {self.table_name(table)}")

    def has_rows(self, table: Table) -> bool:
        statement = f"SELECT EXISTS (SELECT 1 FROM {self.table_name(table)})"
        return bool(self._run(f"Reading {table.key}", statement)[0][0])

    def existing(self, table: Table, integer_keys: list[str]) -> Existing:
        parts = ["count(*)"] + [f"coalesce(max({self.quote(c)}), 0)" for c in integer_keys]
        statement = f"SELECT {', '.join(parts)} FROM {self.table_name(table)}"
        row = self._run(f"Reading {table.key}", statement)[0]
        counts = {c: int(v) for c, v in zip(integer_keys, row[1:], strict=True)}
        return Existing(int(row[0]), counts)


def connect(url: str | URL) -> Loader:
    """A loader for the URL's dialect, connected. Unreachable servers are a FixturekitError."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    try:
        if backend == "postgresql":
            from fixturekit.seed.load_postgres import PostgresLoader

            return PostgresLoader(parsed)
        if backend in ("mysql", "mariadb"):
            from fixturekit.seed.load_mysql import MySQLLoader

            return MySQLLoader(parsed)
        if backend == "sqlite":
            from fixturekit.seed.load_sqlite import SQLiteLoader

            return SQLiteLoader(parsed)
    except FixturekitError:
        raise
    except Exception as exc:
        raise FixturekitError(
            f"Cannot connect to {redact(parsed)}: {scrub(str(exc), parsed)}",
            hint="Check that the server is running and the URL's host, port, user and database "
            "are right.",
        ) from None
    raise FixturekitError(
        f"Seeding supports PostgreSQL, MariaDB/MySQL and SQLite, not {backend!r} "
        f"({redact(parsed)})."
    )
