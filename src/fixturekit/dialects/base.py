"""What fixturekit needs from a database server, independent of its dialect.

A `Server` is administrative access to one server (or, for SQLite, one directory): it creates,
clones, marks and drops databases, and knows the dialect's quirks for engines made on them.
Everything that writes a database name into SQL goes through `quote` of the concrete server, and
nothing is dropped without first reading back fixturekit's mark.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fixturekit.dialects.errors import DatabaseError, Failure, first_line
from fixturekit.errors import UnsafeDatabase

MARK_PREFIX = "fixturekit test database"
_MARK_RE = re.compile(
    re.escape(MARK_PREFIX) + r"; owner=(?P<host>[^:;]*):(?P<pid>\d+); created=(?P<created>[^;]*)"
)
# A kept template's mark ends with the fingerprint of what built it, written once it is complete.
_KEPT_RE = re.compile(r"; kept=(?P<fingerprint>[0-9a-f]+)")


def _safe(text: str) -> str:
    """Keep a mark free of quotes and separators so it can be written as a plain SQL literal."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", text)


@dataclass(frozen=True)
class Mark:
    """Written on every database fixturekit creates; the proof required before dropping one."""

    host: str
    pid: int
    created: str

    @classmethod
    def here(cls) -> Mark:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return cls(host=_safe(socket.gethostname()), pid=os.getpid(), created=now)

    def render(self) -> str:
        return f"{MARK_PREFIX}; owner={self.host}:{self.pid}; created={self.created}"

    @classmethod
    def parse(cls, text: str | None) -> Mark | None:
        match = _MARK_RE.search(text or "")
        if not match:
            return None
        return cls(match["host"], int(match["pid"]), match["created"])

    def owner_alive(self) -> bool:
        """Whether the process that created the database may still be using it.

        A database marked on another host is assumed alive: its owner cannot be checked from here.
        """
        if self.host != _safe(socket.gethostname()):
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # exists, owned by another user
            return True
        return True


@dataclass(frozen=True)
class TableRef:
    """A table as the leak check and cleanup address it: optional schema plus name."""

    name: str
    schema: str | None = None

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


class Server(ABC):
    """Administrative access to one database server for the lifetime of a test run."""

    #: short dialect family name: postgresql, mysql, sqlite
    family: str = ""
    #: longest database name the server keeps without truncating it
    max_name_length: int = 63
    #: async driver name for `async_db_session`, None when none is supported
    async_driver: str | None = None

    def __init__(self, url: Any) -> None:
        self.url = url
        #: seconds a statement may wait for a lock in the databases this server creates
        self.lock_timeout: float | None = None

    # --- naming -------------------------------------------------------------------------
    @abstractmethod
    def quote(self, name: str) -> str:
        """The identifier quoted for this dialect, whatever characters it contains."""

    @abstractmethod
    def url_for(self, name: str) -> Any:
        """The URL of database `name` on this server."""

    def base_name(self) -> str:
        """The name the user's URL points at; test databases are named after it."""
        return self.url.database or "fixturekit"

    # --- lifecycle ----------------------------------------------------------------------
    @abstractmethod
    def check(self) -> None:
        """Connect once; raise the driver's error when the server is unreachable or refuses us."""

    @abstractmethod
    def databases(self) -> list[str]:
        """Names of all databases on the server (files in the directory, for SQLite)."""

    @abstractmethod
    def read_mark(self, name: str) -> str | None:
        """The mark text stored on `name`, '' when it exists without a mark, None when absent."""

    @abstractmethod
    def create(self, name: str, mark: Mark) -> None:
        """Create an empty database and mark it."""

    @abstractmethod
    def clone(self, template: str, name: str, mark: Mark) -> None:
        """Create `name` as a copy of `template` (schema and rows) and mark it."""

    @abstractmethod
    def _drop(self, name: str) -> None:
        """Drop unconditionally; only `drop` may call this, after checking the mark."""

    def drop(self, name: str) -> None:
        """Drop a database fixturekit created; refuse anything without the mark."""
        text = self.read_mark(name)
        if text is None:
            return
        if Mark.parse(text) is None:
            raise UnsafeDatabase(
                f"Refusing to drop database {name!r}: it does not carry fixturekit's mark, so "
                "fixturekit did not create it.",
                hint="Rename or remove it yourself, or point fixturekit at another database name.",
            )
        self._drop(name)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release administrative connections."""

    # --- kept templates -----------------------------------------------------------------
    def read_fingerprint(self, name: str) -> str | None:
        """The fingerprint a complete kept template carries; None while building or absent."""
        match = _KEPT_RE.search(self.read_mark(name) or "")
        return match["fingerprint"] if match else None

    def write_fingerprint(self, name: str, mark: Mark, fingerprint: str) -> None:
        """Mark `name` as a complete kept template built from `fingerprint`; written last."""
        self.remark(name, f"{mark.render()}; kept={fingerprint}")

    def remark(self, name: str, text: str) -> None:
        """Replace the mark text of a database fixturekit created."""
        raise NotImplementedError(f"{self.family} cannot keep a template")

    @contextlib.contextmanager
    def exclusive(self, name: str, on_wait: Callable[[], None]) -> Iterator[None]:
        """Hold a server-wide lock named after `name` (concurrent runs, xdist workers).

        `on_wait` is called once when another holder makes us wait. The lock dies with the
        process that holds it, so a killed run never blocks the next.
        """
        raise NotImplementedError(f"{self.family} cannot lock a kept template")
        yield  # pragma: no cover

    @staticmethod
    def lock_key(name: str) -> int:
        """A signed 64-bit number for `name` (PostgreSQL advisory locks take one)."""
        return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)

    # --- engines on test databases ------------------------------------------------------
    def engine_options(self, lock_timeout: float) -> dict[str, Any]:
        """Keyword arguments for `create_engine` on a test database."""
        return {}

    def prepare_engine(self, engine: Any, lock_timeout: float) -> None:  # noqa: B027 - optional hook
        """Install the dialect's event hooks on an engine for a test database."""

    def snapshot_template(self, name: str) -> None:  # noqa: B027 - optional hook
        """Called once the template's schema is built, before any clone."""

    def nontransactional_tables(self, connection: Any) -> list[str]:
        """Tables that ignore transactions and savepoints (MyISAM and friends)."""
        return []

    def implicit_commit(self, statement: str) -> bool:
        """Whether the statement ends the surrounding transaction on this server."""
        return False

    def clean_statements(self, tables: Sequence[TableRef]) -> list[str]:
        """Statements, run in autocommit mode, that remove every row of `tables`."""
        return [f"DELETE FROM {self.qualified(t)}" for t in tables]

    #: bound values need a CAST to the column's type before a CHECK can compare them (psycopg
    #: sends text as "unknown", which PostgreSQL will not compare with a number)
    casts_bound_values = False

    #: the driver reads '%' as a placeholder even without parameters (psycopg, PyMySQL)
    percent_placeholders = False

    def raw(self, sql: str) -> str:
        """SQL text for `exec_driver_sql`: a literal '%' (in a name or a CHECK) doubled where the
        driver would otherwise take it for a placeholder."""
        return sql.replace("%", "%%") if self.percent_placeholders else sql

    def quick_clean_statements(self, tables: Sequence[TableRef]) -> list[str]:
        """A cheaper way to empty `tables` (given parents first), tried in one transaction
        before `clean_statements` when none of them holds template rows; [] for none."""
        return []

    def qualified(self, table: TableRef) -> str:
        if table.schema:
            return f"{self.quote(table.schema)}.{self.quote(table.name)}"
        return self.quote(table.name)

    def probe_options(self) -> list[str]:
        """Statements run once on the leak-probe connection (short lock waits)."""
        return []

    def lock_holders_sql(self) -> str | None:
        """A query, run on the test database, listing other sessions still in a transaction:
        rows of (session id, application, state, table, lock mode); None where unsupported."""
        return None

    def stray_sessions_sql(self, own: int | None) -> str | None:
        """A scalar subquery counting the other sessions of the test database inside a
        transaction, besides the probe's and `own` (the test's); folded into the leak probe so
        that the detailed lock-holder check runs only when there is one. None: unsupported."""
        return None

    def session_id(self, connection: Any) -> int | None:
        """The server's id of a SQLAlchemy connection's session, without a round trip."""
        return None

    def end_session_sql(self, session: int) -> str | None:
        """A statement that ends another session of the test database (its transaction rolls
        back, its locks go); None where unsupported."""
        return None

    def is_lock_timeout(self, exc: BaseException) -> bool:
        """Whether an exception raised in a test is this server's lock-wait timeout."""
        return False

    def describe_error(self, exc: BaseException) -> DatabaseError:
        """What a failed INSERT says: failure kind, constraint, table and column when named."""
        return DatabaseError(Failure.OTHER, first_line(exc))
