"""The FastAPI example: the session dependency overridden with db_session (sync) and
async_db_session (async), path operations committing, nothing left after each test."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fastapi_heroes"


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_example_api_tests_pass(
    dialect: str, request: pytest.FixtureRequest, pytester: pytest.Pytester
) -> None:
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True)
    args = ["-p", "no:randomly"]
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith(("PYTEST_", "FIXTUREKIT_"))]:
            patch.delenv(name)
        if dialect != "sqlite":
            fixture = "pg_admin_url" if dialect == "postgresql" else "mysql_admin_url"
            url = request.getfixturevalue(fixture).set(database=f"fkapi_{uuid.uuid4().hex[:8]}")
            patch.setenv("FIXTUREKIT_DATABASE_URL", url.render_as_string(hide_password=False))
        if dialect == "mysql":  # no async MariaDB driver among the test dependencies
            args += ["-k", "not async"]
        result = pytester.runpytest(*args)
    result.assert_outcomes(passed=3 if dialect == "mysql" else 4)
