"""The pytest plugin under faults: a test that leaves a transaction open is named at that test
and its session ended, so later tests run; two runs on one URL both run; nothing is left."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from faulthelp import query
from sqlalchemy.engine import URL

SHOP_SOURCE = (Path(__file__).parent.parent / "plugin" / "shop.py").read_text()

STRAY = """
from sqlalchemy import create_engine, text

from shop import User

KEPT = []


def test_keeps_a_lock(db_engine):
    conn = db_engine.connect()
    conn.execute(text("LOCK TABLE products IN ACCESS EXCLUSIVE MODE"))
    KEPT.append(conn)  # never closed, never committed


def test_after_the_lock(db_session):
    assert db_session.execute(text("SELECT count(*) FROM products")).scalar() == 0


def test_keeps_a_transaction(db_engine):
    other = create_engine(db_engine.url)
    conn = other.connect()
    conn.execute(text("INSERT INTO users (email) VALUES ('held@example.com')"))
    KEPT.append(conn)  # uncommitted: its row and its locks stay


def test_after_the_transaction(db_session):
    db_session.add(User(email="held@example.com"))
    db_session.flush()  # the same key: would wait for the stray transaction


def test_last(db_session):
    assert db_session.query(User).count() == 0
"""


@pytest.fixture
def project(pytester: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makefile(".py", shop=SHOP_SOURCE)
    pytester.makeini(
        "[pytest]\nfixturekit_models = shop.py\nasyncio_default_fixture_loop_scope = function\n"
        "fixturekit_lock_timeout = 3\n"
    )
    return pytester


def _user_url(pg_admin_url: URL) -> URL:
    return pg_admin_url.set(database=f"fkf_{uuid.uuid4().hex[:10]}")


def _left(pg_admin_url: URL, user: URL) -> list[tuple]:
    return query(
        pg_admin_url,
        "SELECT datname FROM pg_database WHERE datname LIKE :prefix",
        prefix=f"{user.database}%",
    )


def test_a_stray_transaction_is_named_at_its_test_and_ended(project: Any, pg_admin_url: URL):
    project.makepyfile(test_stray=STRAY)
    user = _user_url(pg_admin_url)
    result = project.runpytest_subprocess(
        f"--fixturekit-url={user.render_as_string(hide_password=False)}"
    )
    result.assert_outcomes(passed=5, errors=2)
    output = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_keeps_a_lock*",
            "*this test left a transaction open on a connection of its own*",
            "*session * ('fixturekit test'), idle in transaction: holds AccessExclusiveLock on "
            "products*",
            "*fixturekit ended that connection*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_keeps_a_transaction*",
            "*idle in transaction: holds RowExclusiveLock on users*",
        ]
    )
    assert "test_after_the_lock" not in output.split("short test summary")[-1]
    assert _left(pg_admin_url, user) == []


CONCURRENT = """
import time
from pathlib import Path

from sqlalchemy import text


def test_run(db_session):
    name = db_session.execute(text("SELECT current_database()")).scalar()
    flag = Path({flags!r})
    (flag / {me!r}).write_text(name)
    deadline = time.monotonic() + 120
    while not (flag / {other!r}).exists():  # both runs are alive at once
        assert time.monotonic() < deadline
        time.sleep(0.1)
"""


def test_two_runs_on_one_url_both_run_and_leave_nothing(
    pytester: Any, pg_admin_url: URL, tmp_path: Path
):
    user = _user_url(pg_admin_url)
    flags = tmp_path / "flags"
    flags.mkdir()
    runs = []
    for me, other in (("a", "b"), ("b", "a")):
        folder = tmp_path / me
        folder.mkdir()
        (folder / "shop.py").write_text(SHOP_SOURCE)
        (folder / "pytest.ini").write_text(
            "[pytest]\nfixturekit_models = shop.py\nasyncio_default_fixture_loop_scope = function\n"
        )
        (folder / "test_run.py").write_text(CONCURRENT.format(flags=str(flags), me=me, other=other))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FIXTUREKIT_"))}
        env["FIXTUREKIT_DATABASE_URL"] = user.render_as_string(hide_password=False)
        runs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:randomly",
                    "-p",
                    "no:cacheprovider",
                ],
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    names = sorted((flags / me).read_text() for me in ("a", "b"))
    assert names == [f"{user.database}_test", f"{user.database}_test_2"]
    assert _left(pg_admin_url, user) == []


HANGS = """
import time


def test_hangs(db_session):
    time.sleep(300)  # killed long before
"""

PASSES = """
def test_passes(db_session):
    pass
"""


def test_a_killed_run_is_cleaned_up_by_the_next_and_the_users_database_is_untouched(
    pg_admin_url: URL, tmp_path: Path
):
    from faulthelp import execute, fingerprint, wait_until

    user = _user_url(pg_admin_url)
    execute(pg_admin_url, f'CREATE DATABASE "{user.database}"')
    try:
        execute(
            user,
            "CREATE TABLE users (id int PRIMARY KEY, email text, name text)",
            "CREATE TABLE orders (id int PRIMARY KEY)",
            "INSERT INTO users VALUES (7, 'sentinel@example.com', 'Sentinel')",
        )
        before = fingerprint(user)
        (tmp_path / "shop.py").write_text(SHOP_SOURCE)
        (tmp_path / "pytest.ini").write_text(
            "[pytest]\nfixturekit_models = shop.py\nasyncio_default_fixture_loop_scope = function\n"
        )
        (tmp_path / "test_hangs.py").write_text(HANGS)
        env = {"FIXTUREKIT_DATABASE_URL": user.render_as_string(hide_password=False)}
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_hangs.py"],
            cwd=tmp_path,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until(
                lambda: (f"{user.database}_test",) in _left(pg_admin_url, user),
                120,
                "the test database",
            )
            process.kill()
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
        # A killed run cannot clean up: its test database and template stay behind, marked.
        assert (f"{user.database}_test_tpl",) in _left(pg_admin_url, user)
        (tmp_path / "test_hangs.py").unlink()
        (tmp_path / "test_passes.py").write_text(PASSES)
        after = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=tmp_path,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert after.returncode == 0, after.stdout + after.stderr
        assert f"dropped '{user.database}_test" in after.stdout
        assert "left behind by an earlier run" in after.stdout
        assert _left(pg_admin_url, user) == [(user.database,)]
        assert fingerprint(user) == before
    finally:
        execute(pg_admin_url, f'DROP DATABASE IF EXISTS "{user.database}" WITH (FORCE)')
