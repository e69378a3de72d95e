"""SQLite: databases are files in one directory, marked with `PRAGMA application_id`.

The stdlib driver (pysqlite, and aiosqlite on top of it) does not emit BEGIN before SAVEPOINT or
DDL, so a savepoint opened first runs outside any transaction and its writes survive the final
ROLLBACK. `install_begin_workaround` hands transaction control to SQLAlchemy: the driver's own
BEGIN handling is switched off and SQLAlchemy emits BEGIN when a transaction starts.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from fixturekit.dialects.base import Mark, Server, TableRef
from fixturekit.dialects.errors import DatabaseError, Failure, first_line

# SQLite names no SQLSTATE; its messages are stable ("NOT NULL constraint failed: t.c").
_SQLITE_FAILURES = (
    ("CHECK constraint failed: ", Failure.CHECK),
    ("NOT NULL constraint failed: ", Failure.NOT_NULL),
    ("UNIQUE constraint failed: ", Failure.UNIQUE),
    ("FOREIGN KEY constraint failed", Failure.FOREIGN_KEY),
    ("datatype mismatch", Failure.INVALID_VALUE),
)

# "fkt1": written into the database header; readable without trusting anything else in the file.
APPLICATION_ID = 0x666B7431
_SIDE_FILES = ("-journal", "-wal", "-shm", "-fingerprint")


def install_begin_workaround(engine: Any) -> None:
    """Make SAVEPOINT and DDL take part in the surrounding transaction (pysqlite and aiosqlite)."""
    from sqlalchemy import event

    sync_engine = getattr(engine, "sync_engine", engine)

    @event.listens_for(sync_engine, "connect")
    def _no_driver_begin(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(sync_engine, "begin")
    def _emit_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def numbers_its_rows(column: Any) -> bool:
    """A single-column integer key SQLAlchemy expects the database to number on insert."""
    from sqlalchemy import Integer

    table = column.table
    return (
        column.primary_key
        and table.autoincrement_column is column
        and len(table.primary_key.columns) == 1
        and isinstance(column.type, Integer)
    )


@functools.cache
def _integer_key_compiler() -> type:
    from sqlalchemy.dialects.sqlite.base import SQLiteDDLCompiler

    class IntegerKeyDDLCompiler(SQLiteDDLCompiler):
        """SQLite numbers a key only when it is declared exactly `INTEGER PRIMARY KEY` (the
        rowid); `BIGINT` keys, the usual pattern elsewhere, would stay NULL and fail. SQLite's
        INTEGER holds 64 bits, so nothing is lost."""

        def get_column_specification(self, column: Any, **kwargs: Any) -> str:
            spec = super().get_column_specification(column, **kwargs)
            if not numbers_its_rows(column):
                return spec
            name = self.preparer.format_column(column)
            declared = self.dialect.type_compiler_instance.process(
                column.type, type_expression=column
            )
            prefix = f"{name} {declared}"
            if declared.upper() == "INTEGER" or not spec.startswith(prefix):
                return spec
            # a single-column key declared exactly INTEGER is the rowid, inline or not
            return f"{name} INTEGER" + spec[len(prefix) :]

    return IntegerKeyDDLCompiler


def install_integer_keys(engine: Any) -> None:
    """Create BIGINT/SMALLINT single-column keys as `INTEGER PRIMARY KEY` on this engine only.

    The models are left alone; the tables this engine creates number their rows the way
    `BigInteger().with_variant(Integer, "sqlite")` would have made them.
    """
    sync_engine = getattr(engine, "sync_engine", engine)
    if sync_engine.dialect.name == "sqlite":
        sync_engine.dialect.ddl_compiler = _integer_key_compiler()


def read_application_id(path: Path) -> int | None:
    """The header's application id, None when the file is missing or not SQLite."""
    try:
        with path.open("rb") as handle:
            header = handle.read(72)
    except FileNotFoundError:
        return None
    if len(header) < 72 or not header.startswith(b"SQLite format 3\x00"):
        return 0
    return int.from_bytes(header[68:72], "big")


class SQLiteServer(Server):
    """Test databases as files next to the user's database file (or in a temp directory)."""

    family = "sqlite"
    max_name_length = 200
    async_driver = "aiosqlite"

    def __init__(self, url: Any, directory: Path | None = None) -> None:
        super().__init__(url)
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            user_file = Path(database)
            self.directory = directory or user_file.resolve().parent
            self._stem, self._suffix = user_file.stem, user_file.suffix or ".sqlite3"
        else:
            if directory is None:
                raise ValueError("an in-memory SQLite URL needs a directory for test databases")
            self.directory = directory
            self._stem, self._suffix = "fixturekit", ".sqlite3"

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def base_name(self) -> str:
        return self._stem

    def path(self, name: str) -> Path:
        return self.directory / f"{name}{self._suffix}"

    def url_for(self, name: str) -> Any:
        return self.url.set(database=str(self.path(name)))

    def check(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def databases(self) -> list[str]:
        return sorted(p.name[: -len(self._suffix)] for p in self.directory.glob(f"*{self._suffix}"))

    def read_mark(self, name: str) -> str | None:
        app_id = read_application_id(self.path(name))
        if app_id is None:
            return None
        # The header has room for a number only: an owner cannot be recorded, so every marked
        # file reads as owned by this process (see docs: one run per SQLite file at a time).
        return Mark.here().render() if app_id == APPLICATION_ID else ""

    def create(self, name: str, mark: Mark) -> None:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path)
        try:
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.commit()
        finally:
            connection.close()

    def clone(self, template: str, name: str, mark: Mark) -> None:
        # The template is closed by the time it is cloned, so a byte copy is a consistent copy;
        # the application id travels with the header.
        shutil.copyfile(self.path(template), self.path(name))

    # The header has no room for a fingerprint: it goes in a file next to the database, written
    # once the template is complete and removed with it.
    def read_fingerprint(self, name: str) -> str | None:
        if read_application_id(self.path(name)) != APPLICATION_ID:
            return None
        side = Path(f"{self.path(name)}-fingerprint")
        if not side.is_file():
            return None
        return side.read_text().strip() or None

    def write_fingerprint(self, name: str, mark: Mark, fingerprint: str) -> None:
        side = Path(f"{self.path(name)}-fingerprint")
        partial = side.with_name(side.name + ".tmp")
        partial.write_text(fingerprint)
        partial.replace(side)

    @contextlib.contextmanager
    def exclusive(self, name: str, on_wait: Callable[[], None]) -> Iterator[None]:
        import fcntl

        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / f"{name}.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                on_wait()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _drop(self, name: str) -> None:
        path = self.path(name)
        for extra in ("", *_SIDE_FILES):
            Path(f"{path}{extra}").unlink(missing_ok=True)

    def engine_options(self, lock_timeout: float) -> dict[str, Any]:
        return {"connect_args": {"timeout": lock_timeout}}

    def prepare_engine(self, engine: Any, lock_timeout: float) -> None:
        install_begin_workaround(engine)
        install_integer_keys(engine)

    def clean_statements(self, tables: Sequence[TableRef]) -> list[str]:
        if not tables:
            return []
        # Foreign keys (when the application turns them on) must not stop the cleanup. The
        # pragma only affects fixturekit's own cleanup connection and is a no-op inside a
        # transaction; cleanup runs in autocommit mode.
        return [
            "PRAGMA foreign_keys = OFF",
            *(f"DELETE FROM {self.qualified(t)}" for t in tables),
        ]

    def probe_options(self) -> list[str]:
        return ["PRAGMA busy_timeout = 200"]

    def is_lock_timeout(self, exc: BaseException) -> bool:
        orig = getattr(exc, "orig", exc)
        return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)

    def describe_error(self, exc: BaseException) -> DatabaseError:
        message = first_line(exc)
        for prefix, failure in _SQLITE_FAILURES:
            if not message.startswith(prefix):
                continue
            rest = message[len(prefix) :].strip()
            if failure is Failure.CHECK:
                # the constraint's name, or (unnamed) its expression
                return DatabaseError(failure, message, constraint=rest or None)
            if failure in (Failure.NOT_NULL, Failure.UNIQUE):
                pairs = [item.strip().rpartition(".") for item in rest.split(",")]
                table = pairs[0][0] if pairs and pairs[0][0] else None
                return DatabaseError(
                    failure, message, table=table, columns=tuple(p[2] for p in pairs if p[2])
                )
            return DatabaseError(failure, message)
        return DatabaseError(Failure.OTHER, message)
