"""A template kept across runs: reused while its fingerprint matches, rebuilt when it does not,
never half-built, never built twice by concurrent runs, nothing unmarked touched."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.pool import NullPool

import fixturekit
from fixturekit.dialects import server_for
from fixturekit.errors import UnsafeDatabase
from fixturekit.plugin.building import build_schema
from fixturekit.plugin.databases import DatabaseManager, KeptTemplate
from fixturekit.plugin.fingerprint import fingerprint

from . import shop
from .conftest import DIALECTS, user_url


@pytest.fixture(autouse=True)
def _no_outer_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The inner pytest runs are runs of their own, not workers of this suite's xdist run (a
    # worker sends its notices to the controller instead of printing them).
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


class Builds:
    """A schema build that counts itself, optionally slow or failing half way."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.count = 0
        self.delay = delay
        self.fail = fail
        self._lock = threading.Lock()

    def __call__(self, engine: Any) -> Any:
        with self._lock:
            self.count += 1
        tables = build_schema(engine, [shop.Base.metadata], None, Path.cwd())
        time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("build interrupted")
        return tables


def _manager(url: Any, builds: Builds, digest: str, *, rebuild: bool = False, worker=None) -> Any:
    return DatabaseManager(
        server_for(url),
        worker=worker,
        lock_timeout=5.0,
        build_schema=builds,
        notice=lambda text: None,
        kept=KeptTemplate(digest, rebuild),
    )


@pytest.fixture(params=DIALECTS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A user URL; the kept template next to it is dropped afterwards."""
    found = user_url(request, request.param, tmp_path)
    yield found
    server = server_for(found)
    name = f"{server.base_name()}_test_kept"
    if server.read_mark(name) is not None:
        server.drop(name)
    server.close()


def _roles(manager: Any) -> int:
    with manager.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM roles")).scalar_one()


def _provision(manager: Any) -> str:
    manager.provision()
    try:
        assert _roles(manager) == 2  # rows the build inserted are part of the template
        return manager.kept_status
    finally:
        manager.close()


def test_reused_while_the_fingerprint_matches(url: Any) -> None:
    builds = Builds()
    assert _provision(_manager(url, builds, "aa")) == "built"
    assert _provision(_manager(url, builds, "aa")) == "reused"
    assert builds.count == 1
    assert _provision(_manager(url, builds, "bb")) == "built"
    assert _provision(_manager(url, builds, "bb", rebuild=True)) == "built"
    assert _provision(_manager(url, builds, "bb")) == "reused"
    assert builds.count == 3
    server = server_for(url)
    try:
        left = [n for n in server.databases() if n.startswith(f"{server.base_name()}_test")]
        assert left == [f"{server.base_name()}_test_kept"]  # the run's own copies are dropped
    finally:
        server.close()


def test_an_interrupted_build_is_never_reused(url: Any) -> None:
    with pytest.raises(Exception, match="build interrupted"):
        _manager(url, Builds(fail=True), "aa").provision()
    # A build killed before its fingerprint was written: marked, but without a fingerprint.
    server = server_for(url)
    name = f"{server.base_name()}_test_kept"
    manager = _manager(url, Builds(), "aa")
    server.create(name, manager.mark)
    server.close()
    builds = Builds()
    assert _provision(_manager(url, builds, "aa")) == "built"
    assert builds.count == 1


def test_an_unmarked_database_is_not_touched(url: Any) -> None:
    server = server_for(url)
    name = f"{server.base_name()}_test_kept"
    if server.family == "sqlite":
        server.check()
        engine = create_engine(f"sqlite:///{server.path(name)}", poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE mine (id INT)"))
        engine.dispose()
    else:
        server._execute(f"CREATE DATABASE {server.quote(name)}")
    try:
        manager = _manager(url, Builds(), "aa")
        with pytest.raises(UnsafeDatabase, match="not created by fixturekit"):
            manager.provision()
        manager.close()
        assert server.read_mark(name) == ""  # still there, still unmarked
    finally:
        server._drop(name)
        server.close()


def test_concurrent_runs_build_once(url: Any) -> None:
    builds = Builds(delay=1.0)
    managers = [_manager(url, builds, "cc", worker=f"gw{i}") for i in range(2)]
    errors: list[BaseException] = []

    def run(manager: Any) -> None:
        try:
            manager.provision()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert builds.count == 1
        assert sorted(m.kept_status for m in managers) == ["built", "reused"]
        assert [_roles(m) for m in managers] == [2, 2]
    finally:
        for manager in managers:
            manager.close()


# --- the fingerprint ---------------------------------------------------------------------


def _metadata(extra_column: bool = False, seed: str = "'a'") -> MetaData:
    from sqlalchemy import DDL, event

    metadata = MetaData()
    columns = [Column("id", Integer, primary_key=True), Column("name", String(20))]
    if extra_column:
        columns.append(Column("code", String(3)))
    table = Table("things", metadata, *columns)
    event.listen(table, "after_create", DDL(f"INSERT INTO things (name) VALUES ({seed})"))
    return metadata


def _fp(metadata: MetaData, **options: str) -> str:
    return fingerprint([metadata], None, postgresql.dialect(), {"dialect": "postgresql", **options})


def test_fingerprint_follows_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    base = _fp(_metadata())
    assert _fp(_metadata()) == base
    assert _fp(_metadata(extra_column=True)) != base
    assert _fp(_metadata(seed="'b'")) != base  # rows the build inserts
    assert _fp(_metadata(), models="app.models") != base
    monkeypatch.setattr(fixturekit, "__version__", "99.0")
    assert _fp(_metadata()) != base


REVISION = """
revision = "{rev}"
down_revision = {down}

def upgrade():
    from alembic import op
    op.execute("{sql}")
"""


def test_fingerprint_follows_the_migrations(tmp_path: Path) -> None:
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions.parent / "env.py").write_text("# env\n")
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = migrations\n")
    first = versions / "0001.py"
    first.write_text(REVISION.format(rev="0001", down=None, sql="CREATE TABLE a (id INT)"))

    def current() -> str:
        return fingerprint([], ini, postgresql.dialect(), {"dialect": "postgresql"})

    base = current()
    assert current() == base
    first.write_text(REVISION.format(rev="0001", down=None, sql="CREATE TABLE a (id BIGINT)"))
    edited = current()
    assert edited != base
    (versions / "0002.py").write_text(
        REVISION.format(rev="0002", down='"0001"', sql="CREATE TABLE b (id INT)")
    )
    assert current() not in (base, edited)
    cache = versions / "__pycache__"
    cache.mkdir()
    (cache / "0002.cpython-311.pyc").write_bytes(b"compiled")
    with_new = current()
    (cache / "0002.cpython-311.pyc").write_bytes(b"compiled again")
    assert current() == with_new  # bytecode caches are not the migrations


def test_end_to_end_model_change(pytester: Any, pg_admin_url: Any) -> None:
    name = f"fkk_{uuid.uuid4().hex[:8]}"
    url = pg_admin_url.set(database=name).render_as_string(False)
    models = pytester.makepyfile(
        models="""
        from sqlalchemy import String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Thing(Base):
            __tablename__ = "things"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(20))
        """
    )
    pytester.makeini("[pytest]\nfixturekit_models = models.py\nfixturekit_keep_template = true\n")
    pytester.makepyfile(
        test_things="""
        from sqlalchemy import inspect

        def test_columns(db_session):
            columns = [c["name"] for c in inspect(db_session.connection()).get_columns("things")]
            print("COLUMNS", columns)
        """
    )
    try:
        first = pytester.runpytest("-s", f"--fixturekit-url={url}")
        first.assert_outcomes(passed=1)
        first.stdout.fnmatch_lines(["*built the kept template*none was kept*"])
        second = pytester.runpytest("-s", f"--fixturekit-url={url}")
        second.assert_outcomes(passed=1)
        assert "built the kept template" not in second.stdout.str()
        models.write_text(
            models.read_text().rstrip() + "\n    code: Mapped[str] = mapped_column(String(3))\n"
        )
        third = pytester.runpytest("-s", f"--fixturekit-url={url}")
        third.assert_outcomes(passed=1)
        third.stdout.fnmatch_lines(
            ["*built the kept template*the schema, migrations or options changed*"]
        )
        assert "COLUMNS ['id', 'name', 'code']" in third.stdout.str()
        forced = pytester.runpytest("-s", f"--fixturekit-url={url}", "--fixturekit-rebuild")
        forced.stdout.fnmatch_lines(["*built the kept template*--fixturekit-rebuild*"])
    finally:
        server = server_for(pg_admin_url.set(database=name))
        try:
            left = [n for n in server.databases() if n.startswith(f"{name}_test")]
            assert left == [f"{name}_test_kept"]
            server.drop(f"{name}_test_kept")
        finally:
            server.close()


def _fresh_roles(manager: Any) -> int:
    fresh = manager.fresh()
    try:
        with fresh.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM roles")).scalar_one()
    finally:
        manager.drop_fresh(fresh)


def test_fresh_databases_even_after_another_run_replaced_it(url: Any) -> None:
    builds = Builds()
    assert _provision(_manager(url, builds, "aa")) == "built"
    running = _manager(url, builds, "aa")
    running.provision()
    try:
        assert running.kept_status == "reused"
        # Another run with another schema replaces the kept template meanwhile: this run's
        # fresh databases come from a template of its own schema, built for it.
        assert _provision(_manager(url, builds, "bb")) == "built"
        assert builds.count == 2
        assert _fresh_roles(running) == 2
        assert builds.count == 3
        assert _fresh_roles(running) == 2  # built once, then cloned
        assert builds.count == 3
        running.recreate()
        assert _roles(running) == 2
    finally:
        running.close()


def test_ephemeral_server_with_a_cache_keeps_the_template(pytester: Any) -> None:
    import shutil
    import tempfile

    from fixturekit.plugin.ephemeral import find_bindir

    if find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries")
    cache = Path(tempfile.mkdtemp(prefix="fk-cache-test-", dir="/tmp"))
    cache.chmod(0o755)  # reachable by the server's account when running as root
    pytester.makefile(".py", shop=(Path(__file__).parent / "shop.py").read_text())
    pytester.makeini("[pytest]\nfixturekit_models = shop.py\nfixturekit_keep_template = true\n")
    pytester.makepyfile(
        test_roles="""
        from sqlalchemy import text

        def test_roles(db_session):
            assert db_session.execute(text("SELECT count(*) FROM roles")).scalar() == 2
        """
    )
    options = ["--fixturekit-server=ephemeral", f"--fixturekit-server-cache={cache}"]
    try:
        first = pytester.runpytest(*options)
        first.assert_outcomes(passed=1)
        first.stdout.fnmatch_lines(["*built the kept template*"])
        assert [p.parent.parent == cache for p in cache.glob("pg-*/PG_VERSION")] == [True]
        second = pytester.runpytest(*options)
        second.assert_outcomes(passed=1)
        assert "built the kept template" not in second.stdout.str()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
