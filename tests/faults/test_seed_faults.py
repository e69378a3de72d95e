"""A one-process `seed` under faults: kill -9 and Ctrl-C during COPY and during the rebuild of
keys, a backend terminated by an operator, a trigger that raises. Each time the rows that were
there before are all still there, unchanged, and nothing new is; the message is one line."""

from __future__ import annotations

import os
import signal

import pytest
from faulthelp import (
    CLI,
    MODELS,
    execute,
    fingerprint,
    fixturekit_backends,
    no_traceback,
    query,
    run_cli,
    wait_until,
)
from sqlalchemy.engine import URL
from test_jobs import INTERRUPTED, HeldLock

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def existing(pg_schema_url: URL) -> tuple[URL, dict]:
    """The database already holds rows: they must survive every fault untouched."""
    url = pg_schema_url.render_as_string(hide_password=False)
    assert run_cli("seed", MODELS, "--url", url, "--rows", "users=25,orders=40").exit_code == 0
    return pg_schema_url, fingerprint(pg_schema_url)


def _seed(url: URL, *extra: str) -> CLI:
    shown = url.render_as_string(hide_password=False)
    return CLI("seed", MODELS, "--url", shown, *extra)


def _blocked_on_orders(admin: URL, url: URL) -> bool:
    return any(state == "active" for _p, _n, state in fixturekit_backends(admin, url.database))


@pytest.mark.parametrize("fault", ["kill -9", "Ctrl-C", "terminated backend"])
def test_a_fault_during_copy_keeps_the_rows_that_were_there(existing, pg_admin_url, fault):
    url, before = existing
    lock = HeldLock(url)  # users is copied, then the load waits at orders
    run = _seed(url, "--rows", "users=500,orders=900", "--append")
    try:
        wait_until(lambda: _blocked_on_orders(pg_admin_url, url), what="the seed mid-load")
        if fault == "kill -9":
            os.kill(run.pid, signal.SIGKILL)
        elif fault == "Ctrl-C":
            os.killpg(run.pid, signal.SIGINT)
        else:
            execute(
                pg_admin_url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                f"'{url.database}' AND application_name = 'fixturekit seed'",
            )
        code = run.wait()
    finally:
        run.kill_group()
        lock.release()
    wait_until(lambda: not fixturekit_backends(pg_admin_url, url.database), 30, "no session")
    assert fingerprint(url) == before
    no_traceback(run.stderr)
    if fault == "kill -9":
        assert code == -signal.SIGKILL
    elif fault == "Ctrl-C":
        assert code == 130 and run.err == [INTERRUPTED]
    else:
        assert code == 2 and len(run.err) == 2, run.stderr
        assert run.err[0].startswith("error: Loading ")
        assert run.err[0].endswith(": terminating connection due to administrator command")
        assert run.err[1] == "Nothing was written: the whole load was rolled back."


def _slow_index(url: URL) -> None:
    """An index whose every entry takes a millisecond to build: the seed's rebuild of keys and
    indexes after a bulk load (20,000 rows or more) lasts long enough to be interrupted."""
    execute(
        url,
        "CREATE FUNCTION slow_key(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS "
        "$$ BEGIN PERFORM pg_sleep(0.001); RETURN i; END $$",
        "CREATE INDEX users_slow ON users (slow_key(id))",
    )


def _rebuilding(admin: URL, url: URL) -> bool:
    rows = query(
        admin,
        "SELECT query FROM pg_stat_activity WHERE datname = :db AND state = 'active' "
        "AND application_name = 'fixturekit seed'",
        db=url.database,
    )
    return any("CREATE INDEX users_slow" in q for (q,) in rows)


@pytest.mark.parametrize("fault", ["kill -9", "Ctrl-C"])
def test_a_fault_during_the_rebuild_keeps_every_row_and_index(existing, pg_admin_url, fault):
    url, before = existing
    _slow_index(url)
    indexes = query(url, "SELECT indexname FROM pg_indexes WHERE tablename IN ('users', 'orders')")
    # --truncate: the old rows are removed and keys dropped in the same transaction.
    run = _seed(url, "--rows", "users=20000,orders=20000", "--truncate")
    try:
        wait_until(lambda: _rebuilding(pg_admin_url, url), 120, "the rebuild of indexes")
        if fault == "kill -9":
            os.kill(run.pid, signal.SIGKILL)
        else:
            os.killpg(run.pid, signal.SIGINT)
        code = run.wait()
    finally:
        run.kill_group()
    wait_until(lambda: not fixturekit_backends(pg_admin_url, url.database), 30, "no session")
    assert fingerprint(url) == before
    assert sorted(
        query(url, "SELECT indexname FROM pg_indexes WHERE tablename IN ('users', 'orders')")
    ) == sorted(indexes)
    no_traceback(run.stderr)
    assert code == (-signal.SIGKILL if fault == "kill -9" else 130)
    if fault == "Ctrl-C":
        assert run.err == [INTERRUPTED]


def test_a_raising_trigger_rolls_the_seed_back_with_its_message(existing):
    url, before = existing
    execute(
        url,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.id = 300 THEN RAISE EXCEPTION 'order 300 is refused by policy'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse()",
    )
    shown = url.render_as_string(hide_password=False)
    result = run_cli("seed", MODELS, "--url", shown, "--rows", "users=100,orders=400", "--append")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 2, result.stderr
    assert lines[0] == "error: Loading orders: order 300 is refused by policy"
    assert lines[1] == "Nothing was written: the whole load was rolled back."
    assert fingerprint(url) == before
