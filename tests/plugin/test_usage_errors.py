"""Bad settings end the run with one message naming the setting, not a traceback per test."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import URL

from .conftest import SHOP_SOURCE

TESTS = """
def test_one(db_session):
    pass

def test_two(db_session):
    pass
"""


@pytest.fixture
def project(pytester: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makefile(".py", shop=SHOP_SOURCE)
    pytester.makeini(
        "[pytest]\nfixturekit_models = shop.py\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(test_db=TESTS)
    return pytester


def _usage_error(result: Any, *patterns: str) -> None:
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str() + result.stderr.str()
    result.stderr.fnmatch_lines([f"ERROR: fixturekit: {patterns[0]}", *patterns[1:]])
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    assert output.count("ERROR: fixturekit") == 1


def test_unreachable_server(project: Any) -> None:
    result = project.runpytest("--fixturekit-url=postgresql+psycopg://app:s3cret@127.0.0.1:1/app")
    _usage_error(
        result,
        "cannot connect to postgresql+psycopg://app:***@127.0.0.1:1/app (--fixturekit-url)*"
        "--fixturekit-server=ephemeral*",
    )
    assert "s3cret" not in result.stdout.str() + result.stderr.str()


def test_wrong_credentials(project: Any, mysql_admin_url: URL) -> None:
    url = mysql_admin_url.set(password="not-the-password", database="app")
    result = project.runpytest(f"--fixturekit-url={url.render_as_string(hide_password=False)}")
    _usage_error(
        result,
        "the server at mysql+pymysql://root:***@*refused the credentials*"
        "Fix the user name or password in --fixturekit-url.",
    )
    assert "not-the-password" not in result.stdout.str() + result.stderr.str()


def test_unknown_postgres_role_is_a_credentials_problem(project: Any, pg_admin_url: URL) -> None:
    url = pg_admin_url.set(username="no_such_role_fkt", database="app")
    result = project.runpytest(f"--fixturekit-url={url.render_as_string(hide_password=False)}")
    _usage_error(result, "*refused the credentials*no_such_role_fkt*")


def test_unsupported_dialect(project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIXTUREKIT_DATABASE_URL", "oracle+oracledb://scott@db.example/orcl")
    result = project.runpytest()
    _usage_error(
        result,
        "the FIXTUREKIT_DATABASE_URL variable = oracle+oracledb://scott@db.example/orcl names "
        "a 'oracle' database*",
    )


def test_models_that_do_not_import(project: Any) -> None:
    project.makefile(".py", shop="from sqlalchemy import (\n")
    result = project.runpytest()
    _usage_error(result, "--fixturekit-models / ini fixturekit_models = 'shop.py': *syntax error*")


def test_bad_isolation_setting(project: Any) -> None:
    project.makeini(
        "[pytest]\nfixturekit_isolation = snapshot\nasyncio_default_fixture_loop_scope = function\n"
    )
    result = project.runpytest()
    _usage_error(result, "ini fixturekit_isolation = 'snapshot' is not one of savepoint*")


def test_under_xdist_the_run_stops_with_the_message(project: Any) -> None:
    project.makepyfile(test_more="\n".join(f"def test_{i}(db_session): pass" for i in range(6)))
    result = project.runpytest("-n", "2", "--fixturekit-url=postgresql+psycopg://u@127.0.0.1:1/a")
    output = result.stdout.str()
    assert result.ret != pytest.ExitCode.OK
    assert (
        "Interrupted: fixturekit: cannot connect to postgresql+psycopg://u@127.0.0.1:1/a" in output
    )
    assert output.count("Traceback") == 0
    assert result.parseoutcomes().get("passed", 0) == 0
