"""`seed --jobs N` is all-or-nothing: killed parents take their workers with them, a failed or
killed shard rolls every shard back, Ctrl-C behaves as in a one-process seed."""

from __future__ import annotations

import os
import signal

import pytest
from faulthelp import (
    CLI,
    MODELS,
    alive,
    children,
    fingerprint,
    fixturekit_backends,
    no_traceback,
    wait_until,
)
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

INTERRUPTED = "interrupted: the load was rolled back, nothing was written."
ROWS = "users=4000,orders=8000"


def seed_jobs(url: URL, rows: str = ROWS) -> CLI:
    shown = url.render_as_string(hide_password=False)
    return CLI("seed", MODELS, "--url", shown, "--rows", rows, "--jobs", "2")


class HeldLock:
    """A SHARE lock on `orders` held by the test: the shards load `users`, then wait at `orders`
    (mid-transaction, rows written) until it is released."""

    def __init__(self, url: URL) -> None:
        self.engine = create_engine(url)
        self.conn = self.engine.connect()
        self.conn.exec_driver_sql("LOCK TABLE orders IN SHARE MODE")

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()
        self.engine.dispose()


def waiting_shards(admin: URL, database: str) -> int:
    return sum(
        1 for _pid, _name, state in fixturekit_backends(admin, database) if state == "active"
    )


@pytest.fixture
def loading(pg_schema_url: URL, pg_admin_url: URL):
    """A `seed --jobs 2` whose two shards are both mid-load (blocked on the held lock)."""
    before = fingerprint(pg_schema_url)
    lock = HeldLock(pg_schema_url)
    run = seed_jobs(pg_schema_url)
    try:
        wait_until(
            lambda: waiting_shards(pg_admin_url, pg_schema_url.database) == 2,
            what="both shards loading",
        )
        workers = children(run.pid)
        assert len(workers) == 2
        yield run, workers, lock, before
    finally:
        run.kill_group()
        lock.release()


def assert_rolled_back(url: URL, admin: URL, workers: list[int], before: dict) -> None:
    wait_until(lambda: not any(alive(p) for p in workers), 30, "the workers to end")
    wait_until(lambda: not fixturekit_backends(admin, url.database), 30, "connections to close")
    assert fingerprint(url) == before


def test_kill_9_of_the_parent_ends_the_workers_and_writes_nothing(
    loading, pg_schema_url, pg_admin_url
):
    run, workers, lock, before = loading
    os.kill(run.pid, signal.SIGKILL)
    assert run.wait() == -signal.SIGKILL
    # The workers died with their parent while they still waited for the lock.
    wait_until(lambda: not any(alive(p) for p in workers), 30, "the workers to end")
    lock.release()
    assert_rolled_back(pg_schema_url, pg_admin_url, workers, before)
    no_traceback(run.stderr)


@pytest.mark.parametrize("target", ["parent", "process group"])
def test_ctrl_c_rolls_every_shard_back_with_one_message(
    loading, pg_schema_url, pg_admin_url, target
):
    run, workers, lock, before = loading
    if target == "parent":
        os.kill(run.pid, signal.SIGINT)
    else:  # what a terminal does: every process of the foreground group gets SIGINT
        os.killpg(run.pid, signal.SIGINT)
    assert run.wait() == 130
    assert run.err == [INTERRUPTED]
    lock.release()
    assert_rolled_back(pg_schema_url, pg_admin_url, workers, before)


def test_a_killed_worker_rolls_every_shard_back(loading, pg_schema_url, pg_admin_url):
    run, workers, lock, before = loading
    os.kill(workers[0], signal.SIGKILL)
    assert run.wait() == 2
    lock.release()
    assert_rolled_back(pg_schema_url, pg_admin_url, workers, before)
    assert len(run.err) == 2, run.stderr  # one message: the summary line and the shard's line
    assert "every shard was rolled back, nothing was written" in run.err[0]
    assert "killed by SIGKILL" in run.err[1]


class Gate:
    """An advisory lock held by the test. Shard 2 of 2 holds the last user; a trigger makes it
    wait at that row for the gate (mid-load, rows written), then fail or carry on. The test
    opens the gate once it has seen what it needs (shard 1 ready), so no sleep has to outlast
    shard 1's load on a busy machine."""

    KEY = 4000

    def __init__(self, url: URL, *, fail: bool) -> None:
        from faulthelp import execute

        then = " RAISE EXCEPTION 'user 4000 refused';" if fail else ""
        execute(
            url,
            "CREATE FUNCTION gated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.id = 4000 THEN PERFORM pg_advisory_xact_lock({self.KEY});{then} END IF; "
            "RETURN NEW; END $$",
            "CREATE TRIGGER gated BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION gated()",
        )
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.conn = self.engine.connect()
        self.conn.exec_driver_sql(f"SELECT pg_advisory_lock({self.KEY})")

    def open(self) -> None:
        if self.conn.closed:
            return
        self.conn.exec_driver_sql(f"SELECT pg_advisory_unlock({self.KEY})")
        self.conn.close()
        self.engine.dispose()


def shard_1_ready(run: CLI) -> bool:
    return any("shard 1/2" in line and "ready" in line for line in run.out)


def test_a_failing_shard_rolls_back_the_shards_that_were_ready(pg_schema_url, pg_admin_url):
    before = fingerprint(pg_schema_url)
    gate = Gate(pg_schema_url, fail=True)
    run = seed_jobs(pg_schema_url)
    try:
        wait_until(lambda: shard_1_ready(run), what="shard 1 ready")
        gate.open()  # now shard 2 fails, while shard 1 waits for the go-ahead
        assert run.wait() == 2
    finally:
        run.kill_group()
        gate.open()
    assert run.err[0] == (
        "error: 1 of 2 shards failed; every shard was rolled back, nothing was written:"
    )
    assert "shard 2/2" in run.err[1] and "user 4000 refused" in run.err[1]
    assert len(run.err) == 2
    assert fingerprint(pg_schema_url) == before


def test_kill_9_while_shards_wait_for_the_go_ahead_writes_nothing(pg_schema_url, pg_admin_url):
    before = fingerprint(pg_schema_url)
    gate = Gate(pg_schema_url, fail=False)
    run = seed_jobs(pg_schema_url)
    try:
        wait_until(lambda: shard_1_ready(run), what="shard 1 ready")
        workers = children(run.pid)
        os.kill(run.pid, signal.SIGKILL)  # shard 2 still waits at the gate: no decision yet
        run.wait()
    finally:
        run.kill_group()
        gate.open()
    assert_rolled_back(pg_schema_url, pg_admin_url, workers, before)
    no_traceback(run.stderr)


def test_jobs_commit_every_shard_together(pg_schema_url, pg_admin_url):
    run = seed_jobs(pg_schema_url)
    try:
        assert run.wait() == 0, run.stderr
    finally:
        run.kill_group()
    after = fingerprint(pg_schema_url)
    assert after["users"][0] == 4000 and after["orders"][0] == 8000
    assert "all shards committed together" in run.stdout
    assert run.err == []
    assert not fixturekit_backends(pg_admin_url, pg_schema_url.database)


def test_a_check_deferred_to_commit_fails_before_the_go_ahead(pg_schema_url):
    """A constraint trigger deferred to COMMIT runs before a shard reports ready, so it cannot
    split the seed after the decision: every shard rolls back."""
    from faulthelp import execute

    before = fingerprint(pg_schema_url)
    execute(
        pg_schema_url,
        "CREATE FUNCTION late() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.id = 4000 THEN RAISE EXCEPTION 'user 4000 refused at commit'; END IF; "
        "RETURN NULL; END $$",
        "CREATE CONSTRAINT TRIGGER late AFTER INSERT ON users DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW EXECUTE FUNCTION late()",
    )
    run = seed_jobs(pg_schema_url)
    try:
        assert run.wait() == 2
    finally:
        run.kill_group()
    assert run.err[0] == (
        "error: 1 of 2 shards failed; every shard was rolled back, nothing was written:"
    )
    assert "shard 2/2: Checking deferred constraints: user 4000 refused at commit" in run.err[1]
    assert fingerprint(pg_schema_url) == before
