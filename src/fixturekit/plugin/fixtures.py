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
    if state.shared is not None:
        yield from _nested_in_shared(request, state, mode)
        return
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


# --- data shared by a module or class (see shared.py) ---------------------------------------


def _shared_owner(state: FixturekitState) -> str:
    assert state.shared is not None
    return state.shared.levels[0].owner


def refuse_unnestable(state: FixturekitState, node: Any, what: str) -> None:
    """Fail with a message naming the isolation mode when `what` cannot share data by nesting."""
    from fixturekit.plugin.shared import NESTING_MODES

    mode = state.mode_for(node)
    if state.auto_fresh:
        tables = ", ".join(state.manager.layout.nontransactional)
        pytest.fail(
            f"fixturekit: {what} needs savepoints, and {tables} ignore transactions and "
            "savepoints (each test gets a fresh database instead). Convert them to InnoDB, or "
            "make it function-scoped.",
            pytrace=False,
        )
    if mode not in NESTING_MODES:
        how = "a fresh database per test" if mode is Isolation.FRESH_DB else "tables emptied"
        pytest.fail(
            f"fixturekit: {what} keeps its rows in one open transaction, and isolation mode "
            f"{mode.value!r} commits for real ({how}), so tests cannot nest in it. Use savepoint "
            "isolation for this module or class, or make it function-scoped.",
            pytrace=False,
        )


def enter_shared(
    request: pytest.FixtureRequest, state: FixturekitState, scope: str, what: str
) -> Any:
    """The module's or class's shared Session, for a wider-scoped scenario named in `what`."""
    refuse_unnestable(state, request.node, what)
    return request.getfixturevalue(f"db_session_{scope}")


@pytest.fixture(scope="module")
def db_session_module(
    request: pytest.FixtureRequest, _fixturekit: FixturekitState
) -> Iterator[Any]:
    """A Session for module-scoped fixtures: its rows last for the module, then vanish.

    Every db_session test in the module runs in a SAVEPOINT on top of it and is rolled back to
    it, and the factories are bound to it while module-scoped fixtures are set up.
    """
    from fixturekit.plugin import binding
    from fixturekit.plugin.shared import SharedData

    state = _fixturekit
    refuse_unnestable(state, request.node, "db_session_module")
    shared = SharedData(state.manager.engine, request.node.nodeid)
    # its transaction stays open across the module's tests on purpose: not a stray one
    session_id = state.manager.server.session_id(shared.connection)
    if session_id is not None:
        state.manager.shared_sessions.add(session_id)
    modules = state.factory_modules()
    state.shared = shared
    binding.bind_all(modules, shared.session)
    try:
        yield shared.session
    finally:
        state.shared = None
        binding.bind_all(modules, None)
        shared.close()
        state.manager.shared_sessions.discard(session_id)
        if state.pending_leaks:
            state.pending_leaks = {}
            state.manager.restore()


@pytest.fixture(scope="class")
def db_session_class(
    request: pytest.FixtureRequest, db_session_module: Any, _fixturekit: FixturekitState
) -> Iterator[Any]:
    """db_session_module with a SAVEPOINT for this class: class rows vanish after the class."""
    shared = _fixturekit.shared
    assert shared is not None
    refuse_unnestable(_fixturekit, request.node, "db_session_class")
    level = shared.push("class", request.node.nodeid)
    try:
        yield shared.session
    finally:
        shared.pop(level)


def _nested_in_shared(
    request: pytest.FixtureRequest, state: FixturekitState, mode: Isolation
) -> Iterator[Any]:
    from fixturekit.plugin import binding, sessions
    from fixturekit.plugin.shared import NESTING_MODES

    shared = state.shared
    assert shared is not None
    owner = _shared_owner(state)
    if mode not in NESTING_MODES:
        pytest.fail(
            f"fixturekit: this test runs with isolation {mode.value!r}, which commits for real, "
            f"inside the data shared by {owner} (one open transaction for the module). Move it "
            "to another module, or drop its isolation marker.",
            pytrace=False,
        )
    if shared.lost is not None:
        pytest.fail(
            f"fixturekit: the data shared by {owner} is gone: {shared.lost} ended the outer "
            "transaction (connection.commit() or connection.rollback()), which rolled it back "
            "or committed it. Tests after it in this module cannot see it.",
            pytrace=False,
        )
    scope = sessions.IsolationScope(mode=Isolation.SAVEPOINT)
    level = shared.push("test", request.node.nodeid)
    scope.connection, scope.outer = shared.connection, level.transaction
    state.current_scope = scope
    request.node.stash[SCOPE_KEY] = scope
    binding.bind_all(state.factory_modules(), shared.session)
    try:
        yield shared.session
    finally:
        state.current_scope = None
        shared.pop(level)


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
        if state.shared is not None:
            pytest.fail(
                "fixturekit: async_db_session opens a connection of its own, so it cannot see "
                f"or nest in the data shared by {_shared_owner(state)}. Use db_session in this "
                "module, or move the async test to a module without shared data.",
                pytrace=False,
            )
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
