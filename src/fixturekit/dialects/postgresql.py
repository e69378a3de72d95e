"""PostgreSQL: template clones, database comments as the mark, per-database lock timeout."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fixturekit.dialects.appname import connect_args
from fixturekit.dialects.base import Mark, Server, TableRef
from fixturekit.dialects.errors import (
    SQLSTATE_FAILURES,
    DatabaseError,
    Failure,
    driver_error,
    first_line,
)

_KEY_COLUMNS = re.compile(r"^Key \((?P<columns>[^)]*)\)=")
_TYPE_NAMED = re.compile(r"(?:for type|type) (?P<type>[\w ]+?)(?:\(|:|$| out of range)")

# Databases that always exist; used to run CREATE/DROP DATABASE without touching the user's one.
MAINTENANCE_DATABASES = ("postgres", "template1")

# SQLSTATE of "canceling statement due to lock timeout".
LOCK_NOT_AVAILABLE = "55P03"


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class PostgresServer(Server):
    family = "postgresql"
    percent_placeholders = True
    casts_bound_values = True
    max_name_length = 63  # NAMEDATALEN - 1; longer names are silently truncated by the server
    async_driver = "asyncpg"

    def __init__(self, url: Any) -> None:
        super().__init__(url)
        self._admin: Any = None
        self._version = 0

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def url_for(self, name: str) -> Any:
        return self.url.set(database=name)

    def base_name(self) -> str:
        # libpq's default database is the user's name; keep test databases recognisable anyway.
        return self.url.database or self.url.username or "postgres"

    def _admin_engine(self) -> Any:
        """An AUTOCOMMIT engine on a maintenance database (CREATE DATABASE refuses transactions)."""
        if self._admin is not None:
            return self._admin
        from sqlalchemy import create_engine
        from sqlalchemy.exc import OperationalError

        last_error: Exception | None = None
        candidates = [*MAINTENANCE_DATABASES, self.url.database]
        for database in dict.fromkeys(d for d in candidates if d):
            url = self.url.set(database=database)
            engine = create_engine(
                url, isolation_level="AUTOCOMMIT", pool_size=1, connect_args=connect_args(url)
            )
            try:
                with engine.connect() as conn:
                    self._version = conn.dialect.server_version_info[0]
            except OperationalError as exc:
                engine.dispose()
                last_error = exc
                # Only a missing database is worth another candidate; a refused connection or
                # bad password will fail the same way everywhere.
                if "does not exist" not in str(exc):
                    raise
                continue
            self._admin = engine
            return engine
        assert last_error is not None
        raise last_error

    def _execute(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        from sqlalchemy import text

        with self._admin_engine().connect() as conn:
            # Statements carrying names go to the driver as they are (text() would read a ':'
            # in a database name as a parameter); values always travel as parameters.
            if params is None:
                result = conn.exec_driver_sql(self.raw(sql))
            else:
                result = conn.execute(text(sql), params)
            return list(result) if result.returns_rows else []

    def check(self) -> None:
        self._admin_engine()

    def databases(self) -> list[str]:
        return [row[0] for row in self._execute("SELECT datname FROM pg_database")]

    def read_mark(self, name: str) -> str | None:
        rows = self._execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname = :name",
            {"name": name},
        )
        return rows[0][0] if rows else None

    def _mark(self, name: str, mark: Mark) -> None:
        statements = [f"COMMENT ON DATABASE {self.quote(name)} IS {sql_literal(mark.render())}"]
        if self.lock_timeout:
            # A database-level default reaches every connection to the test database,
            # including those the application under test opens with its own engine.
            millis = max(1, int(self.lock_timeout * 1000))
            statements.append(f"ALTER DATABASE {self.quote(name)} SET lock_timeout = {millis}")
        # One transaction, so one WAL flush for both: this is on the path of every clone.
        self._execute("BEGIN; " + "; ".join(statements) + "; COMMIT")

    def remark(self, name: str, text: str) -> None:
        self._execute(f"COMMENT ON DATABASE {self.quote(name)} IS {sql_literal(text)}")

    @contextlib.contextmanager
    def exclusive(self, name: str, on_wait: Callable[[], None]) -> Iterator[None]:
        from sqlalchemy import text

        key = self.lock_key(f"fixturekit:{name}")
        # A connection of its own: a session-level advisory lock lives as long as it does.
        with self._admin_engine().connect() as conn:
            if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                on_wait()
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})

    def create(self, name: str, mark: Mark) -> None:
        self._execute(f"CREATE DATABASE {self.quote(name)}")
        self._mark(name, mark)

    def clone(self, template: str, name: str, mark: Mark) -> None:
        # Comments live in a shared catalog and are not copied with the template: mark again.
        self._execute(f"CREATE DATABASE {self.quote(name)} TEMPLATE {self.quote(template)}")
        self._mark(name, mark)

    def _drop(self, name: str) -> None:
        self._admin_engine()
        if self._version >= 13:
            self._execute(f"DROP DATABASE IF EXISTS {self.quote(name)} WITH (FORCE)")
            return
        self._execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()",
            {"name": name},
        )
        self._execute(f"DROP DATABASE IF EXISTS {self.quote(name)}")

    def close(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None

    def clean_statements(self, tables: Sequence[TableRef]) -> list[str]:
        if not tables:
            return []
        # CASCADE empties tables that reference these too; the caller re-checks every table
        # afterwards and restores rows the template had.
        names = ", ".join(self.qualified(t) for t in tables)
        return [f"TRUNCATE {names} CASCADE"]

    def snapshot_template(self, name: str) -> None:
        # CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template; an
        # autovacuum worker looking at the freshly built tables is enough. A database that
        # allows no connections is left alone by autovacuum (short of wraparound) and by tools.
        self._execute(f"ALTER DATABASE {self.quote(name)} WITH ALLOW_CONNECTIONS false")

    def quick_clean_statements(self, tables: Sequence[TableRef]) -> list[str]:
        # For the few rows a test leaves, DELETE (children first) is several times faster than
        # TRUNCATE, which swaps in new files and syncs them at commit. A foreign key the
        # order does not cover makes it fail, and the TRUNCATE ... CASCADE path takes over.
        return [f"DELETE FROM {self.qualified(t)}" for t in reversed(tables)]

    def probe_options(self) -> list[str]:
        # The probe must not wait behind a test that holds an exclusive lock (DDL, LOCK TABLE);
        # on timeout the check is retried after the test's transaction is rolled back.
        return ["SET lock_timeout = 200"]

    def lock_holders_sql(self) -> str | None:
        # Client sessions of this database inside a transaction, with the tables they lock
        # (catalogs and indexes left out: the table is what a person recognises).
        return (
            "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
            "CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname "
            "END, l.mode "
            "FROM pg_stat_activity a "
            "LEFT JOIN pg_locks l ON l.pid = a.pid AND l.granted AND l.locktype = 'relation' "
            "LEFT JOIN pg_class c ON c.oid = l.relation AND c.relkind IN ('r', 'p', 'm', 'v') "
            "LEFT JOIN pg_namespace n ON n.oid = c.relnamespace "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() "
            "AND a.backend_type = 'client backend' AND a.xact_start IS NOT NULL "
            "ORDER BY a.pid, 4, 5"
        )

    def stray_sessions_sql(self, own: int | None) -> str | None:
        mine = f" AND pid <> {int(own)}" if own is not None else ""
        return (
            "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            f"AND pid <> pg_backend_pid(){mine} AND backend_type = 'client backend' "
            "AND xact_start IS NOT NULL)"
        )

    def session_id(self, connection: Any) -> int | None:
        try:
            raw = connection.connection.dbapi_connection
        except Exception:  # an async connection, or one already closed: check at teardown
            return None
        info = getattr(raw, "info", None)  # psycopg 3
        if info is not None and isinstance(getattr(info, "backend_pid", None), int):
            return info.backend_pid
        get_pid = getattr(raw, "get_backend_pid", None)  # psycopg2
        return get_pid() if callable(get_pid) else None

    def end_session_sql(self, session: int) -> str | None:
        return f"SELECT pg_terminate_backend({int(session)})"

    def is_lock_timeout(self, exc: BaseException) -> bool:
        orig = getattr(exc, "orig", exc)
        return getattr(orig, "sqlstate", None) == LOCK_NOT_AVAILABLE

    def describe_error(self, exc: BaseException) -> DatabaseError:
        orig = driver_error(exc)
        sqlstate = getattr(orig, "sqlstate", None)
        diag = getattr(orig, "diag", None)
        failure = SQLSTATE_FAILURES.get(sqlstate or "", Failure.OTHER)
        if diag is None:
            return DatabaseError(failure, first_line(exc), sqlstate)
        columns: tuple[str, ...] = (diag.column_name,) if diag.column_name else ()
        key = _KEY_COLUMNS.match(diag.message_detail or "")
        if key and not columns:
            columns = tuple(c.strip().strip('"') for c in key["columns"].split(","))
        message = diag.message_primary or first_line(exc)
        named = _TYPE_NAMED.search(message) if failure is not Failure.CHECK else None
        return DatabaseError(
            failure,
            message,
            sqlstate,
            constraint=diag.constraint_name,
            table=diag.table_name,
            columns=columns,
            type_name=named["type"].strip() if named else None,
        )
