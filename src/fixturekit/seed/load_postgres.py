"""PostgreSQL: COPY through psycopg 3, with keys and indexes rebuilt after a large load.

Loading into a table with its primary key, unique indexes and foreign keys in place costs an
index insertion and a foreign-key probe per row; building them once over the loaded table is
several times faster. So, for a large load into empty tables, the loader drops those
constraints and indexes, COPYs, and re-creates them from their own definitions
(`pg_get_constraintdef`, `pg_get_indexdef`), all inside the one transaction: PostgreSQL's DDL is
transactional, every constraint is still validated when re-created, and a failure anywhere
rolls everything back, constraints included. CHECK and NOT NULL constraints stay throughout.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from fixturekit.dialects.appname import connect_args
from fixturekit.errors import FixturekitError
from fixturekit.schema.model import Column, Table
from fixturekit.seed import load as loading
from fixturekit.seed.columns import Chunk
from fixturekit.seed.encode import copy_field_texts, copy_text
from fixturekit.seed.encode_binary import SIGNATURE, TRAILER, WIRE_TYPES, render_chunk
from fixturekit.seed.load import Loader, TableLoad, redact
from fixturekit.seed.plan import Existing, TableSeed

# FIXTUREKIT_SEED_BINARY=0 loads every table as COPY text (to compare, or to debug).
BINARY_SWITCH = "FIXTUREKIT_SEED_BINARY"
# A seed never waits forever behind another session's lock: it fails with a message instead.
LOCK_TIMEOUT = "15s"


def table_name(table: Table) -> sql.Identifier:
    return sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)


class PostgresLoader(Loader):
    dialect = "postgresql"

    def __init__(self, url: Any) -> None:
        super().__init__(url)
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(
            conninfo, autocommit=False, connect_timeout=10, **connect_args(url)
        )
        self._rebuild: list[tuple[str, sql.Composable, set[int]]] = []
        self._oids: dict[str, int] = {}  # the loaded tables' oids, by qualified name
        self._complete: set[int] = set()
        self._any_order = False

    @property
    def rebuilds(self) -> bool:
        return bool(self._rebuild)

    @property
    def any_order(self) -> bool:
        return self._any_order

    def _qualified(self, table: Table) -> str:
        return table_name(table).as_string(self.conn)

    def _run(self, what: str, statement: Any, params: Any = None) -> Any:
        try:
            with self.conn.cursor() as cur:
                cur.execute(statement, params)
                return cur.fetchall() if cur.description else None
        except psycopg.errors.UndefinedTable:
            raise FixturekitError(
                f"{what}: the table does not exist in {redact(self.url)}.",
                hint="Create the schema first (metadata.create_all or your migrations).",
            ) from None
        except psycopg.Error as exc:
            raise self.failure(what, exc) from None

    def has_rows(self, table: Table) -> bool:
        query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(table_name(table))
        return bool(self._run(f"Reading {table.key}", query)[0][0])

    def existing(self, table: Table, integer_keys: list[str]) -> Existing:
        parts = [sql.SQL("count(*)")] + [
            sql.SQL("coalesce(max({}), 0)").format(sql.Identifier(c)) for c in integer_keys
        ]
        query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(parts), table_name(table))
        row = self._run(f"Reading {table.key}", query)[0]
        return Existing(
            int(row[0]), {c: int(v) for c, v in zip(integer_keys, row[1:], strict=True)}
        )

    def begin(self) -> None:
        self._run(
            "Starting the load",
            sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)),
        )
        # Index builds at the end of a fast load go faster with room to sort in memory.
        self._run("Starting the load", "SET LOCAL maintenance_work_mem = '256MB'")
        # Foreign keys re-created after a fast load are validated by one join per key.
        self._run("Starting the load", "SET LOCAL work_mem = '64MB'")
        if self.conn.info.server_version >= 140000:
            # If this process dies mid-statement (kill -9, a --jobs worker ending with its
            # parent), the server notices within a second and rolls back, instead of finishing
            # an index build nobody will commit while holding the tables' locks.
            self._run("Starting the load", "SET LOCAL client_connection_check_interval = 1000")

    def empty_tables(
        self, tables: list[Table], nullable_links: list[tuple[Table, list[str]]]
    ) -> None:
        if not tables:
            return
        names = sql.SQL(", ").join(table_name(t) for t in tables)
        self._run("Emptying the tables (--truncate)", sql.SQL("TRUNCATE {}").format(names))

    def prepare(self, tables: list[Table], total_rows: int) -> None:
        if total_rows < loading.FAST_PATH_MIN_ROWS:
            return
        self._any_order = True  # every foreign key touching these tables is dropped below
        found = self._run(
            "Reading constraints",
            "SELECT name, to_regclass(name)::oid FROM unnest(%s::text[]) AS name",
            ([self._qualified(t) for t in tables],),
        )
        self._oids = {name: oid for name, oid in found if oid is not None}
        oids = list(self._oids.values())
        constraints = self._run(
            "Reading constraints",
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype, "
            "c.conrelid::oid, c.confrelid::oid "
            "FROM pg_constraint c WHERE c.contype IN ('p', 'u', 'f') "
            "AND (c.conrelid = ANY(%s) OR (c.contype = 'f' AND c.confrelid = ANY(%s))) "
            "ORDER BY c.contype = 'f', c.conrelid::regclass::text, c.conname",
            (oids, oids),
        )
        indexes = self._run(
            "Reading indexes",
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indrelid::oid "
            "FROM pg_index i "
            "WHERE i.indrelid = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')) "
            "ORDER BY 1",
            (oids,),
        )
        keys = [c for c in constraints if c[3] != "f"]
        foreign = [c for c in constraints if c[3] == "f"]
        for relation, name, *_rest in foreign + keys:
            self._run(
                f"Dropping {name} for the load",
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.SQL(relation), sql.Identifier(name)
                ),
            )
        for index, _definition, _table in indexes:
            self._run(
                f"Dropping {index} for the load", sql.SQL("DROP INDEX {}").format(sql.SQL(index))
            )

        def add(relation: str, name: str, definition: str) -> sql.Composable:
            return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(relation), sql.Identifier(name), sql.SQL(definition)
            )

        # Each statement with the tables it reads: it can run once they are all loaded.
        self._rebuild = [
            (name, add(relation, name, definition), {table})
            for relation, name, definition, _kind, table, _ in keys
        ]
        self._rebuild += [
            (index, sql.SQL(definition), {table}) for index, definition, table in indexes
        ]
        self._rebuild += [
            (name, add(relation, name, definition), {table, referred})
            for relation, name, definition, _kind, table, referred in foreign
        ]

    def loaded(self, table: Table, busy: Callable[[], bool] | None = None) -> None:
        """`table` is complete: build what needs only complete tables while the server would
        otherwise wait for the next table's rows, rather than all at the end. When `busy()`
        says those rows are already waiting, loading them comes first: an index build then
        runs later, when the worker is done and no longer takes the cores it sorts on."""
        oid = self._oids.get(self._qualified(table))
        if oid is not None:
            self._complete.add(oid)
        while self._rebuild and not (busy is not None and busy()):
            ready = next((item for item in self._rebuild if item[2] <= self._complete), None)
            if ready is None:
                return
            self._rebuild.remove(ready)
            name, statement, _tables = ready
            self._run(f"Re-creating {name} after the load", statement)

    def load(
        self,
        target: TableLoad,
        chunks: Iterable[Chunk],
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> int:
        columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in target.columns)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(table_name(target.table), columns)
        written = 0
        try:
            # The queued writer sends buffers from a thread of its own, so the next chunk is
            # generated while the server parses the last one.
            with (
                self.conn.cursor() as cur,
                cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy,
            ):
                for chunk in chunks:
                    fields = [copy_field_texts(chunk.columns[c.name], c) for c in target.columns]
                    copy.write(copy_text(fields))
                    written += chunk.count
                    if on_chunk is not None:
                        on_chunk(chunk)
        except psycopg.errors.UndefinedTable:
            raise FixturekitError(
                f"Loading {target.table.key}: the table does not exist in {redact(self.url)}.",
                hint="Create the schema first (metadata.create_all or your migrations).",
            ) from None
        except psycopg.Error as exc:
            raise self.failure(f"Loading {target.table.key}", exc) from None
        return written

    def render(self, seed: TableSeed, columns: dict[str, Any], wires: Any = None) -> bytes:
        """One chunk as `load_rendered` writes it: binary COPY rows for a table with wire
        types (`copy_formats`), COPY text otherwise; columns in `seed.columns` order."""
        return render_chunk(seed, columns, wires)

    def copy_formats(self, plan: Any) -> dict[str, list[str]]:
        """{table key: its columns' wire types} for the tables that load faster as binary COPY:
        those whose every column has a type `encode_binary` writes (read from the catalog, so
        a migration that changed a type is followed). FIXTUREKIT_SEED_BINARY=0: none."""
        if os.environ.get(BINARY_SWITCH, "1").strip().lower() in ("0", "no", "false", "off"):
            return {}
        seeds = list(plan)
        found = self._run(
            "Reading the column types",
            "SELECT r.name, a.attname, t.typname, t.typtype FROM unnest(%s::text[]) AS r(name) "
            "JOIN pg_attribute a ON a.attrelid = to_regclass(r.name) "
            "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attnum > 0 AND NOT a.attisdropped",
            ([self._qualified(seed.table) for seed in seeds],),
        )
        types: dict[str, dict[str, str]] = {}
        for relation, column, typname, kind in found:
            types.setdefault(relation, {})[column] = "enum" if kind == "e" else typname
        out: dict[str, list[str]] = {}
        for seed in seeds:
            known = types.get(self._qualified(seed.table), {})
            wires = [known.get(c, "") for c in seed.columns]
            if wires and all(w in WIRE_TYPES for w in wires):
                out[seed.key] = wires
        return out

    def load_rendered(
        self, target: TableLoad, buffers: Iterable[bytes], binary: bool = False
    ) -> None:
        """COPY chunks already rendered by `render` (in a worker process)."""
        columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in target.columns)
        statement = sql.SQL("COPY {} ({}) FROM STDIN" + (" (FORMAT BINARY)" if binary else ""))
        statement = statement.format(table_name(target.table), columns)
        try:
            # Written from this thread: the pipeline's reader thread already keeps the worker's
            # chunks coming while a write waits on the server, so a writer thread of psycopg's
            # own would only add a hand-over per buffer.
            with self.conn.cursor() as cur, cur.copy(statement) as copy:
                if binary:
                    copy.write(SIGNATURE)
                for buffer in buffers:
                    copy.write(buffer)
                if binary:
                    copy.write(TRAILER)
        except psycopg.errors.UndefinedTable:
            raise FixturekitError(
                f"Loading {target.table.key}: the table does not exist in {redact(self.url)}.",
                hint="Create the schema first (metadata.create_all or your migrations).",
            ) from None
        except psycopg.Error as exc:
            raise self.failure(f"Loading {target.table.key}", exc) from None

    def update(
        self,
        table: Table,
        keys: list[Column],
        values: list[Column],
        batches: Iterator[tuple[dict[str, Any], dict[str, Any], int]],
    ) -> None:
        temp = sql.Identifier("fixturekit_pending")
        names = [c.name for c in keys + values]
        listed = sql.SQL(", ").join(sql.Identifier(n) for n in names)
        what = f"Setting {', '.join(c.name for c in values)} of {table.key}"
        self._run(
            what,
            sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
                temp, listed, table_name(table)
            ),
        )
        try:
            with (
                self.conn.cursor() as cur,
                cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(temp, listed)) as copy,
            ):
                for key_values, new_values, _count in batches:
                    fields = [copy_field_texts(key_values[c.name], c) for c in keys]
                    fields += [copy_field_texts(new_values[c.name], c) for c in values]
                    copy.write(copy_text(fields))
        except psycopg.Error as exc:
            raise self.failure(what, exc) from None
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = p.{}").format(sql.Identifier(c.name), sql.Identifier(c.name))
            for c in values
        )
        match = sql.SQL(" AND ").join(
            sql.SQL("t.{} = p.{}").format(sql.Identifier(c.name), sql.Identifier(c.name))
            for c in keys
        )
        self._run(
            what,
            sql.SQL("UPDATE {} AS t SET {} FROM {} AS p WHERE {}").format(
                table_name(table), assignments, temp, match
            ),
        )
        self._run(what, sql.SQL("DROP TABLE {}").format(temp))

    def finish(self, sequences: list[tuple[Table, str, int | None]]) -> None:
        for name, statement, _tables in self._rebuild:
            self._run(f"Re-creating {name} after the load", statement)
        self._rebuild = []
        for table, column, planned in sequences:
            what = f"Moving the sequence of {table.key}.{column}"
            found = self._run(
                what, "SELECT pg_get_serial_sequence(%s, %s)", (self._qualified(table), column)
            )
            sequence = found[0][0] if found else None
            if sequence is None:
                continue
            self._run(
                what,
                sql.SQL(
                    "SELECT setval(%s, GREATEST(%s, (SELECT coalesce(max({}), 0) FROM {}), "
                    "(SELECT last_value FROM {})))"
                ).format(sql.Identifier(column), table_name(table), sql.SQL(sequence)),
                (sequence, planned or 0),
            )

    def check_deferred(self) -> None:
        self._run("Checking deferred constraints", "SET CONSTRAINTS ALL IMMEDIATE")

    def commit(self) -> None:
        try:
            self.conn.commit()
        except psycopg.Error as exc:
            raise self.failure("Committing", exc) from None

    def rollback(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()

    def close(self) -> None:
        self.conn.close()
