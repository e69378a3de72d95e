"""fixturekit's pytest plugin, registered through the `pytest11` entry point.

Loaded in every pytest run of every project that installs fixturekit, so importing it is cheap
(pytest and the standard library only) and it does nothing until a test requests one of its
fixtures: `db_engine`, `db_session`, `db_session_module`, `db_session_class`, `async_db_session`,
`fresh_database`, `factories`, and the declared `<name>_scenario` and `<model>_factory` fixtures.
See docs/plugin.md.
"""

from fixturekit.plugin.fixtures import (
    _fixturekit,
    async_db_session,
    db_engine,
    db_session,
    db_session_class,
    db_session_module,
    factories,
    fresh_database,
)
from fixturekit.plugin.hooks import (
    pytest_addoption,
    pytest_collection_finish,
    pytest_configure,
    pytest_configure_node,
)
from fixturekit.plugin.report_hooks import (
    pytest_report_collectionfinish,
    pytest_report_header,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)
from fixturekit.plugin.runtest_hooks import (
    pytest_fixture_setup,
    pytest_runtest_call,
    pytest_runtest_setup,
    pytest_runtest_teardown,
)
from fixturekit.plugin.scenarios import Scenario, scenario

__all__ = [
    "Scenario",
    "_fixturekit",
    "async_db_session",
    "db_engine",
    "db_session",
    "db_session_class",
    "db_session_module",
    "factories",
    "fresh_database",
    "pytest_addoption",
    "pytest_collection_finish",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_fixture_setup",
    "pytest_report_collectionfinish",
    "pytest_report_header",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "pytest_runtest_teardown",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
    "pytest_testnodedown",
    "scenario",
]
