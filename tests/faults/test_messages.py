"""One clean message where there used to be a traceback or a secret: the models' own exception
with a URL password in it, the plugin given an async URL; and fixturekit's connections named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from faulthelp import MODELS, error_lines, execute, query, run_cli
from sqlalchemy.engine import URL

SHOP_SOURCE = (Path(__file__).parent.parent / "plugin" / "shop.py").read_text()
LEAKY_MODELS = """
raise RuntimeError(
    "cannot reach postgresql://app:hunter2@db.internal/app (DSN password=hunter2 host=db)"
)
"""


def test_a_failing_models_import_is_repeated_without_its_passwords(tmp_path: Path):
    models = tmp_path / "leaky_models.py"
    models.write_text(LEAKY_MODELS)
    result = run_cli("seed", f"{models}:Base", "--export", str(tmp_path / "out"))
    lines = error_lines(result)
    assert result.exit_code == 2 and len(lines) == 2, result.stderr
    assert "RuntimeError: cannot reach postgresql://app:***@db.internal/app" in lines[0]
    assert "password=*** host=db" in lines[0]
    assert "hunter2" not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture
def project(pytester: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makefile(".py", shop=SHOP_SOURCE)
    pytester.makeini(
        "[pytest]\nfixturekit_models = shop.py\nasyncio_default_fixture_loop_scope = function\n"
    )
    return pytester


def test_the_plugin_masks_passwords_of_a_failing_models_import(project: Any, pg_admin_url: URL):
    project.makefile(".py", leaky=LEAKY_MODELS)
    project.makepyfile(test_one="def test_one(db_session):\n    pass\n")
    url = pg_admin_url.render_as_string(hide_password=False)
    result = project.runpytest_subprocess(f"--fixturekit-url={url}", "--fixturekit-models=leaky.py")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output
    assert "postgresql://app:***@db.internal/app" in output
    assert "hunter2" not in output and "Traceback" not in output


def test_the_plugin_refuses_an_async_url_with_the_fix(project: Any, pg_admin_url: URL):
    project.makepyfile(test_one="def test_one(db_session):\n    pass\n")
    url = pg_admin_url.set(drivername="postgresql+asyncpg", password="s3cret", database="app")
    result = project.runpytest_subprocess(
        f"--fixturekit-url={url.render_as_string(hide_password=False)}"
    )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output
    assert output.count("ERROR: fixturekit") == 1 and "Traceback" not in output
    assert "uses the async driver asyncpg; give the sync URL (postgresql+psycopg://" in output
    assert "async_db_session derives the async URL from it by itself" in output
    assert "s3cret" not in output


def test_seed_and_test_connections_carry_application_name(
    project: Any, pg_schema_url: URL, pg_admin_url: URL
):
    execute(
        pg_schema_url,
        "CREATE TABLE seen (name text)",
        "CREATE FUNCTION record() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO seen VALUES (current_setting('application_name')); RETURN NULL; END $$",
        "CREATE TRIGGER record AFTER INSERT ON users FOR EACH STATEMENT EXECUTE FUNCTION record()",
    )
    url = pg_schema_url.render_as_string(hide_password=False)
    assert run_cli("seed", MODELS, "--url", url, "--rows", "users=3,orders=3").exit_code == 0
    assert query(pg_schema_url, "SELECT DISTINCT name FROM seen") == [("fixturekit seed",)]

    project.makepyfile(
        test_one="""
from sqlalchemy import text

def test_named(db_session):
    assert db_session.execute(text("SHOW application_name")).scalar() == "fixturekit test"
"""
    )
    user_db = pg_admin_url.set(database="fk_appname_user")
    result = project.runpytest_subprocess(
        f"--fixturekit-url={user_db.render_as_string(hide_password=False)}"
    )
    result.assert_outcomes(passed=1)
