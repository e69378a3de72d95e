"""pytest hooks around each test: values reseeded for every test and wider-scoped fixture,
factories bound to a module's shared data while it is open, the leak check at the end of the
call, and the test database restored at teardown when the test left something behind.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from fixturekit.plugin import reproducible
from fixturekit.plugin.config import Isolation
from fixturekit.plugin.fixtures import MODE_KEY, SCOPE_KEY
from fixturekit.plugin.hooks import CHECKS_LEAKS, USES_DB
from fixturekit.plugin.leaks import lock_holder_message
from fixturekit.plugin.state import STATE_KEY, FixturekitState

NEEDS_RESTORE = pytest.StashKey[str]()  # why: "leak", "deferred", "cleanup"
STRAYS = pytest.StashKey[bool]()  # another session was in a transaction when the call ended


# --- the leak check ---------------------------------------------------------------------


def _test_mode(item: pytest.Item, state: FixturekitState) -> Isolation:
    mode = item.stash.get(MODE_KEY, None)
    return mode if mode is not None else state.mode_for(item)


def leak_causes(scope: Any) -> list[str]:
    causes: list[str] = []
    if scope is not None and scope.implicit_commits:
        causes.append(
            f"`{scope.implicit_commits[0]}` commits implicitly on MySQL/MariaDB and ended the "
            "test's transaction. Run tests with DDL in the fresh_database fixture or with "
            '@pytest.mark.fixturekit(isolation="fresh-db").'
        )
    if scope is not None and scope.outer_ended:
        causes.append(
            "the code under test ended the test's outer transaction (connection.commit(), or "
            "session.rollback() on a Session not joined with create_savepoint); what it wrote "
            "afterwards was committed for real."
        )
    if not causes:
        causes.append(
            "a second connection or engine committed (do the work through db_session, or use "
            '@pytest.mark.fixturekit(isolation="truncate") for code that needs several '
            "connections), session.connection().commit() was called, or a factory was bound "
            "to a session other than db_session."
        )
    return causes


def leak_message(leaks: list[Any], scope: Any) -> str:
    lines = ["fixturekit: rows escaped this test's isolation and were committed:"]
    lines += [f"  {leak.describe()}" for leak in leaks]
    lines.append("Likely cause: " + " Also: ".join(leak_causes(scope)))
    lines.append(
        "The test database has been restored for the next tests "
        "(--fixturekit-no-leak-check turns this check off)."
    )
    return "\n".join(lines)


# --- reproducible values (see plugin/reproducible.py) ----------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: Any, request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    if fixturedef.scope == "function" or reproducible.active_config() is None:
        return (yield)
    # Seeded from its own scope, so its values do not depend on the test that set it up.
    seed = reproducible.seed_of(request.config)
    reproducible.reseed(seed, f"{request.node.nodeid}::{fixturedef.argname}")
    try:
        return (yield)
    finally:
        # Its rows live as long as it does: tests in its scope continue its counters.
        reproducible.settle(request.config, fixturedef)
        fixturedef.addfinalizer(lambda: reproducible.pop_baseline(fixturedef))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    reproducible.set_phase("call")
    reproducible.begin_call(item.config, item.nodeid)
    state: FixturekitState | None = item.config.stash.get(STATE_KEY, None)
    if (
        state is None
        or not item.stash.get(CHECKS_LEAKS, False)
        or state.manager is None
        or not state.settings.leak_check
    ):
        return (yield)
    failure: BaseException | None = None
    try:
        result = yield
    except BaseException as exc:
        failure = exc
        result = None
    mode = _test_mode(item, state)
    if mode in (Isolation.TRUNCATE,):
        item.stash[NEEDS_RESTORE] = "cleanup"
    else:
        _check_at_call(item, state, failure)
    if failure is not None:
        raise failure
    return result


def _check_at_call(
    item: pytest.Item, state: FixturekitState, failure: BaseException | None
) -> None:
    probe = state.manager.probe
    scope = item.stash.get(SCOPE_KEY, None)
    own = None
    if scope is not None and scope.connection is not None:
        own = state.manager.server.session_id(scope.connection)
    try:
        dirty, strays = probe.check(own)
    except Exception:
        # The test's transaction holds a lock the probe must not wait for (DDL, LOCK TABLE):
        # check again once it is rolled back.
        item.stash[NEEDS_RESTORE] = "deferred"
        return
    item.stash[STRAYS] = strays
    if dirty and state.pending_leaks:  # already reported, removed when the module ends
        pending = state.pending_leaks
        known = {leak.table: leak.rows for leak in probe.leaks([t for t in dirty if t in pending])}
        dirty = [t for t in dirty if known.get(t, -1) != pending.get(t)]
    if not dirty:
        return
    item.stash[NEEDS_RESTORE] = "leak"
    message = leak_message(probe.leaks(dirty), item.stash.get(SCOPE_KEY, None))
    if failure is not None:
        failure.add_note(message)  # the test's own failure comes first
        return
    pytest.fail(message, pytrace=False)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    """Reseed the test's values first (see plugin/reproducible.py).

    While a module's shared data is open, factories are bound to its Session for the
    wider-scoped fixtures being set up, and unbound for a test that has no db_session: what such
    a test creates would otherwise join the shared rows for good."""
    reproducible.set_phase("setup")
    reproducible.begin_test(item.config, item.nodeid)
    state: FixturekitState | None = item.config.stash.get(STATE_KEY, None)
    if state is not None and state.shared is not None:
        from fixturekit.plugin.binding import bind_all

        bind_all(state.factory_modules(), state.shared.session)
    try:
        return (yield)
    finally:
        if (
            state is not None
            and state.shared is not None
            and "db_session" not in getattr(item, "fixturenames", ())
        ):
            from fixturekit.plugin.binding import bind_all

            bind_all(state.factory_modules(), None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, Any, Any]:
    reproducible.set_phase("teardown")
    try:
        return (yield)
    finally:
        reproducible.end_test()
        # Also when a fixture's teardown failed (a session closing after MariaDB DDL removed
        # its savepoint): the next test must still find a clean database.
        _restore_after(item)


def _end_stray_transactions(item: pytest.Item, state: FixturekitState) -> str | None:
    """Sessions the test left inside a transaction are reported here, at this test, and ended:
    otherwise the next test touching those tables waits out the lock timeout and fails with
    the wrong culprit."""
    if not item.stash.get(CHECKS_LEAKS, False) or not state.settings.leak_check:
        return None
    if not item.stash.get(STRAYS, True):
        return None  # the probe at the end of the call saw no other session in a transaction
    manager = state.manager
    holders = manager.probe.lock_holders(manager.shared_sessions)
    if not holders:
        return None
    manager.probe.end(holders)
    return lock_holder_message(holders)


def _restore_after(item: pytest.Item) -> None:
    state: FixturekitState | None = item.config.stash.get(STATE_KEY, None)
    if state is None or state.manager is None or not item.stash.get(USES_DB, False):
        return
    stray = _end_stray_transactions(item, state)
    if stray is not None:
        item.stash[NEEDS_RESTORE] = item.stash.get(NEEDS_RESTORE, None) or "leak"
    leaks = _restore(item, state)
    messages = [m for m in (stray, leaks) if m]
    if messages:
        pytest.fail("\n".join(messages), pytrace=False)


def _restore(item: pytest.Item, state: FixturekitState) -> str | None:
    """Clean the test database when the test left something; the leak message, if any."""
    reason = item.stash.get(NEEDS_RESTORE, None)
    mode = _test_mode(item, state)
    if reason is None and mode is Isolation.TRUNCATE:
        reason = "cleanup"  # leak check off: truncate mode still cleans up
    if reason is None and item.stash.get(CHECKS_LEAKS, False) and mode is Isolation.FRESH_DB:
        reason = "cleanup"  # db_engine writes in fresh-db mode went to the shared database
    if reason is None:
        return None
    leaks = state.manager.probe.leaks(state.manager.probe.dirty()) if reason == "deferred" else []
    if state.shared is not None:
        # Dropping the database under the module's open transaction would wait on it (or, on
        # PostgreSQL, kill it): clean what can be cleaned now, the rest when the module ends.
        from fixturekit.plugin.databases import RestoreDeferred

        try:
            state.manager.restore(may_recreate=False)
        except RestoreDeferred as exc:
            manager = state.manager
            found = manager.probe.leaks(exc.tables)
            state.pending_leaks.update({leak.table: leak.rows for leak in found})
            visible = state.shared.hide_committed(manager.server, manager.probe, exc.tables)
            state.notice(
                f"fixturekit: the rows that escaped into {exc} could not be removed while the "
                "module's shared data is open; the module's later tests do not see them"
                + (f" (except in {', '.join(t.display for t in visible)})" if visible else "")
                + ", and they are removed when the module ends."
            )
    else:
        state.manager.restore()
    return leak_message(leaks, item.stash.get(SCOPE_KEY, None)) if leaks else None
