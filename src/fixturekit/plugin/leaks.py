"""The leak check: did any row escape the test's isolation?

One statement from a connection of its own, outside the test's transaction, asks every table
whether it holds rows the template did not: `EXISTS (SELECT 1 FROM t)` for tables that start
empty (one index or heap page read each) and `count(*)` for the few that start with seed rows.
Uncommitted rows of the test are invisible to it, so anything it sees was committed: by a second
connection, by `session.connection().commit()`, by a factory bound to another session, or after
the outer transaction was ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fixturekit.dialects import Server, TableRef

if TYPE_CHECKING:
    from fixturekit.plugin.template_layout import Layout


@dataclass(frozen=True)
class Leak:
    table: TableRef
    rows: int
    expected: int

    def describe(self) -> str:
        extra = self.rows - self.expected
        if self.expected:
            return f"{self.table.display}: {self.rows} rows, the template has {self.expected}"
        return f"{self.table.display}: {extra} row{'s' if extra != 1 else ''}"


@dataclass(frozen=True)
class LockHolder:
    """Another session of the test database still inside a transaction after a test ended."""

    session: int
    application: str
    state: str
    locks: tuple[tuple[str, str], ...]  # (table, lock mode)

    def describe(self) -> str:
        who = f"session {self.session}" + (f" ({self.application!r})" if self.application else "")
        held = ", ".join(f"{mode} on {table}" for table, mode in self.locks)
        locks = f"holds {held}" if held else "holds no table lock yet"
        return f"{who}, {self.state or 'in a transaction'}: {locks}"


def lock_holder_message(holders: Sequence[LockHolder]) -> str:
    lines = "\n".join(f"  - {h.describe()}" for h in holders)
    return (
        "fixturekit: this test left a transaction open on a connection of its own; later tests "
        f"would wait for its locks:\n{lines}\n"
        "fixturekit ended that connection so that the run goes on. Commit or roll back and "
        "close connections before the test ends (`with engine.connect() as conn:`), or do the "
        "work through db_session."
    )


class LeakProbe:
    """A dedicated autocommit connection to the test database and the probe statement."""

    def __init__(self, server: Server, url: Any, layout: Layout) -> None:
        self.server = server
        self.url = url
        self.layout = layout
        self._engine: Any = None
        self._conn: Any = None
        parts = []
        for table in layout.tables:
            name = server.qualified(table)
            if layout.baseline.get(table):
                parts.append(f"(SELECT count(*) FROM {name})")
            else:
                parts.append(f"CASE WHEN EXISTS (SELECT 1 FROM {name}) THEN 1 ELSE 0 END")
        self._sql = "SELECT " + ", ".join(parts) if parts else ""

    # --- connection ---------------------------------------------------------------------
    def _connection(self) -> Any:
        if self._conn is None:
            from sqlalchemy import create_engine
            from sqlalchemy.pool import StaticPool

            if self._engine is None:
                from fixturekit.dialects.appname import connect_args

                self._engine = create_engine(
                    self.url,
                    isolation_level="AUTOCOMMIT",
                    poolclass=StaticPool,
                    connect_args=connect_args(self.url),
                )
            self._conn = self._engine.connect()
            for statement in self.server.probe_options():
                self._conn.exec_driver_sql(statement)
        return self._conn

    def reset(self) -> None:
        """Forget the connection (after an error, or before the database is recreated)."""
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:  # the connection is already broken; nothing left to release
                pass
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()

    def close(self) -> None:
        self.reset()
        self._engine = None

    # --- checks -------------------------------------------------------------------------
    def dirty(self) -> list[TableRef]:
        """Tables whose committed content differs from the template (by row count)."""
        if not self._sql:
            return []
        try:
            row = self._connection().exec_driver_sql(self.server.raw(self._sql)).one()
        except Exception:
            self.reset()
            raise
        baseline = self.layout.baseline
        return [
            table
            for table, value in zip(self.layout.tables, row, strict=True)
            if (value != baseline[table] if baseline.get(table) else value)
        ]

    def check(self, own_session: int | None) -> tuple[list[TableRef], bool]:
        """`dirty()` and, in the same statement, whether another session of the test database
        (not the test's own) is inside a transaction: (dirty tables, strays seen). Servers
        without the count report True, so that the caller checks in detail."""
        strays = self.server.stray_sessions_sql(own_session)
        if strays is None:
            return self.dirty(), True
        sql = f"{self._sql}, {strays}" if self._sql else f"SELECT {strays}"
        try:
            row = self._connection().exec_driver_sql(self.server.raw(sql)).one()
        except Exception:
            self.reset()
            raise
        baseline = self.layout.baseline
        dirty = [
            table
            for table, value in zip(self.layout.tables, row[:-1], strict=True)
            if (value != baseline[table] if baseline.get(table) else value)
        ]
        return dirty, bool(row[-1])

    def leaks(self, tables: Sequence[TableRef]) -> list[Leak]:
        """Exact counts for the dirty tables, for the failure message."""
        counts = self.count_rows(None, self.server, tables, connection=self._connection())
        return [
            Leak(t, counts[t], self.layout.baseline.get(t, 0))
            for t in tables
            if counts[t] != self.layout.baseline.get(t, 0)
        ]

    @staticmethod
    def count_rows(
        engine: Any, server: Server, tables: Sequence[TableRef], connection: Any = None
    ) -> dict[TableRef, int]:
        if not tables:
            return {}
        sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {server.qualified(t)})" for t in tables)
        if connection is not None:
            row = connection.exec_driver_sql(server.raw(sql)).one()
        else:
            with engine.connect() as conn:
                row = conn.exec_driver_sql(server.raw(sql)).one()
        return {t: int(n) for t, n in zip(tables, row, strict=True)}

    # --- sessions left in a transaction --------------------------------------------------
    def lock_holders(self, keep: set[int] | frozenset[int] = frozenset()) -> list[LockHolder]:
        """Other sessions of the test database inside a transaction, except `keep`."""
        sql = self.server.lock_holders_sql()
        if sql is None:
            return []
        rows = self._connection().exec_driver_sql(self.server.raw(sql)).all()
        found: dict[int, LockHolder] = {}
        for session, application, state, table, mode in rows:
            if session in keep:
                continue
            holder = found.get(session) or LockHolder(session, application, state, ())
            if table and mode and (table, mode) not in holder.locks:
                holder = LockHolder(session, application, state, (*holder.locks, (table, mode)))
            found[session] = holder
        return list(found.values())

    def end(self, holders: Sequence[LockHolder]) -> None:
        """End those sessions: their transactions roll back and their locks are released."""
        conn = self._connection()
        for holder in holders:
            statement = self.server.end_session_sql(holder.session)
            if statement is not None:
                conn.exec_driver_sql(self.server.raw(statement))

    # --- cleanup ------------------------------------------------------------------------
    def clean(self, dirty: Sequence[TableRef]) -> None:
        """Empty the dirty tables, then put back the template's rows where they are missing."""
        conn = self._connection()
        quick = []
        if not any(self.layout.baseline.get(t) for t in dirty):
            quick = self.server.quick_clean_statements(dirty)
        if quick:
            try:
                conn.exec_driver_sql("BEGIN")
                for statement in quick:
                    conn.exec_driver_sql(self.server.raw(statement))
                conn.exec_driver_sql("COMMIT")
                return
            except Exception:
                conn.exec_driver_sql("ROLLBACK")
        for statement in self.server.clean_statements(dirty):
            conn.exec_driver_sql(self.server.raw(statement))
        if not self.layout.baseline:
            return
        # TRUNCATE ... CASCADE may have emptied seeded tables that were not dirty themselves.
        missing = set(self.dirty())
        for table in self.layout.restore_order:
            if table not in missing:
                continue
            columns, rows = self.layout.rows[table]
            name = self.server.qualified(table)
            conn.exec_driver_sql(self.server.raw(f"DELETE FROM {name}"))
            if rows:
                from sqlalchemy import column, insert
                from sqlalchemy import table as sa_table

                target = sa_table(table.name, *(column(c) for c in columns), schema=table.schema)
                conn.execute(insert(target), [dict(zip(columns, r, strict=True)) for r in rows])
