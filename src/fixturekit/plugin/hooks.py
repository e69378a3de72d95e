"""pytest hooks: settings, and provisioning after collection.

The plugin stays inert (no connection, no output) unless a collected test requests one of its
database fixtures; reading settings and registering declared fixtures is all it does otherwise.
The hooks around each test (reseeding, the leak check, restoring the database) are in
fixturekit.plugin.runtest_hooks, the reporting ones in fixturekit.plugin.report_hooks; all are
registered through fixturekit.plugin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fixturekit.plugin import reproducible
from fixturekit.plugin.config import add_options, read_settings
from fixturekit.plugin.state import STATE_KEY, WORKER_URL_KEY, FixturekitState

# Set on each collected item here, read by the run and report hooks.
USES_DB = pytest.StashKey[bool]()
CHECKS_LEAKS = pytest.StashKey[bool]()
LEAK_FIXTURES = ("db_engine", "db_session", "async_db_session")


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def is_xdist_controller(config: pytest.Config) -> bool:
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
    if settings.server == "ephemeral" and is_xdist_controller(config):
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
