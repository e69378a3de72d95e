"""MariaDB and MySQL: no template databases, implicit commits on DDL, non-transactional engines.

Cloning replays the template's `SHOW CREATE TABLE` output (captured once) and copies any rows the
template holds, which is how a fresh database is made without re-running migrations.
MariaDB keeps the mark in the database comment (10.5+); MySQL has no database comments, so the
mark goes in a one-row table that the leak check and cleanup never look at.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fixturekit.dialects.appname import connect_args
from fixturekit.dialects.base import Mark, Server, TableRef
from fixturekit.dialects.errors import DatabaseError, Failure, driver_error, first_line

# MySQL and MariaDB error numbers -> failure kind
_ERRNO_FAILURES = {
    3819: Failure.CHECK,  # MySQL: Check constraint 'x' is violated.
    4025: Failure.CHECK,  # MariaDB: CONSTRAINT `x` failed for `db`.`t`
    1048: Failure.NOT_NULL,  # Column 'x' cannot be null
    1364: Failure.NOT_NULL,  # Field 'x' doesn't have a default value
    1062: Failure.UNIQUE,  # Duplicate entry 'v' for key 'name'
    1452: Failure.FOREIGN_KEY,
    1406: Failure.TOO_LONG,  # Data too long for column 'x' at row 1
    1264: Failure.OUT_OF_RANGE,  # Out of range value for column 'x' at row 1
    1265: Failure.INVALID_VALUE,  # Data truncated for column 'x'
    1292: Failure.INVALID_VALUE,  # Incorrect date value: 'v' for column `db`.`t`.`x`
    1366: Failure.INVALID_VALUE,  # Incorrect integer value: 'v' for column 'x'
    1367: Failure.INVALID_VALUE,
    4078: Failure.INVALID_VALUE,  # Illegal parameter data types
}
_QUOTED = r"[`'](?P<{}>(?:[^`']|``)+)[`']"
_CONSTRAINT = re.compile(r"(?:constraint|CONSTRAINT|for key) " + _QUOTED.format("name"))
_COLUMN = re.compile(r"(?:column|Column|Field) (?:[`'][^`']+[`']\.)*" + _QUOTED.format("name"))
_TABLE = re.compile(r"failed for [`'][^`']+[`']\." + _QUOTED.format("name"))
_TYPE = re.compile(r"Incorrect (?P<type>\w+) value")

MARK_TABLE = "fixturekit_mark"

# Seconds to wait for another run building the kept template (GET_LOCK needs a limit).
BUILD_WAIT = 3600

# Error 1205: "Lock wait timeout exceeded; try restarting transaction".
LOCK_WAIT_TIMEOUT = 1205

# Statements after which MySQL commits the open transaction on its own (temporary tables are
# the exception). Savepoint isolation cannot survive them.
_IMPLICIT_COMMIT = re.compile(
    r"^\s*(?:"
    r"(?:CREATE|DROP)\s+(?!TEMPORARY\b)"
    r"|ALTER\s|TRUNCATE\s|RENAME\s|LOCK\s+TABLES?\b|UNLOCK\s+TABLES?\b"
    r"|BEGIN\b|START\s+TRANSACTION\b|GRANT\s|REVOKE\s|ANALYZE\s|OPTIMIZE\s|REPAIR\s"
    r"|LOAD\s+DATA\b|SET\s+(?:@@(?:SESSION\.)?)?autocommit\s*=\s*(?:1|ON)\b"
    r")",
    re.IGNORECASE,
)


def sql_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


class MySQLServer(Server):
    family = "mysql"
    percent_placeholders = True
    max_name_length = 64
    async_driver = "aiomysql"

    def __init__(self, url: Any) -> None:
        super().__init__(url)
        self._admin: Any = None
        self._is_mariadb = False
        self._ddl: list[str] = []  # CREATE TABLE statements of the template
        self._filled: list[str] = []  # template tables holding rows

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def url_for(self, name: str) -> Any:
        return self.url.set(database=name)

    def _admin_engine(self) -> Any:
        if self._admin is None:
            from sqlalchemy import create_engine
            from sqlalchemy.engine import URL

            # No database in the URL: the user's one may not exist yet, and is never touched.
            # (URL.set() ignores None, so the URL is rebuilt.)
            url = self.url
            server_url = URL.create(
                url.drivername, url.username, url.password, url.host, url.port, None, url.query
            )
            engine = create_engine(
                server_url,
                isolation_level="AUTOCOMMIT",
                pool_size=1,
                connect_args=connect_args(server_url),
            )
            with engine.connect() as conn:
                version = conn.exec_driver_sql("SELECT VERSION()").scalar() or ""
            self._is_mariadb = "mariadb" in version.lower()
            numbers = [int(n) for n in re.findall(r"\d+", version)[:2]] or [0, 0]
            self._comment_marks = self._is_mariadb and tuple(numbers) >= (10, 5)
            self._admin = engine
        return self._admin

    def _execute(self, *statements: str, params: dict[str, Any] | None = None) -> list[Any]:
        from sqlalchemy import text

        rows: list[Any] = []
        with self._admin_engine().connect() as conn:
            for sql in statements:
                # As in the PostgreSQL server: names inline, values as parameters.
                if params is None:
                    result = conn.exec_driver_sql(self.raw(sql))
                else:
                    result = conn.execute(text(sql), params)
                if result.returns_rows:
                    rows = list(result)
        return rows

    def check(self) -> None:
        self._admin_engine()

    def databases(self) -> list[str]:
        return [r[0] for r in self._execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")]

    def read_mark(self, name: str) -> str | None:
        self._admin_engine()
        if self._comment_marks:
            rows = self._execute(
                "SELECT COALESCE(SCHEMA_COMMENT, '') FROM information_schema.SCHEMATA "
                "WHERE SCHEMA_NAME = :name",
                params={"name": name},
            )
            return rows[0][0] if rows else None
        if not self._execute(
            "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :name",
            params={"name": name},
        ):
            return None
        has_table = self._execute(
            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = :name "
            "AND TABLE_NAME = :table",
            params={"name": name, "table": MARK_TABLE},
        )
        if not has_table:
            return ""
        rows = self._execute(f"SELECT mark FROM {self.quote(name)}.{self.quote(MARK_TABLE)}")
        return rows[0][0] if rows else ""

    def _create_marked(self, name: str, mark: Mark) -> None:
        self._admin_engine()
        quoted = self.quote(name)
        if self._comment_marks:
            self._execute(
                f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4 "
                f"COMMENT {sql_literal(mark.render())}"
            )
            return
        self._execute(
            f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4",
            f"CREATE TABLE {quoted}.{self.quote(MARK_TABLE)} (mark VARCHAR(255) NOT NULL)",
            f"INSERT INTO {quoted}.{self.quote(MARK_TABLE)} VALUES ({sql_literal(mark.render())})",
        )

    def create(self, name: str, mark: Mark) -> None:
        self._create_marked(name, mark)

    def remark(self, name: str, text: str) -> None:
        self._admin_engine()
        quoted = self.quote(name)
        if self._comment_marks:
            self._execute(f"ALTER DATABASE {quoted} COMMENT {sql_literal(text)}")
        else:
            table = f"{quoted}.{self.quote(MARK_TABLE)}"
            self._execute(f"UPDATE {table} SET mark = {sql_literal(text)}")

    @contextlib.contextmanager
    def exclusive(self, name: str, on_wait: Callable[[], None]) -> Iterator[None]:
        import hashlib

        from sqlalchemy import text

        # GET_LOCK names are limited to 64 characters: a digest of the database name.
        lock = "fixturekit:" + hashlib.sha256(name.encode()).hexdigest()[:40]
        with self._admin_engine().connect() as conn:
            if not conn.execute(text("SELECT GET_LOCK(:n, 0)"), {"n": lock}).scalar():
                on_wait()
                got = conn.execute(text("SELECT GET_LOCK(:n, :t)"), {"n": lock, "t": BUILD_WAIT})
                if not got.scalar():
                    raise TimeoutError(
                        f"waited {BUILD_WAIT}s for another run to finish building {name!r}"
                    )
            try:
                yield
            finally:
                conn.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": lock})

    def snapshot_template(self, name: str) -> None:
        quoted = self.quote(name)
        tables = [
            row[0]
            for row in self._execute(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = :name "
                "AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> :mark ORDER BY TABLE_NAME",
                params={"name": name, "mark": MARK_TABLE},
            )
        ]
        self._ddl = [
            self._execute(f"SHOW CREATE TABLE {quoted}.{self.quote(t)}")[0][1] for t in tables
        ]
        self._filled = []
        if tables:
            probe = ", ".join(f"EXISTS (SELECT 1 FROM {quoted}.{self.quote(t)})" for t in tables)
            flags = self._execute(f"SELECT {probe}")[0]
            self._filled = [t for t, flag in zip(tables, flags, strict=True) if flag]

    def clone(self, template: str, name: str, mark: Mark) -> None:
        from sqlalchemy import create_engine

        self._create_marked(name, mark)
        url = self.url_for(name)
        engine = create_engine(
            url, isolation_level="AUTOCOMMIT", pool_size=1, connect_args=connect_args(url)
        )
        try:
            with engine.connect() as conn:
                # Tables come in name order; foreign keys to tables not created yet are fine
                # with the checks off, and the template already satisfied them.
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
                for ddl in self._ddl:
                    conn.exec_driver_sql(self.raw(ddl))
                for table in self._filled:
                    conn.exec_driver_sql(
                        self.raw(
                            f"INSERT INTO {self.quote(table)} "
                            f"SELECT * FROM {self.quote(template)}.{self.quote(table)}"
                        )
                    )
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
        finally:
            engine.dispose()

    def _drop(self, name: str) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {self.quote(name)}")

    def close(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None

    def prepare_engine(self, engine: Any, lock_timeout: float) -> None:
        from sqlalchemy import event

        seconds = max(1, math.ceil(lock_timeout))  # both variables take whole seconds

        @event.listens_for(engine, "connect")
        def _lock_timeouts(dbapi_connection: Any, record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(
                    f"SET SESSION innodb_lock_wait_timeout = {seconds}, "
                    f"lock_wait_timeout = {seconds}"
                )

    def nontransactional_tables(self, connection: Any) -> list[str]:
        rows = connection.exec_driver_sql(
            "SELECT t.TABLE_NAME, t.ENGINE FROM information_schema.TABLES t "
            "JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE "
            "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' "
            f"AND t.TABLE_NAME <> '{MARK_TABLE}' AND COALESCE(e.TRANSACTIONS, 'NO') <> 'YES' "
            "ORDER BY t.TABLE_NAME"
        )
        return [f"{name} ({engine})" for name, engine in rows]

    def implicit_commit(self, statement: str) -> bool:
        return bool(_IMPLICIT_COMMIT.match(statement))

    def clean_statements(self, tables: Sequence[TableRef]) -> list[str]:
        if not tables:
            return []
        # DELETE rather than TRUNCATE: cheaper for the few rows a test leaves, and like a
        # rolled-back transaction it leaves AUTO_INCREMENT counters where they were.
        return [
            "SET FOREIGN_KEY_CHECKS = 0",
            *(f"DELETE FROM {self.qualified(t)}" for t in tables),
            "SET FOREIGN_KEY_CHECKS = 1",
        ]

    def probe_options(self) -> list[str]:
        return ["SET SESSION lock_wait_timeout = 1, innodb_lock_wait_timeout = 1"]

    def is_lock_timeout(self, exc: BaseException) -> bool:
        orig = getattr(exc, "orig", exc)
        args = getattr(orig, "args", ())
        return bool(args) and args[0] == LOCK_WAIT_TIMEOUT

    def describe_error(self, exc: BaseException) -> DatabaseError:
        orig = driver_error(exc)
        args = getattr(orig, "args", ())
        errno = args[0] if args and isinstance(args[0], int) else None
        message = str(args[1]) if len(args) > 1 else first_line(exc)
        failure = _ERRNO_FAILURES.get(errno or 0, Failure.OTHER)
        constraint = _CONSTRAINT.search(message)
        column = _COLUMN.search(message)
        table = _TABLE.search(message)
        named = _TYPE.search(message)
        name = constraint["name"] if constraint else None
        if name is not None and "." in name and failure is Failure.UNIQUE:
            name = name.rsplit(".", 1)[1]  # MySQL 8 writes 'table.index'
        return DatabaseError(
            failure,
            message,
            str(errno) if errno is not None else None,
            constraint=name,
            table=table["name"] if table else None,
            columns=(column["name"],) if column else (),
            type_name=named["type"] if named else None,
        )
