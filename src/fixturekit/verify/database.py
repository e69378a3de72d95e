"""The database factories are verified in: where it comes from, and its short life.

With no URL on the command line, the first of these that is set or available:
1. `FIXTUREKIT_DATABASE_URL`;
2. `fixturekit_url` from the project's pytest ini (read by the plugin's own settings code);
3. a throwaway PostgreSQL server, when the binaries are installed (`plugin.ephemeral`);
4. a SQLite file in a temp directory, which proves less (no types, no lengths).

Whatever the URL names is only the server to work on: the schema is built in a new database
created next to it, carrying fixturekit's mark, and dropped afterwards (on errors and Ctrl-C
too). A marked verification database left by a process that died is dropped on the next run;
anything unmarked is never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixturekit.dialects import Mark, Server, server_for
from fixturekit.dialects.errors import first_line
from fixturekit.errors import FixturekitError, UnsafeDatabase
from fixturekit.plugin.config import ENV_URL

LOCK_TIMEOUT = 10.0


class VerifyDatabaseError(FixturekitError):
    """The verification database could not be reached or created."""


@dataclass(frozen=True)
class VerifySource:
    """Where verification runs: a URL and which setting named it, or a server fixturekit starts."""

    kind: str  # "url" | "ephemeral" | "sqlite"
    label: str  # which setting, for messages and the report
    url: str | None = None

    @property
    def proves_less(self) -> bool:
        return self.kind == "sqlite" or (self.url or "").startswith("sqlite")


def _ini_url(root: Path) -> tuple[str | None, str]:
    """`fixturekit_url` (and the variable) as the pytest plugin resolves them for this project."""
    import pytest

    # pytest's own ini discovery and the plugin's settings code; conftest files and plugins
    # that act at start-up (pytest-django configuring Django) are left out.
    from _pytest.config import _prepareconfig

    from fixturekit.plugin.config import read_settings

    previous = Path.cwd()
    try:
        os.chdir(root)
        config = _prepareconfig(
            ["--noconftest", "-p", "no:cacheprovider", "-p", "no:django", "-p", "no:xdist"]
        )
        try:
            settings = read_settings(config)
        finally:
            config._ensure_unconfigure()
    except pytest.UsageError as exc:
        raise VerifyDatabaseError(str(exc).removeprefix("fixturekit: ")) from None
    except Exception:
        return None, ""  # no readable pytest configuration: nothing set there
    finally:
        os.chdir(previous)
    return settings.url, settings.url_source


def resolve_source(explicit: str | None, root: Path | None = None) -> VerifySource:
    """The database to verify in, following the documented order."""
    if explicit:
        return VerifySource("url", "--verify URL", explicit)
    if os.environ.get(ENV_URL):
        return VerifySource("url", ENV_URL, os.environ[ENV_URL])
    url, label = _ini_url(root or Path.cwd())
    if url:
        return VerifySource("url", label, url)
    from fixturekit.plugin.ephemeral import find_bindir

    if find_bindir() is not None:
        return VerifySource("ephemeral", "a throwaway PostgreSQL server")
    return VerifySource("sqlite", "a temporary SQLite file (no database configured)")


def _shown(url: Any) -> str:
    return url.render_as_string(hide_password=True)


def _parse(source: VerifySource) -> Any:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from fixturekit.dialects import SUPPORTED

    try:
        url = make_url(source.url)
    except ArgumentError:
        raise VerifyDatabaseError(
            f"{source.label} is not a database URL.",
            hint="Write e.g. postgresql+psycopg://user@localhost/app.",
        ) from None
    if url.get_backend_name() not in ("postgresql", "mysql", "mariadb", "sqlite"):
        raise VerifyDatabaseError(
            f"{source.label} = {_shown(url)}: verification runs on {SUPPORTED}.",
        )
    return url


@dataclass
class VerifyDatabase:
    """A database fixturekit created for this run, with its schema built."""

    engine: Any
    server: Server
    source: VerifySource
    name: str
    shown: str  # its URL, password masked

    @property
    def dialect(self) -> str:
        return self.server.family


def _name_for(server: Server) -> str:
    from fixturekit.plugin.databases import test_database_names

    prefix, _ = test_database_names(server, None)
    return f"{prefix}_v{os.getpid()}"


def _drop_orphans(server: Server, name: str, notice: Callable[[str], None]) -> None:
    """Drop verification databases whose (marked) owner died; refuse an unmarked namesake."""
    pattern = re.compile(re.escape(name.rsplit("_v", 1)[0]) + r"_v\d+")
    for existing in server.databases():
        if not pattern.fullmatch(existing):
            continue
        mark = Mark.parse(server.read_mark(existing))
        if mark is None:
            if existing == name:
                raise UnsafeDatabase(
                    f"Database {existing!r} exists and was not created by fixturekit; "
                    "verification will not use or drop it.",
                    hint="Drop or rename it yourself, or verify against another server.",
                )
            continue
        if existing == name or not mark.owner_alive():
            server.drop(existing)
            if existing != name:
                notice(f"Dropped {existing!r}, left behind by an earlier verification run.")


def _unreachable(source: VerifySource, shown: str, exc: BaseException) -> VerifyDatabaseError:
    return VerifyDatabaseError(
        f"Cannot create the verification database on {shown} (from {source.label}): "
        f"{first_line(exc)}",
        hint="Start that server or fix the URL (fixturekit creates a database of its own "
        "there and drops it afterwards), pass another one with --verify URL, or generate "
        "without --verify.",
    )


@contextlib.contextmanager
def verification_database(
    source: VerifySource,
    build: Callable[[Any], None],
    notice: Callable[[str], None],
) -> Iterator[VerifyDatabase]:
    """Create a marked database, build the schema with `build(engine)`, drop it afterwards."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    with contextlib.ExitStack() as stack:
        if source.kind == "ephemeral":
            from fixturekit.plugin.ephemeral import EphemeralPostgres

            ephemeral = EphemeralPostgres.start()
            stack.callback(ephemeral.stop)
            url, directory = ephemeral.url, None
        elif source.kind == "sqlite":
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="fixturekit-verify-"))
            url, directory = make_url("sqlite://"), Path(folder)
        else:
            url = _parse(source)
            directory = None
            if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
                folder = stack.enter_context(
                    tempfile.TemporaryDirectory(prefix="fixturekit-verify-")
                )
                directory = Path(folder)
        shown = _shown(url)
        server = server_for(url, directory=directory)
        server.lock_timeout = LOCK_TIMEOUT
        stack.callback(server.close)
        name = _name_for(server)
        try:
            server.check()
            _drop_orphans(server, name, notice)
            server.create(name, Mark.here())
        except FixturekitError:
            raise
        except Exception as exc:
            raise _unreachable(source, shown, exc) from None
        stack.callback(server.drop, name)
        engine = create_engine(server.url_for(name), **server.engine_options(LOCK_TIMEOUT))
        server.prepare_engine(engine, LOCK_TIMEOUT)
        stack.callback(engine.dispose)
        build(engine)
        yield VerifyDatabase(engine, server, source, name, _shown(server.url_for(name)))
