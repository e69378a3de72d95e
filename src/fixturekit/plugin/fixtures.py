"""The plugin's fixtures. Each database fixture depends on `_fixturekit`, the provisioned state.

Only the standard library and pytest are imported at module level: this module is loaded in every
pytest run of every project that installs fixturekit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixturekit.plugin.config import Isolation
from fixturekit.plugin.state import FixturekitState, get_state

try:  # loaded by pytest already when installed; async_db_session needs it
    import pytest_asyncio
except ImportError:  # pragma: no cover - depends on the environment
    pytest_asyncio = None

MODE_KEY = pytest.StashKey[Isolation]()  # the isolation mode a test ran with
SCOPE_KEY = pytest.StashKey[Any]()  # its sessions.IsolationScope


@pytest.fixture(scope="session")
def _fixturekit(request: pytest.FixtureRequest) -> FixturekitState:
    state = get_state(request.config)
    state.provision()  # normally done at the end of collection; this covers getfixturevalue()
    if state.error:
        request.session.shouldstop = state.error
        pytest.fail(state.error, pytrace=False)
    return state


@pytest.fixture(scope="session")
def db_engine(_fixturekit: FixturekitState) -> Any:
    """The run's test database (per xdist worker): schema built once, dropped at the end."""
    return _fixturekit.manager.engine


def _mode(request: pytest.FixtureRequest, state: FixturekitState) -> Isolation:
    mode = state.mode_for(request.node)
    request.node.stash[MODE_KEY] = mode
    return mode


@pytest.fixture
def db_session(request: pytest.FixtureRequest, _fixturekit: FixturekitState) -> Iterator[Any]:
    """A Session whose writes vanish after the test, whatever the code under test commits."""
    from fixturekit.plugin import binding, flask_db, sessions

    state = _fixturekit
    mode = _mode(request, state)
    scope = sessions.IsolationScope(mode=mode)
    modules = state.factory_modules()
    if mode in (Isolation.SAVEPOINT, Isolation.TRANSACTION):
        context = sessions.joined_session(state.manager.engine, mode, scope)
    elif mode is Isolation.TRUNCATE:
        context = sessions.committing_session(state.manager.engine)
    else:
        scope.fresh = state.manager.fresh()
        context = sessions.committing_session(scope.fresh.engine)
    state.current_scope = scope
    request.node.stash[SCOPE_KEY] = scope
    try:
        with (
            context as session,
            binding.bound(modules, session),
            flask_db.routed(state.flask_extensions(), session),
        ):
            yield session
    finally:
        state.current_scope = None
        if scope.fresh is not None:
            state.manager.drop_fresh(scope.fresh)


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def async_db_session(request: pytest.FixtureRequest, _fixturekit: FixturekitState) -> Any:
        """The same isolation as db_session, for an AsyncSession (asyncpg, aiosqlite).

        fixturekit factories are bound to it: `await XFactory.create_async()` and
        `await XFactory.create_batch_async(n)` create their rows through this session."""
        from fixturekit.factory_async import bind_async_session
        from fixturekit.plugin import sessions

        state = _fixturekit
        mode = _mode(request, state)
        scope = sessions.IsolationScope(mode=mode)
        if mode is Isolation.FRESH_DB:
            scope.fresh = state.manager.fresh()
        engine = _async_engine(state, scope.fresh.name if scope.fresh else state.manager.name)
        if mode in (Isolation.SAVEPOINT, Isolation.TRANSACTION):
            context = sessions.joined_async_session(engine, mode, scope)
        else:
            context = sessions.committing_async_session(engine)
        state.current_scope = scope
        request.node.stash[SCOPE_KEY] = scope
        try:
            async with context as session:
                bind_async_session(session)
                try:
                    yield session
                finally:
                    bind_async_session(None)
        finally:
            state.current_scope = None
            await engine.dispose()
            if scope.fresh is not None:
                state.manager.drop_fresh(scope.fresh)

else:  # pragma: no cover - depends on the environment

    @pytest.fixture
    def async_db_session() -> Any:
        pytest.fail("fixturekit: async_db_session needs pytest-asyncio installed.", pytrace=False)


def _async_engine(state: FixturekitState, name: str) -> Any:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from fixturekit.plugin.sessions import async_url

    server = state.manager.server
    try:
        url = async_url(server.url_for(name), server.async_driver)
        url.get_dialect().import_dbapi()
    except (LookupError, ImportError) as exc:
        pytest.fail(
            f"fixturekit: async_db_session on {server.family} needs the "
            f"{server.async_driver} driver ({exc}).",
            pytrace=False,
        )
    options = server.engine_options(state.settings.lock_timeout)
    # An asyncio connection belongs to the event loop that opened it, and each test may get
    # its own loop: no pooling across tests.
    engine = create_async_engine(url, poolclass=NullPool, **options)
    server.prepare_engine(engine.sync_engine, state.settings.lock_timeout)
    return engine


@pytest.fixture(scope="module")
def fresh_database(_fixturekit: FixturekitState) -> Iterator[Any]:
    """A brand-new database for this module (cloned from the template), dropped afterwards.

    For code that cannot run inside one transaction: DDL, several connections, engines without
    savepoints. Commits are real; `.engine`, `.url` and `.name` describe it.
    """
    fresh = _fixturekit.manager.fresh()
    try:
        yield fresh
    finally:
        _fixturekit.manager.drop_fresh(fresh)


@pytest.fixture
def factories(db_session: Any, _fixturekit: FixturekitState) -> Any:
    """The registered factories, bound to db_session: `factories.User.create()`."""
    from fixturekit.plugin.binding import namespace

    return namespace(_fixturekit.factory_modules())
