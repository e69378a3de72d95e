"""pytest hooks that report: the random seed of a failing test and of the run, what a lock
timeout or an implicit commit means for a failed test, and the notices of xdist workers, which
the controller prints at the end.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from fixturekit.plugin import reproducible
from fixturekit.plugin.fixtures import SCOPE_KEY
from fixturekit.plugin.hooks import USES_DB, is_xdist_controller
from fixturekit.plugin.runtest_hooks import leak_causes
from fixturekit.plugin.state import STATE_KEY, FixturekitState

NOTICES_KEY = "fixturekit_notices"


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
        explanations.append(leak_causes(scope)[0])
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
    if is_xdist_controller(config):  # the controller collects nothing: say it up front
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
    if is_xdist_controller(config) or not _values_in_play(items):
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
    if state is None or not state.notices or not is_xdist_controller(config):
        return  # without xdist, notices were printed when they happened
    for text in state.notices:
        terminalreporter.write_line(text, yellow=True)
