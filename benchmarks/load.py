"""A bounded load test of the pytest plugin: 2,000 small tests under `-n 2`.

    python benchmarks/load.py [--url postgresql+psycopg://postgres@127.0.0.1/fkload]
                              [--tests 2000] [--workers 2]

Writes a throwaway project and runs pytest on it once with xdist. Half the tests use the
plugin's `db_session`; the other half, interleaved with them, use a bare outer-transaction
rollback (a plain Session on `connection.begin()`, rolled back: the cheapest correct isolation)
on a database of their own that this script creates with the same schema. Every test does the
same work: insert one row, read a count. A test's cost is its setup + call + teardown as pytest
reports them, so the plugin's hooks (binding, leak check, lock-holder check, cleanup) are in it.

Prints the per-test cost of both and their ratio, then checks the server: no database named
after the run may be left afterwards (exit status 1 if one is). Opt-in (`make bench-load`),
never part of `make test`. Numbers from a shared machine move with its load: compare the ratio
within one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

WARMUP = 5  # first tests of each kind per worker: pools and caches warming up

MODELS = """
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(80), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
"""

CONFTEST = """
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

TIMES = {}


@pytest.fixture(scope="session")
def bare_engine():
    engine = create_engine(os.environ["LOAD_BARE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def bare_session(bare_engine):
    connection = bare_engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection)
    yield session
    session.close()
    transaction.rollback()
    connection.close()


def pytest_runtest_logreport(report):
    TIMES[report.nodeid] = TIMES.get(report.nodeid, 0.0) + report.duration


if os.environ.get("LOAD_NO_HOLDER_CHECK"):  # --no-holder-check: measure what it costs
    import fixturekit.plugin.runtest_hooks

    fixturekit.plugin.runtest_hooks._end_stray_transactions = lambda item, state: None


def pytest_sessionfinish(session):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None and getattr(session.config.option, "numprocesses", None):
        return  # the xdist controller sees every worker's reports again
    worker = worker or "main"
    out = Path(os.environ["LOAD_TIMES_DIR"]) / f"{worker}.json"
    out.write_text(json.dumps(TIMES))
"""

TESTS = """
import uuid

import pytest
from sqlalchemy import func, select

from models import Member, Team


def work(session):
    team = Team(name="t")
    session.add(team)
    session.flush()
    session.add(Member(email=f"{{uuid.uuid4().hex}}@example.com", team_id=team.id))
    session.flush()
    assert session.scalar(select(func.count()).select_from(Member)) == 1


@pytest.mark.parametrize("n", range({half}))
def test_plugin(n, db_session):
    work(db_session)


@pytest.mark.parametrize("n", range({half}))
def test_bare(n, bare_session):
    work(bare_session)
"""


def _admin(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _databases(url: str, prefix: str) -> list[str]:
    from sqlalchemy import text

    engine = _admin(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": f"{prefix}%"}
            )
            return [r[0] for r in rows]
    finally:
        engine.dispose()


def _create_bare(url: str, name: str, project: Path) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = _admin(url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    bare = make_url(url).set(database=name)
    sys.path.insert(0, str(project))
    import models  # the project's own models module

    engine = create_engine(bare)
    models.Base.metadata.create_all(engine)
    engine.dispose()
    return bare.render_as_string(hide_password=False)


def _drop(url: str, name: str) -> None:
    engine = _admin(url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1/fkload")
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-holder-check",
        action="store_true",
        help="Leave out the per-test check for sessions left in a transaction (to measure it).",
    )
    args = parser.parse_args()

    from sqlalchemy.engine import make_url

    run_id = uuid.uuid4().hex[:8]
    user_db = f"fkload_{run_id}"
    url = make_url(args.url).set(database=user_db).render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory(prefix="fixturekit-load-") as tmp:
        project = Path(tmp)
        (project / "models.py").write_text(MODELS)
        (project / "conftest.py").write_text(CONFTEST)
        (project / "test_load.py").write_text(TESTS.format(half=args.tests // 2))
        (project / "pytest.ini").write_text(
            "[pytest]\nfixturekit_models = models.py\n"
            "asyncio_default_fixture_loop_scope = function\n"
        )
        times_dir = project / "times"
        times_dir.mkdir()
        bare_name = f"{user_db}_bare"
        bare_url = _create_bare(url, bare_name, project)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
            "FIXTUREKIT_DATABASE_URL": url,
            "LOAD_BARE_URL": bare_url,
            "LOAD_TIMES_DIR": str(times_dir),
        }
        if args.no_holder_check:
            env["LOAD_NO_HOLDER_CHECK"] = "1"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            str(args.workers),
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
        ]
        started = time.perf_counter()
        try:
            run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        finally:
            _drop(url, bare_name)
        wall = time.perf_counter() - started
        if run.returncode != 0:
            print(run.stdout[-3000:], run.stderr[-2000:])
            print(f"load: pytest exited with {run.returncode}")
            return 1
        plugin, bare = [], []
        for path in times_dir.glob("*.json"):
            seen = {"plugin": 0, "bare": 0}
            for nodeid, seconds in json.loads(path.read_text()).items():
                kind = "plugin" if "test_plugin" in nodeid else "bare"
                seen[kind] += 1
                if seen[kind] > WARMUP:
                    (plugin if kind == "plugin" else bare).append(seconds)
    left = _databases(args.url, user_db)
    count = len(plugin) + len(bare)
    print(f"load: {args.tests:,} tests with -n {args.workers} in {wall:.1f} s (wall clock)")
    for name, values in (("bare rollback", bare), ("fixturekit db_session", plugin)):
        print(
            f"  {name:<22} median {statistics.median(values) * 1000:6.2f} ms/test, "
            f"mean {statistics.fmean(values) * 1000:6.2f} ms/test ({len(values)} timed)"
        )
    ratio = statistics.median(plugin) / statistics.median(bare)
    print(f"  per-test overhead ratio (median, fixturekit / bare rollback): {ratio:.2f}x")
    print(f"  timed tests: {count:,} (first {WARMUP} of each kind per worker left out)")
    print(f"  databases left afterwards: {len(left)}" + (f" ({', '.join(left)})" if left else ""))
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
