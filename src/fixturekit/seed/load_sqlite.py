"""SQLite: executemany INSERT through the standard library driver, in one transaction.

The connection is opened without the driver's implicit transaction handling and with foreign
keys enforced, so the seed is all-or-nothing and every key is checked as it goes in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.schema.model import Column, Table
from fixturekit.seed.columns import Chunk
from fixturekit.seed.encode import driver_values
from fixturekit.seed.load import StatementLoader, TableLoad, redact


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SQLiteLoader(StatementLoader):
    dialect = "sqlite"

    quote = staticmethod(quote)

    def __init__(self, url: Any) -> None:
        super().__init__(url)
        database = url.database or ""
        if not database or database == ":memory:":
            raise FixturekitError(
                "Seeding an in-memory SQLite database would be lost at once; give a file "
                "(sqlite:///path/to/app.db)."
            )
        if not Path(database).exists():
            raise FixturekitError(
                f"{redact(url)}: the database file {database} does not exist.",
                hint="Create the schema first (metadata.create_all or your migrations).",
            )
        self.conn = sqlite3.connect(database, isolation_level=None, timeout=15)
        self.conn.execute("PRAGMA foreign_keys = ON")

    def _run(self, what: str, statement: str, params: Any = ()) -> list[Any]:
        try:
            return self.conn.execute(statement, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                raise FixturekitError(
                    f"{what}: the table does not exist in {redact(self.url)}.",
                    hint="Create the schema first (metadata.create_all or your migrations).",
                ) from None
            raise self.failure(what, exc) from None
        except sqlite3.Error as exc:
            raise self.failure(what, exc) from None

    def begin(self) -> None:
        self._run("Starting the load", "BEGIN IMMEDIATE")

    def _insert(self, what: str, statement: str, rows: list[tuple]) -> None:
        try:
            self.conn.executemany(statement, rows)
        except sqlite3.Error as exc:
            raise self.failure(what, exc) from None

    def load(
        self,
        target: TableLoad,
        chunks: Iterable[Chunk],
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> int:
        listed = ", ".join(quote(c.name) for c in target.columns)
        marks = ", ".join(["?"] * len(target.columns))
        statement = f"INSERT INTO {self.table_name(target.table)} ({listed}) VALUES ({marks})"
        written = 0
        for chunk in chunks:
            values = [driver_values(chunk.columns[c.name], c, "sqlite") for c in target.columns]
            self._insert(f"Loading {target.table.key}", statement, list(zip(*values, strict=True)))
            written += chunk.count
            if on_chunk is not None:
                on_chunk(chunk)
        return written

    def update(
        self,
        table: Table,
        keys: list[Column],
        values: list[Column],
        batches: Iterator[tuple[dict[str, Any], dict[str, Any], int]],
    ) -> None:
        what = f"Setting {', '.join(c.name for c in values)} of {table.key}"
        sets = ", ".join(f"{quote(c.name)} = ?" for c in values)
        match = " AND ".join(f"{quote(c.name)} = ?" for c in keys)
        statement = f"UPDATE {self.table_name(table)} SET {sets} WHERE {match}"
        for key_values, new_values, _count in batches:
            columns = [driver_values(new_values[c.name], c, "sqlite") for c in values]
            columns += [driver_values(key_values[c.name], c, "sqlite") for c in keys]
            self._insert(what, statement, list(zip(*columns, strict=True)))

    def commit(self) -> None:
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self.failure("Committing", exc) from None

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()
