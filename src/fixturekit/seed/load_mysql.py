"""MariaDB / MySQL: batched multi-row INSERT through PyMySQL, in one InnoDB transaction.

No DDL happens inside the transaction, because MySQL commits implicitly before most DDL: the
tables are emptied with DELETE (not TRUNCATE) and the cycle pass uses a TEMPORARY table, which
is exempt from the implicit commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fixturekit.dialects.appname import connect_args
from fixturekit.errors import FixturekitError
from fixturekit.schema.model import Column, Table
from fixturekit.seed.columns import Chunk
from fixturekit.seed.encode import driver_values
from fixturekit.seed.load import StatementLoader, TableLoad, redact

# PyMySQL's executemany folds single-row INSERTs into multi-row statements of about 1 MB.
BATCH_ROWS = 5_000


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class MySQLLoader(StatementLoader):
    dialect = "mysql"

    quote = staticmethod(quote)

    def __init__(self, url: Any) -> None:
        super().__init__(url)
        import pymysql

        self._errors = pymysql.err
        query = dict(url.query)
        self.conn = pymysql.connect(
            host=url.host or "localhost",
            port=url.port or 3306,
            user=url.username or "root",
            password=url.password or "",
            database=url.database,
            charset=str(query.get("charset", "utf8mb4")),
            autocommit=False,
            connect_timeout=10,
            **connect_args(url),
        )

    def _run(self, what: str, statement: str, params: Any = None) -> Any:
        try:
            with self.conn.cursor() as cur:
                cur.execute(statement, params)
                return cur.fetchall()
        except self._errors.ProgrammingError as exc:
            if exc.args and exc.args[0] == 1146:  # ER_NO_SUCH_TABLE
                raise FixturekitError(
                    f"{what}: the table does not exist in {redact(self.url)}.",
                    hint="Create the schema first (metadata.create_all or your migrations).",
                ) from None
            raise self.failure(what, exc) from None
        except self._errors.MySQLError as exc:
            raise self.failure(what, exc) from None

    def begin(self) -> None:
        engines = self._run(
            "Reading table engines",
            "SELECT table_name, engine FROM information_schema.tables "
            "WHERE table_schema = DATABASE()",
        )
        self._engines = {name: engine for name, engine in engines}
        self._run("Starting the load", "START TRANSACTION")

    def check_tables(self, tables: list[Table]) -> None:
        plain = [t.name for t in tables if (self._engines.get(t.name) or "").lower() == "myisam"]
        if plain:
            raise FixturekitError(
                f"{', '.join(plain)} use the MyISAM engine, which has no transactions: a failed "
                "seed could not be rolled back.",
                hint="Convert them to InnoDB (ALTER TABLE ... ENGINE=InnoDB) to seed them.",
            )

    def _insert(self, what: str, table: str, columns: list[str], rows: list[tuple]) -> None:
        listed = ", ".join(quote(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        statement = f"INSERT INTO {table} ({listed}) VALUES ({marks})"
        try:
            with self.conn.cursor() as cur:
                for i in range(0, len(rows), BATCH_ROWS):
                    cur.executemany(statement, rows[i : i + BATCH_ROWS])
        except self._errors.MySQLError as exc:
            raise self.failure(what, exc) from None

    def load(
        self,
        target: TableLoad,
        chunks: Iterable[Chunk],
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> int:
        written = 0
        names = [c.name for c in target.columns]
        for chunk in chunks:
            values = [driver_values(chunk.columns[c.name], c, "mysql") for c in target.columns]
            rows = list(zip(*values, strict=True))
            self._insert(f"Loading {target.table.key}", self.table_name(target.table), names, rows)
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
        names = [c.name for c in keys + values]
        listed = ", ".join(quote(n) for n in names)
        temp = quote("fixturekit_pending")
        self._run(
            what,
            f"CREATE TEMPORARY TABLE {temp} AS SELECT {listed} "
            f"FROM {self.table_name(table)} LIMIT 0",
        )
        for key_values, new_values, _count in batches:
            columns = [driver_values(key_values[c.name], c, "mysql") for c in keys]
            columns += [driver_values(new_values[c.name], c, "mysql") for c in values]
            self._insert(what, temp, names, list(zip(*columns, strict=True)))
        match = " AND ".join(f"t.{quote(c.name)} = p.{quote(c.name)}" for c in keys)
        sets = ", ".join(f"t.{quote(c.name)} = p.{quote(c.name)}" for c in values)
        self._run(
            what, f"UPDATE {self.table_name(table)} AS t JOIN {temp} AS p ON {match} SET {sets}"
        )
        self._run(what, f"DROP TEMPORARY TABLE {temp}")

    def commit(self) -> None:
        try:
            self.conn.commit()
        except self._errors.MySQLError as exc:
            raise self.failure("Committing", exc) from None

    def rollback(self) -> None:
        with contextlib.suppress(self._errors.MySQLError):  # a dead connection rolled back
            self.conn.rollback()

    def close(self) -> None:
        with contextlib.suppress(self._errors.MySQLError):
            self.conn.close()
