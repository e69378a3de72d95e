"""Data shared by a module or a class: created once, rolled back to after every test.

One connection holds an outer transaction for the module. One Session, joined to it with
`create_savepoint`, is the session of every level on top: the module's fixtures, a class's
fixtures (a SAVEPOINT on the connection), and each test (another SAVEPOINT). A single Session
matters: the shared objects belong to it, so a test can write `factories.Order(user=shared_user)`
without "attached to another session" errors.

When a level ends, its SAVEPOINT is rolled back, and the Session forgets what the level did:
objects made during it are expunged, shared objects it deleted are attached again, and every
object is expired so that the next test reads the shared rows from the database, not from a
previous test's in-memory edits. Connection-level SAVEPOINTs are only opened while the Session
has no transaction of its own, so the Session's own SAVEPOINT always sits above them and its
`commit()` (a RELEASE) never releases one of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fixturekit.plugin.config import Isolation

NESTING_MODES = (Isolation.SAVEPOINT, Isolation.TRANSACTION)


@dataclass
class Level:
    """One layer of shared state: module (the outer transaction), class, or test (SAVEPOINTs)."""

    scope: str  # "module", "class" or "test"
    owner: str  # the node id, for messages
    transaction: Any  # the connection-level transaction to roll back to
    members: list[Any] = field(default_factory=list)  # objects in the Session when it began


class SharedData:
    """The connection, outer transaction and Session behind db_session_module/_class."""

    def __init__(self, engine: Any, owner: str) -> None:
        from sqlalchemy.orm import Session

        self.connection = engine.connect()
        outer = self.connection.begin()
        # Objects keep their loaded values across the RELEASEs below; expiry is explicit.
        self.session = Session(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        self.levels: list[Level] = [Level("module", owner, outer)]
        self.lost: str | None = None  # why the shared rows are gone, once they are
        # Rows committed behind the isolation's back that could not be removed yet (their
        # table, key columns, key values): deleted again under every test of the module.
        self.hidden: list[tuple[Any, list[str], list[tuple[Any, ...]]]] = []

    @property
    def top(self) -> Level:
        return self.levels[-1]

    def push(self, scope: str, owner: str) -> Level:
        """Open a SAVEPOINT for a class or a test on top of the current state."""
        # Flush and RELEASE the Session's own SAVEPOINT first: ours must sit beneath its next.
        self.session.commit()
        self._delete_hidden()
        members = list(self.session.identity_map.values())
        level = Level(scope, owner, self.connection.begin_nested(), members)
        self.levels.append(level)
        return level

    def pop(self, level: Level) -> bool:
        """Roll back to the state before `level`; False when the level's SAVEPOINT was gone."""
        assert self.levels[-1] is level, "shared levels end in the reverse order they began"
        self.levels.pop()
        try:
            self.session.rollback()
        finally:
            intact = level.transaction.is_active
            if intact:
                level.transaction.rollback()
            elif self.lost is None:
                self.lost = level.owner
            self.restore_sequences(level)
            self._forget_since(level.members)
        return intact

    def restore_sequences(self, level: Level) -> None:
        """Hook: put sequences back where they were when `level` began.

        SAVEPOINT rollbacks leave sequences advanced; ids differ from test to test but never
        collide. Reproducible ids per test need the sequence snapshot/restore API of the
        reproducible-seeds work (issue 11); call it here once it exists.
        """

    def _forget_since(self, members: list[Any]) -> None:
        from sqlalchemy import inspect
        from sqlalchemy.orm import make_transient, make_transient_to_detached

        session = self.session
        kept = {id(obj) for obj in members}
        for obj in members:
            if obj not in session:
                # Deleted (and committed) or expunged by the test: the row is back, so is the
                # object. A deleted object is made attachable again through the public route.
                try:
                    if inspect(obj).was_deleted:
                        make_transient(obj)
                        make_transient_to_detached(obj)
                    session.add(obj)
                except Exception:  # a state the Session refuses; the test's problem, not ours
                    continue
        for obj in list(session.identity_map.values()):
            if id(obj) not in kept:
                session.expunge(obj)
        session.expire_all()

    def hide_committed(self, server: Any, probe: Any, tables: list[Any]) -> list[Any]:
        """Delete, inside the shared transaction, the committed rows of `tables` (which start
        empty in the template) that the leak cleanup could not remove while this transaction
        holds locks on the table (MariaDB). Returns the tables it could not hide."""
        from sqlalchemy import inspect

        not_hidden = []
        for table in tables:
            if probe.layout.baseline.get(table):
                not_hidden.append(table)
                continue
            key = inspect(self.connection).get_pk_constraint(table.name, schema=table.schema)
            columns = list(key.get("constrained_columns") or [])
            if not columns:
                not_hidden.append(table)
                continue
            names = ", ".join(server.quote(c) for c in columns)
            sql = server.raw(f"SELECT {names} FROM {server.qualified(table)}")
            rows = [tuple(r) for r in probe._connection().exec_driver_sql(sql)]
            self.hidden.append((table, columns, rows))
        self._delete_hidden()
        return not_hidden

    def _delete_hidden(self) -> None:
        from sqlalchemy import and_, column, delete
        from sqlalchemy import table as sa_table

        for table, columns, rows in self.hidden:
            target = sa_table(table.name, *(column(c) for c in columns), schema=table.schema)
            for row in rows:
                condition = and_(*(column(c) == v for c, v in zip(columns, row, strict=True)))
                self.connection.execute(delete(target).where(condition))

    def close(self) -> None:
        """End the outer transaction: every shared row vanishes."""
        try:
            self.session.close()
        finally:
            try:
                outer = self.levels[0].transaction
                if outer.is_active:
                    outer.rollback()
                elif self.connection.in_transaction():
                    self.connection.rollback()
            finally:
                self.connection.close()
