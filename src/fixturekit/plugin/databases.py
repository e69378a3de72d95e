"""Test database lifecycle: name, mark, build once as a template, clone, drop, clean up orphans.

For one run (one xdist worker) the databases are, next to the user's database `app`:
`app_test[_gwN]_tpl` (schema built once), `app_test[_gwN]` (cloned from it, behind `db_engine`)
and `app_test[_gwN]_fK` (fresh databases, cloned on demand). A second run on the same server
while the first is alive takes `app_test_2[_gwN]...`, and so on. Every one carries
fixturekit's mark; the user's own database is only ever connected to, never written, and
nothing unmarked is dropped.

The naming scheme and the janitor that drops dead runs' databases are in
fixturekit.plugin.database_names; what the template holds, read once it is built, in
fixturekit.plugin.template_layout.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fixturekit.dialects import Mark, Server, TableRef
from fixturekit.errors import UnsafeDatabase
from fixturekit.plugin.database_names import drop_leftovers, test_database_names
from fixturekit.plugin.leaks import LeakProbe
from fixturekit.plugin.template_layout import SNAPSHOT_ROW_LIMIT, Layout, read_layout

# The manager and what it hands out, and the names other modules import from here that now
# live in database_names and template_layout.
__all__ = [
    "MAX_CONCURRENT_RUNS",
    "SNAPSHOT_ROW_LIMIT",
    "DatabaseManager",
    "FreshDatabase",
    "KeptTemplate",
    "Layout",
    "RestoreDeferred",
    "test_database_names",
]

_CLONE_RETRIES = 20  # "source database is being accessed by other users" clears quickly
# Test runs that may share one server and URL at once (CI jobs on one database server).
MAX_CONCURRENT_RUNS = 99


class RestoreDeferred(Exception):
    """The test database could not be cleaned while shared data holds a transaction on it."""

    def __init__(self, tables: list[TableRef]) -> None:
        super().__init__(", ".join(t.display for t in tables))
        self.tables = tables


@dataclass(frozen=True)
class KeptTemplate:
    """A template kept across runs: reused while `fingerprint` matches what built it."""

    fingerprint: str
    rebuild: bool = False  # --fixturekit-rebuild
    tables: tuple[TableRef, ...] = ()  # the models' tables (those outside the default schema)


@dataclass
class FreshDatabase:
    """A brand-new database cloned from the template, yours alone until dropped."""

    name: str
    url: Any
    engine: Any  # sqlalchemy Engine; real commits are fine here

    def __repr__(self) -> str:
        return f"FreshDatabase({self.name!r}, {self.url.render_as_string(hide_password=True)})"


class DatabaseManager:
    """Owns every database fixturekit creates in this process, and drops them at the end."""

    def __init__(
        self,
        server: Server,
        *,
        worker: str | None,
        lock_timeout: float,
        build_schema: Callable[[Any], Iterable[TableRef]],
        notice: Callable[[str], None],
        kept: KeptTemplate | None = None,
    ) -> None:
        self.server = server
        self.kept = kept
        self.kept_status = ""  # "built" or "reused" once provisioned from a kept template
        self.lock_timeout = lock_timeout
        server.lock_timeout = lock_timeout
        self._build_schema = build_schema
        self._notice = notice
        self.prefix, self.base = test_database_names(server, worker)
        self.worker = worker
        self.kept_name = f"{self.prefix}_kept"  # shared by every run on the server
        self._use_slot(1)
        self.mark = Mark.here()
        self.created: list[str] = []
        self.engine: Any = None
        self.layout = Layout()
        self.probe: LeakProbe | None = None
        # Sessions (backend ids) that legitimately stay inside a transaction across tests, such
        # as the connection of data shared by a module: the lock-holder check leaves them alone.
        self.shared_sessions: set[int] = set()
        self._fresh_counter = 0
        self._fresh_engines: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._template_lock = threading.Lock()
        self._template_ready = True
        self._worker: ThreadPoolExecutor | None = None
        self._spare: Future[str | None] | None = None
        self._background_errors: list[str] = []
        self.implicit_commit_hook: Callable[[Any, str], None] | None = None

    # --- provisioning -------------------------------------------------------------------
    def _use_slot(self, slot: int) -> None:
        """Run slot 1 is `app_test`; concurrent runs on the same server take `app_test_2`..."""
        run_prefix = self.prefix if slot == 1 else f"{self.prefix}_{slot}"
        self.base = f"{run_prefix}_{self.worker}" if self.worker else run_prefix
        self.template = f"{self.base}_tpl"
        self.name = self.base

    def _claim(self) -> None:
        """Create this run's template under the first run slot no live run holds.

        Two runs may look at the same slot at once: CREATE DATABASE lets only one of them have
        it, and the other, finding the template marked by someone else, moves on."""
        for slot in range(1, MAX_CONCURRENT_RUNS + 1):
            self._use_slot(slot)
            if self._janitor():
                continue
            try:
                self._create(self.template, clone_from=None)
                return
            except Exception:
                # The name was free when the janitor looked (an unmarked database of this name
                # stops the run there): if it exists now, another run created it in between,
                # perhaps not marked yet. Anything else is a real failure.
                text = self.server.read_mark(self.template)
                if text is None or Mark.parse(text) == self.mark:
                    raise
                with self._lock:  # another run's database now: never ours to drop
                    self.created.remove(self.template)
        raise UnsafeDatabase(
            f"{MAX_CONCURRENT_RUNS} test runs already use {self.prefix} on this server.",
            hint="Wait for some of them to finish, or point this run at another database name.",
        )

    def _free_slot(self) -> None:
        """The first run slot no live run holds (a kept template's run creates its test
        database from the kept one, so there is no template of its own to claim the slot)."""
        for slot in range(1, MAX_CONCURRENT_RUNS + 1):
            self._use_slot(slot)
            if not self._janitor():
                return
        raise UnsafeDatabase(
            f"{MAX_CONCURRENT_RUNS} test runs already use {self.prefix} on this server.",
            hint="Wait for some of them to finish, or point this run at another database name.",
        )

    def provision(self) -> None:
        self.server.check()
        if self.kept is not None:
            self._free_slot()
            self._template_ready = False  # cloned from the kept one on first need
            self._clone_from_kept(self.kept)
            self.engine = self._engine(self.name)
            self.layout = read_layout(self.engine, self.server, list(self.kept.tables))
        else:
            self._claim()
            template_engine = self._engine(self.template)
            try:
                extra_tables = list(self._build_schema(template_engine))
                self.layout = read_layout(template_engine, self.server, extra_tables)
            finally:
                template_engine.dispose()
            self.server.snapshot_template(self.template)
            self._create(self.name, clone_from=self.template)
            self.engine = self._engine(self.name)
        with self.engine.connect() as conn:
            self.layout.nontransactional = self.server.nontransactional_tables(conn)
        self.probe = LeakProbe(self.server, self.server.url_for(self.name), self.layout)

    def _waiting(self) -> None:
        self._notice(
            f"fixturekit: waiting for another run building the template {self.kept_name!r}."
        )

    def _clone_from_kept(self, kept: KeptTemplate) -> None:
        """Build the kept template unless a complete one with our fingerprint exists, then
        clone the test database from it.

        Everything happens under a server-wide lock: concurrent runs (and xdist workers) wait
        for the one building instead of building it again, and nobody clones a half-built one.
        The fingerprint is written last, so an interrupted build is never reused.
        """
        name = self.kept_name
        with self.server.exclusive(name, self._waiting):
            text = self.server.read_mark(name)
            if text is not None and Mark.parse(text) is None:
                raise UnsafeDatabase(
                    f"Database {name!r} exists and was not created by fixturekit; refusing to "
                    "use or replace it as the kept template.",
                    hint="Drop or rename it yourself, or turn fixturekit_keep_template off.",
                )
            found = self.server.read_fingerprint(name) if text is not None else None
            if found == kept.fingerprint and not kept.rebuild:
                self.kept_status = "reused"
            else:
                if text is not None:
                    self.server.drop(name)
                self._build_kept(name)
                why = (
                    "--fixturekit-rebuild"
                    if kept.rebuild
                    else "none was kept"
                    if text is None
                    else "the schema, migrations or options changed"
                    if found
                    else "the last build did not finish"
                )
                self._notice(
                    f"fixturekit: built the kept template {name!r} ({why}); later runs with "
                    "the same fingerprint reuse it."
                )
                self.kept_status = "built"
            self.server.snapshot_template(name)
            self._create(self.name, clone_from=name)

    def _ensure_template(self) -> None:
        """This run's own template, made on first need (fresh databases, recreating the test
        database): cloned from the kept one under the lock, so that a rebuild by another run
        cannot change it under us; built from scratch if another run has replaced the kept
        template with another schema meanwhile."""
        if self._template_ready:
            return
        with self._template_lock:
            if self._template_ready:
                return
            assert self.kept is not None
            with self.server.exclusive(self.kept_name, self._waiting):
                cloned = self.server.read_fingerprint(self.kept_name) == self.kept.fingerprint
                if cloned:
                    self.server.snapshot_template(self.kept_name)
                    self._create(self.template, clone_from=self.kept_name)
            if not cloned:
                self._create(self.template, clone_from=None)
                engine = self._engine(self.template)
                try:
                    list(self._build_schema(engine))
                finally:
                    engine.dispose()
            self.server.snapshot_template(self.template)
            self._template_ready = True

    def _build_kept(self, name: str) -> None:
        assert self.kept is not None
        self.server.create(name, self.mark)  # not in self.created: it outlives the run
        try:
            engine = self._engine(name)
            try:
                list(self._build_schema(engine))
            finally:
                engine.dispose()
            self.server.snapshot_template(name)
        except BaseException:
            # Without its fingerprint it would never be reused anyway; don't leave it around.
            with contextlib.suppress(Exception):  # else the next run drops it
                self.server.drop(name)
            raise
        self.server.write_fingerprint(name, self.mark, self.kept.fingerprint)

    def _janitor(self) -> bool:
        """Drop what dead runs left; True when a live run holds this slot's names."""
        return drop_leftovers(self.server, self.prefix, self.base, self.mark, self._notice)

    def _create(self, name: str, clone_from: str | None) -> None:
        # Tracked before it exists: a clone that fails half way (MariaDB replays DDL after
        # CREATE DATABASE) still leaves a marked database that close() must drop.
        with self._lock:
            self.created.append(name)
        if clone_from is None:
            self.server.create(name, self.mark)
        else:
            for attempt in range(_CLONE_RETRIES):
                try:
                    self.server.clone(clone_from, name, self.mark)
                    break
                except Exception as exc:
                    # Another session (autovacuum, a monitoring tool) briefly connected to the
                    # template; PostgreSQL refuses to copy a database in use.
                    if "being accessed by other users" not in str(exc) or (
                        attempt == _CLONE_RETRIES - 1
                    ):
                        raise
                    time.sleep(0.05)

    def _engine(self, name: str) -> Any:
        from sqlalchemy import create_engine, event

        from fixturekit.dialects.appname import connect_args

        url = self.server.url_for(name)
        options = self.server.engine_options(self.lock_timeout)
        options["connect_args"] = {**connect_args(url), **options.get("connect_args", {})}
        engine = create_engine(url, **options)
        self.server.prepare_engine(engine, self.lock_timeout)
        if self.server.implicit_commit("CREATE TABLE x"):

            @event.listens_for(engine, "before_cursor_execute")
            def _watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                if self.implicit_commit_hook is not None and self.server.implicit_commit(statement):
                    self.implicit_commit_hook(conn, statement)

        return engine

    # --- fresh databases ----------------------------------------------------------------
    # Once a fresh database has been asked for, the next one is cloned ahead of time on a
    # background thread (and used ones are dropped there): the test that asks for it gets it
    # without waiting for CREATE DATABASE, which on a busy durable server takes 100 ms or more.
    def fresh(self) -> FreshDatabase:
        self._ensure_template()
        name = self._take_spare() or self._clone_fresh()
        self._spare = self._background().submit(self._make_spare)
        engine = self._engine(name)
        self._fresh_engines[name] = engine
        return FreshDatabase(name=name, url=self.server.url_for(name), engine=engine)

    def _clone_fresh(self) -> str:
        with self._lock:
            self._fresh_counter += 1
            name = f"{self.base}_f{self._fresh_counter}"
        self._create(name, clone_from=self.template)
        return name

    def _background(self) -> ThreadPoolExecutor:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="fixturekit-fresh")
        return self._worker

    def _make_spare(self) -> str | None:
        try:
            return self._clone_fresh()
        except Exception:  # the next fresh() clones in the foreground, where errors surface
            return None

    def _take_spare(self) -> str | None:
        spare, self._spare = self._spare, None
        # Wait for the clone in flight rather than start a second one next to it.
        return spare.result() if spare is not None else None

    def drop_fresh(self, fresh: FreshDatabase) -> None:
        engine = self._fresh_engines.pop(fresh.name, None)
        if engine is not None:
            engine.dispose()
        self._background().submit(self._drop_quietly, fresh.name)

    def _drop_quietly(self, name: str) -> None:
        try:
            self.server.drop(name)
            with self._lock:
                if name in self.created:
                    self.created.remove(name)
        except Exception as exc:  # close() tries again and reports what it could not drop
            self._background_errors.append(f"dropping {name}: {exc}")

    # --- restoring a clean state --------------------------------------------------------
    def restore(self, *, may_recreate: bool = True) -> list[TableRef]:
        """Bring the test database back to the template's rows; return the tables that differed.

        Cleans the tables that differ from the template; if that fails (a leftover connection
        holds a lock, a table was altered) the database is recreated from the template. With
        `may_recreate=False` (a module's shared data holds a transaction open on it) that last
        step raises RestoreDeferred instead.
        """
        assert self.probe is not None
        dirty = self.probe.dirty()
        if not dirty:
            return []
        try:
            self.probe.clean(dirty)
            if not self.probe.dirty():
                return dirty
        except Exception:
            self.probe.reset()
        if not may_recreate:
            raise RestoreDeferred(dirty)
        self.recreate()
        return dirty

    def recreate(self) -> None:
        """Drop and re-clone the test database; `engine` stays the same object."""
        assert self.probe is not None
        self._ensure_template()
        self.probe.reset()
        self.engine.dispose()
        self.server.drop(self.name)
        self.created.remove(self.name)
        self._create(self.name, clone_from=self.template)

    # --- teardown -----------------------------------------------------------------------
    def close(self) -> None:
        """Dispose engines and drop every database this process created."""
        if self._worker is not None:
            # Let the clone or drop in flight finish: its database is then in `created`.
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker, self._spare = None, None
        errors: list[str] = list(self._background_errors)
        if self.probe is not None:
            self.probe.close()
        for engine in [self.engine, *self._fresh_engines.values()]:
            if engine is not None:
                engine.dispose()
        self._fresh_engines.clear()
        for name in reversed(self.created):
            try:
                self.server.drop(name)
            except Exception as exc:  # keep dropping the others
                errors.append(f"{name}: {exc}")
        self.created.clear()
        self.server.close()
        if errors:
            self._notice("fixturekit: could not drop " + "; ".join(errors))
