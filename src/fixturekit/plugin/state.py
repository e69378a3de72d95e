"""Per-process plugin state: settings, the provisioned databases, notices, and setup errors.

Nothing here connects anywhere until `provision()` runs, which happens only when a collected test
requests one of the plugin's database fixtures. A setup failure becomes one message that names
the setting to fix.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fixturekit.plugin.config import ENV_URL, Isolation, Settings

STATE_KEY = pytest.StashKey["FixturekitState"]()
WORKER_URL_KEY = "fixturekit_server_url"


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def describe_connect_error(exc: BaseException, shown: str, source: str) -> str:
    """One sentence: what went wrong connecting and which setting to change."""
    detail = _first_line(exc)
    lowered = str(getattr(exc, "orig", None) or exc).lower()
    if any(
        s in lowered
        for s in (
            "password authentication failed",
            "access denied",
            "no pg_hba.conf entry",
            'role "',
            "authentication failed",
        )
    ):
        return (
            f"fixturekit: the server at {shown} refused the credentials ({detail}). "
            f"Fix the user name or password in {source}."
        )
    return (
        f"fixturekit: cannot connect to {shown} ({source}): {detail}. Start the server or fix "
        "the URL, or run with --fixturekit-server=ephemeral to use a throwaway PostgreSQL."
    )


# Async drivers SQLAlchemy knows, and the sync driver to name instead.
ASYNC_DRIVERS = {
    "asyncpg": "psycopg",
    "psycopg_async": "psycopg",
    "aiosqlite": "pysqlite",
    "aiomysql": "pymysql",
    "asyncmy": "pymysql",
}


def refuse_async_url(url: Any, source: str) -> None:
    """The plugin builds and cleans databases through sync engines: an async URL is a mistake
    with a one-line fix, said as such instead of a greenlet traceback."""
    driver = url.get_driver_name()
    if driver not in ASYNC_DRIVERS:
        return
    backend = url.get_backend_name()
    sync = url.set(drivername=f"{backend}+{ASYNC_DRIVERS[driver]}")
    raise pytest.UsageError(
        f"fixturekit: {source} = {url.render_as_string(hide_password=True)} uses the async "
        f"driver {driver}; give the sync URL ({sync.render_as_string(hide_password=True)}). "
        "async_db_session derives the async URL from it by itself."
    )


class FixturekitState:
    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.worker: str | None = os.environ.get("PYTEST_XDIST_WORKER") or None
        self.notices: list[str] = []
        self.error: str | None = None
        self.manager: Any = None
        self.ephemeral: Any = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._factory_modules: list[ModuleType] | None = None
        self.auto_fresh = False  # savepoint/transaction replaced by fresh-db (MyISAM)
        self.current_scope: Any = None  # IsolationScope of the running test
        self.shared: Any = None  # shared.SharedData while a module's shared data is open
        # Leaked rows that could not be cleaned up under shared data (table -> committed rows),
        # removed when the module ends and not reported again until then.
        self.pending_leaks: dict[Any, int] = {}
        self.model_classes: list[type] = []  # the models' classes, once provisioned
        # For error messages: where the URL came from and how it prints (no password).
        self._source = settings.url_source or "the fixturekit URL"
        self._shown = ""
        self._connecting = False

    # --- notices ------------------------------------------------------------------------
    def notice(self, text: str) -> None:
        if text in self.notices:
            return
        self.notices.append(text)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and self.worker is None:
            reporter.ensure_newline()
            reporter.write_line(text, yellow=True)

    # --- factories ----------------------------------------------------------------------
    def factory_modules(self) -> list[ModuleType]:
        if self._factory_modules is None:
            from fixturekit.plugin.binding import load_factory_modules

            self._factory_modules = load_factory_modules(
                self.settings.factories,
                self.settings.rootdir,
                explicit=self.settings.factories_explicit,
            )
        return self._factory_modules

    def flask_extensions(self) -> list[Any]:
        """Flask-SQLAlchemy `db` objects of the models, whose `db.session` tests route."""
        from fixturekit.plugin.flask_db import extensions_of

        return extensions_of(self.model_classes)

    # --- provisioning -------------------------------------------------------------------
    def _target_url(self) -> tuple[Any, str]:
        from sqlalchemy.engine import make_url

        settings = self.settings
        worker_input = getattr(self.config, "workerinput", {})
        if settings.server == "ephemeral":
            if worker_input.get(WORKER_URL_KEY):
                return make_url(worker_input[WORKER_URL_KEY]), "--fixturekit-server=ephemeral"
            self.start_ephemeral()
            return self.ephemeral.url, "--fixturekit-server=ephemeral"
        if settings.url:
            return make_url(settings.url), settings.url_source
        self._tempdir = tempfile.TemporaryDirectory(prefix="fixturekit-")
        self.notice(
            "fixturekit: no database configured (--fixturekit-url, "
            f"{ENV_URL} or ini fixturekit_url); using a temporary SQLite file, which has "
            "dialect gaps."
        )
        return make_url("sqlite://"), "the default SQLite database"

    def start_ephemeral(self) -> None:
        if self.ephemeral is None:
            from fixturekit.plugin.ephemeral import EphemeralPostgres

            self.ephemeral = EphemeralPostgres.start(
                cache=self.settings.server_cache, notice=self.notice
            )

    def provision(self) -> None:
        """Create the databases once; on failure remember one message instead of raising."""
        if self.manager is not None or self.error is not None:
            return
        try:
            self._provision()
        except pytest.UsageError as exc:
            self.error = str(exc)
        except Exception as exc:
            self.error = self._explain(exc)
        if self.error is not None:
            self.close()

    def _explain(self, exc: Exception) -> str:
        from fixturekit.errors import FixturekitError, ModelsNotLoaded

        source, shown = self._source, self._shown
        if isinstance(exc, ModelsNotLoaded):
            where = (
                "--fixturekit-models / ini fixturekit_models"
                if self.settings.models
                else "the models of ini fixturekit_factories"
            )
            hint = f" {exc.hint}" if exc.hint else ""
            return f"fixturekit: {where} = {self.settings.models!r}: {exc.message}{hint}"
        if isinstance(exc, FixturekitError):
            hint = f" {exc.hint}" if exc.hint else ""
            return f"fixturekit: {exc.message}{hint} ({source} = {shown})"
        from sqlalchemy.exc import DBAPIError

        if isinstance(exc, DBAPIError) and self._connecting:
            return describe_connect_error(exc, shown, source)
        return f"fixturekit: setting up the test database on {shown} failed: " + (
            f"{type(exc).__name__}: {_first_line(exc)}"
        )

    def _provision(self) -> None:
        from fixturekit.dialects import server_for
        from fixturekit.dialects.appname import set_command
        from fixturekit.plugin.building import build_schema, models_for
        from fixturekit.plugin.databases import DatabaseManager

        set_command("test")
        settings = self.settings
        url, self._source = self._target_url()
        self._shown = url.render_as_string(hide_password=True)
        refuse_async_url(url, self._source)
        directory = Path(self._tempdir.name) if self._tempdir else None
        server = server_for(url, directory=directory)
        if settings.models:  # models first: loading them puts the project root on sys.path
            metadatas, self.model_classes = models_for(settings.models, [], settings.rootdir)
            self.model_classes += models_for(None, self.factory_modules(), settings.rootdir)[1]
        else:
            metadatas, self.model_classes = models_for(
                None, self.factory_modules(), settings.rootdir
            )

        def build(engine: Any) -> Any:
            return build_schema(engine, metadatas, settings.alembic, settings.rootdir)

        manager = DatabaseManager(
            server,
            worker=self.worker,
            lock_timeout=settings.lock_timeout,
            build_schema=build,
            notice=self.notice,
            kept=self._kept_template(url, server, metadatas),
        )
        self._connecting = True
        server.check()
        self._connecting = False
        self.manager = manager
        manager.implicit_commit_hook = self._implicit_commit
        manager.provision()
        if manager.layout.nontransactional and settings.isolation in (
            Isolation.SAVEPOINT,
            Isolation.TRANSACTION,
        ):
            self.auto_fresh = True
            self.notice(
                "fixturekit: "
                + ", ".join(manager.layout.nontransactional)
                + " ignore transactions and savepoints; db_session uses a fresh database per "
                "test instead (slower). Convert them to InnoDB for savepoint isolation."
            )

    def _kept_template(self, url: Any, server: Any, metadatas: list[Any]) -> Any:
        """What a kept template must match, or None when templates are built per run."""
        from fixturekit.plugin.building import model_tables
        from fixturekit.plugin.databases import KeptTemplate
        from fixturekit.plugin.fingerprint import fingerprint

        settings = self.settings
        if not settings.keep_template:
            return None
        if self._tempdir is not None:
            self.notice(
                "fixturekit: fixturekit_keep_template needs a configured database; the default "
                "SQLite file is temporary, so the template is built for this run only."
            )
            return None
        alembic = (settings.rootdir / settings.alembic).resolve() if settings.alembic else None
        options = {
            "dialect": server.family,
            "models": settings.models or "",
            "alembic": settings.alembic or "",
        }
        digest = fingerprint(metadatas, alembic, url.get_dialect()(), options)
        return KeptTemplate(digest, settings.rebuild, tuple(model_tables(metadatas)))

    def _implicit_commit(self, connection: Any, statement: str) -> None:
        scope = self.current_scope
        if scope is not None and scope.connection is not None and connection is scope.connection:
            scope.implicit_commits.append(" ".join(statement.split())[:80])

    def mode_for(self, item: pytest.Item) -> Isolation:
        marker = item.get_closest_marker("fixturekit")
        mode = self.settings.isolation
        if marker is not None and marker.kwargs.get("isolation"):
            try:
                mode = Isolation(marker.kwargs["isolation"])
            except ValueError:
                pytest.fail(
                    f"fixturekit: @pytest.mark.fixturekit(isolation={marker.kwargs['isolation']!r})"
                    " is not one of " + ", ".join(m.value for m in Isolation),
                    pytrace=False,
                )
        if self.auto_fresh and mode in (Isolation.SAVEPOINT, Isolation.TRANSACTION):
            return Isolation.FRESH_DB
        return mode

    def close(self) -> None:
        if self.manager is not None:
            manager, self.manager = self.manager, None
            manager.close()
        if self.ephemeral is not None:
            ephemeral, self.ephemeral = self.ephemeral, None
            ephemeral.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None


def get_state(config: pytest.Config) -> FixturekitState:
    return config.stash[STATE_KEY]
