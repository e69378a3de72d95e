"""pytest hooks: settings, provisioning after collection, the per-test leak check, reporting.

The plugin stays inert (no connection, no output) unless a collected test requests one of its
database fixtures; reading settings and registering declared fixtures is all it does otherwise.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from fixturekit.plugin import reproducible
from fixturekit.plugin.config import Isolation, add_options, read_settings
from fixturekit.plugin.fixtures import MODE_KEY, SCOPE_KEY
from fixturekit.plugin.leaks import lock_holder_message
from fixturekit.plugin.state import STATE_KEY, WORKER_URL_KEY, FixturekitState

USES_DB = pytest.StashKey[bool]()
CHECKS_LEAKS = pytest.StashKey[bool]()
NEEDS_RESTORE = pytest.StashKey[str]()  # why: "leak", "deferred", "cleanup"
STRAYS = pytest.StashKey[bool]()  # another session was in a transaction when the call ended
LEAK_FIXTURES = ("db_engine", "db_session", "async_db_session")
NOTICES_KEY = "fixturekit_notices"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _is_xdist_controller(config: pytest.Config) -> bool:
    return (
        not hasattr(config, "workerinput")
        and bool(getattr(config.option, "numprocesses", None))
        and getattr(config.option, "dist", "no") != "no"
    )


@pytest.hookimpl(trylast=True)
def _django_factories(state: FixturekitState) -> dict[str, Any] | None:
    """The registered factories when they are Django's (pytest-django then isolates)."""
    if not _django_active():
        return None
    from fixturekit.plugin.binding import factories_of, is_django_factory

    found = {k: f for m in state.factory_modules() for k, f in factories_of(m).items()}
    return found if found and all(is_django_factory(f) for f in found.values()) else None


def _django_active() -> bool:
    import os
    import sys

    return "django" in sys.modules and bool(os.environ.get("DJANGO_SETTINGS_MODULE"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fixturekit(isolation): run this test with another isolation mode "
        "(savepoint, transaction, truncate, fresh-db)",
    )
    settings = read_settings(config)
    state = FixturekitState(config, settings)
    config.stash[STATE_KEY] = state
    config.add_cleanup(state.close)
    reproducible.activate(config)
    config.add_cleanup(reproducible.deactivate)

    from fixturekit.plugin.scenarios import declared_module, read_declared

    pyproject = Path(str(config.inipath)) if config.inipath else None
    if pyproject is None or pyproject.name != "pyproject.toml":
        pyproject = Path(str(config.rootpath)) / "pyproject.toml"
    declared = read_declared(pyproject)
    if declared:
        config.pluginmanager.register(
            declared_module(declared, settings.seed, _django_factories(state)),
            "fixturekit-scenarios",
        )
    if settings.register_fixtures:
        from fixturekit.plugin.binding import registration_module

        module = registration_module(state.factory_modules())
        config.pluginmanager.register(module, "fixturekit-factories")
    if settings.server == "ephemeral" and _is_xdist_controller(config):
        # One server for all workers; they learn its URL through workerinput.
        try:
            state.start_ephemeral()
        except Exception as exc:
            raise pytest.UsageError(f"fixturekit: {getattr(exc, 'message', exc)}") from None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[reproducible.WORKER_SEED_KEY] = reproducible.seed_of(node.config)
    state: FixturekitState = node.config.stash[STATE_KEY]
    if state.ephemeral is not None:
        node.workerinput[WORKER_URL_KEY] = state.ephemeral.url.render_as_string(hide_password=False)


def _ours(item: pytest.Item, name: str) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.get(name) if info is not None else None
    if not defs:
        return name in getattr(item, "fixturenames", ())
    return getattr(defs[-1].func, "__module__", "").startswith("fixturekit.plugin")


def _from_factoryboy(func: Any) -> bool:
    # Its fixtures wrap (twice) a functools.partial of a pytest_factoryboy function.
    import inspect

    try:
        wrapped = inspect.unwrap(func)
    except ValueError:
        return False
    target = getattr(wrapped, "func", wrapped)
    return getattr(target, "__module__", "").startswith("pytest_factoryboy")


def _session_before_factoryboy(item: pytest.Item) -> None:
    """pytest-factoryboy's fixtures call the factories while they are set up: set db_session
    up before them, so that generated factories are bound when they do."""
    info = getattr(item, "_fixtureinfo", None)
    names = getattr(item, "fixturenames", None)
    if info is None or not isinstance(names, list) or "db_session" not in names:
        return
    first = next(
        (
            index
            for index, name in enumerate(names)
            if any(_from_factoryboy(d.func) for d in info.name2fixturedefs.get(name, ()))
        ),
        None,
    )
    if first is not None and names.index("db_session") > first:
        names.remove("db_session")
        names.insert(first, "db_session")


def pytest_collection_finish(session: pytest.Session) -> None:
    option = session.config.option
    # Runs that only list things (--collect-only, --fixtures, --setup-plan) need no database.
    if any(
        getattr(option, name, False)
        for name in ("collectonly", "showfixtures", "show_fixtures_per_test", "setupplan")
    ):
        return
    state: FixturekitState = session.config.stash[STATE_KEY]
    needed = False
    for item in session.items:
        names = getattr(item, "fixturenames", ())
        if "_fixturekit" not in names:
            continue
        needed = True
        item.stash[USES_DB] = True
        _session_before_factoryboy(item)
        item.stash[CHECKS_LEAKS] = any(n in names and _ours(item, n) for n in LEAK_FIXTURES)
    if not needed:
        return
    state.provision()
    if state.error and state.worker is None:
        raise pytest.UsageError(state.error)
    # Under xdist a worker cannot end the run with a usage error; the first test that needs
    # the database fails with the message and stops the run (see _fixturekit).


# --- the leak check ---------------------------------------------------------------------


def _test_mode(item: pytest.Item, state: FixturekitState) -> Isolation:
    mode = item.stash.get(MODE_KEY, None)
    return mode if mode is not None else state.mode_for(item)


def _causes(scope: Any) -> list[str]:
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
    lines.append("Likely cause: " + " Also: ".join(_causes(scope)))
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


# --- reporting --------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Any, Any]:
    report = yield
    if call.excinfo is not None and report.failed and _values_in_play([item]):
        seed = reproducible.seed_of(item.config)
        _add_section(report, f"random seed {seed}: replay with --fixturekit-seed {seed}")
    if call.excinfo is None or not item.stash.get(USES_DB, False):
        return report
    state: FixturekitState | None = item.config.stash.get(STATE_KEY, None)
    if state is None or state.manager is None:
        return report
    exc = call.excinfo.value
    explanations = []
    if state.manager.server.is_lock_timeout(exc):
        explanations.append(
            f"A statement waited longer than fixturekit's lock timeout "
            f"({state.settings.lock_timeout:g}s, ini fixturekit_lock_timeout) and was cancelled. "
            "In a db_session test this usually means a second connection (another engine, a "
            "thread, a subprocess) waited for rows that the test's own transaction holds, such "
            "as a row with the same key; those rows are never committed, so without the timeout "
            "it would wait forever. Do that work through db_session, or mark the test "
            '@pytest.mark.fixturekit(isolation="truncate") so that commits are real.'
        )
    scope = item.stash.get(SCOPE_KEY, None)
    if scope is not None and scope.implicit_commits:
        explanations.append(_causes(scope)[0])
    if explanations:
        _add_section(report, "\n".join(explanations))
    return report


def _add_section(report: pytest.TestReport, text: str) -> None:
    longrepr = report.longrepr
    if hasattr(longrepr, "addsection"):
        longrepr.addsection("fixturekit", text)
    else:
        report.sections.append(("fixturekit", text))


def _seed_line(config: pytest.Config) -> str:
    seed, source = reproducible.seed_and_source(config)
    return f"fixturekit: random seed {seed}" + (
        f" ({source})" if source != "picked for this run" else ""
    )


def _values_in_play(items: list[pytest.Item]) -> bool:
    """Factories can draw values: a test uses fixturekit's fixtures, or its module holds
    factory_boy factories. Otherwise the seed is noise, and the plugin stays silent."""
    import sys

    base = sys.modules.get("factory.base")
    factory_module = sys.modules.get("factory")
    seen: set[int] = set()
    for item in items:
        if "_fixturekit" in getattr(item, "fixturenames", ()):
            return True
        module = getattr(item, "module", None)
        if module is None or base is None or id(module) in seen:
            continue
        seen.add(id(module))
        for value in vars(module).values():
            if value is factory_module or (
                isinstance(value, type) and issubclass(value, base.BaseFactory)
            ):
                return True
    return False


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    lines = []
    if _is_xdist_controller(config):  # the controller collects nothing: say it up front
        lines.append(_seed_line(config))
    state: FixturekitState | None = config.stash.get(STATE_KEY, None)
    if state is not None and state.ephemeral is not None:
        line = f"fixturekit: ephemeral PostgreSQL in {state.ephemeral.root}"
        if state.ephemeral.cached_data is not None:
            line += f" (data kept in {state.ephemeral.cached_data})"
        lines.append(line)
    return lines or None


def pytest_report_collectionfinish(
    config: pytest.Config, start_path: Path, items: list[pytest.Item]
) -> list[str] | None:
    if _is_xdist_controller(config) or not _values_in_play(items):
        return None
    return [_seed_line(config)]


@pytest.hookimpl(hookwrapper=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, None, None]:
    state: FixturekitState | None = session.config.stash.get(STATE_KEY, None)
    workeroutput = getattr(session.config, "workeroutput", None)
    if state is not None and workeroutput is not None:
        # An xdist worker drops its databases now, before it reports itself finished: the
        # controller gives workers only a few seconds to exit after that, and on a busy machine
        # a drop left for unconfigure could be cut short, leaving a database behind.
        state.close()
        if state.notices:
            workeroutput[NOTICES_KEY] = list(state.notices)
    yield


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    output = getattr(node, "workeroutput", None) or {}
    state: FixturekitState | None = node.config.stash.get(STATE_KEY, None)
    if state is not None:
        for text in output.get(NOTICES_KEY, []):
            if text not in state.notices:
                state.notices.append(text)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state: FixturekitState | None = config.stash.get(STATE_KEY, None)
    if state is None or not state.notices or not _is_xdist_controller(config):
        return  # without xdist, notices were printed when they happened
    for text in state.notices:
        terminalreporter.write_line(text, yellow=True)
