"""Database lifecycle safety: the user's database is never written, nothing unmarked is dropped,
odd names work, leftovers of dead runs are cleaned up and live runs are left alone."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from fixturekit.dialects import Mark, server_for
from fixturekit.errors import UnsafeDatabase
from fixturekit.plugin.config import Isolation
from fixturekit.plugin.databases import test_database_names as names_for
from fixturekit.plugin.sessions import IsolationScope, joined_session

from .conftest import DIALECTS, clean_counts, committed_counts, make_manager, user_url
from .shop import User

SERVER_DIALECTS = ["postgresql", "mysql"]


def _admin(url: URL) -> Any:
    return server_for(url)


def _create_raw(url: URL, name: str, sentinel: bool = True) -> None:
    """Create a database the way a user would: no mark, one table with one row."""
    server = _admin(url)
    try:
        server._execute(f"CREATE DATABASE {server.quote(name)}")
    finally:
        server.close()
    if sentinel:
        engine = create_engine(url.set(database=name), poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE sentinel (id INT PRIMARY KEY)"))
            conn.execute(text("INSERT INTO sentinel VALUES (42)"))
        engine.dispose()


def _drop_raw(url: URL, name: str) -> None:
    server = _admin(url)
    try:
        server._drop(name)
    finally:
        server.close()


def _sentinel_rows(url: URL) -> list[int]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT id FROM sentinel"))]
    finally:
        engine.dispose()


def _databases(url: URL, tmp_path: Path) -> list[str]:
    server = server_for(url, directory=tmp_path)
    try:
        return server.databases()
    finally:
        server.close()


def _exercise(manager: Any) -> None:
    """Provision, write through every path (leak + restore, fresh database), close."""
    manager.provision()
    scope = IsolationScope(mode=Isolation.SAVEPOINT)
    with joined_session(manager.engine, Isolation.SAVEPOINT, scope) as session:
        session.add(User(email="a@x"))
        session.commit()
    with manager.engine.begin() as conn:  # a leak, then the restore the plugin does
        conn.execute(text("INSERT INTO products (name) VALUES ('p')"))
    assert [t.name for t in manager.restore()] == ["products"]
    fresh = manager.fresh()
    assert committed_counts(fresh.url) == clean_counts()
    manager.drop_fresh(fresh)
    manager.close()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_odd_database_names_work_and_are_dropped(
    request: pytest.FixtureRequest, tmp_path: Path, dialect: str
) -> None:
    base = user_url(request, dialect, tmp_path)
    odd = f"""fk it's "odd"-name {base.database.rsplit("_", 1)[-1][:6]}"""
    if dialect == "sqlite":
        url = base.set(database=str(tmp_path / f"{odd}.db"))
    else:
        url = base.set(database=odd)
    manager = make_manager(url)
    assert manager.name.startswith(odd if dialect != "sqlite" else Path(odd).stem)
    _exercise(manager)
    assert [n for n in _databases(url, tmp_path) if n.startswith(odd)] == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_users_database_is_untouched(
    request: pytest.FixtureRequest, tmp_path: Path, dialect: str
) -> None:
    url = user_url(request, dialect, tmp_path)
    if dialect == "sqlite":
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE sentinel (id INT PRIMARY KEY)"))
            conn.execute(text("INSERT INTO sentinel VALUES (42)"))
        engine.dispose()
    else:
        _create_raw(url, url.database)
    try:
        _exercise(make_manager(url))
        assert _sentinel_rows(url) == [42]
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == ["sentinel"]
        engine.dispose()
    finally:
        if dialect != "sqlite":
            _drop_raw(url, url.database)


@pytest.mark.parametrize("dialect", SERVER_DIALECTS)
def test_unmarked_databases_are_never_dropped(
    request: pytest.FixtureRequest, tmp_path: Path, dialect: str
) -> None:
    url = user_url(request, dialect, tmp_path)
    manager = make_manager(url)
    own, other = manager.name, f"{manager.prefix}_gw7_f3"  # same naming scheme, no mark
    _create_raw(url, own)
    _create_raw(url, other)
    try:
        with pytest.raises(UnsafeDatabase, match="was not created by fixturekit"):
            manager.provision()
        manager.close()
        server = _admin(url)
        with pytest.raises(UnsafeDatabase, match="Refusing to drop"):
            server.drop(own)
        server.close()
        assert _sentinel_rows(url.set(database=own)) == [42]
        assert _sentinel_rows(url.set(database=other)) == [42]
    finally:
        _drop_raw(url, own)
        _drop_raw(url, other)


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("dialect", SERVER_DIALECTS)
def test_janitor_drops_leftovers_of_dead_runs_only(
    request: pytest.FixtureRequest, tmp_path: Path, dialect: str
) -> None:
    url = user_url(request, dialect, tmp_path)
    manager = make_manager(url)
    here = Mark.here()
    dead = Mark(here.host, _dead_pid(), "2020-01-01T00:00:00Z")
    alive = Mark(here.host, 1, "2020-01-01T00:00:00Z")  # pid 1 always exists
    server = _admin(url)
    leftover, running = f"{manager.prefix}_gw5_tpl", f"{manager.prefix}_gw6"
    server.create(leftover, dead)
    server.create(running, alive)
    try:
        manager.provision()
        names = server.databases()
        assert leftover not in names
        assert running in names
        assert any(leftover in n and str(dead.pid) in n for n in manager.notices)
        manager.close()
        # A live run holding this run's own name is left alone: this run takes the next slot.
        server.create(manager.name, alive)
        second = make_manager(url)
        second.provision()
        assert (second.name, second.template) == (
            f"{manager.prefix}_2",
            f"{manager.prefix}_2_tpl",
        )
        assert Mark.parse(server.read_mark(second.name)) == second.mark
        second.close()
        assert manager.name in server.databases()
        assert second.name not in server.databases()
    finally:
        for name in (leftover, running, manager.name):
            server._drop(name)
        server.close()


def test_worker_names_and_long_names_stay_within_limits(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    server = server_for(make_url("postgresql+psycopg://u@h/" + "x" * 70))
    prefix, base = names_for(server, "gw12")
    assert base == f"{prefix}_gw12"
    assert len(f"{base}_f9999".encode()) <= 63
    other_prefix, _ = names_for(server_for(make_url("postgresql+psycopg://u@h/" + "x" * 71)), None)
    assert other_prefix != prefix  # truncation keeps names apart through the hash
    manager = make_manager(make_url(f"sqlite:///{tmp_path / 'app.db'}"), worker="gw3")
    assert (manager.name, manager.template) == ("app_test_gw3", "app_test_gw3_tpl")


def test_mark_round_trip_and_owner_check() -> None:
    mark = Mark.here()
    assert Mark.parse(mark.render()) == mark
    assert mark.owner_alive()
    assert Mark.parse("a comment someone wrote") is None
    assert not Mark(mark.host, _dead_pid(), mark.created).owner_alive()
    assert Mark("some-other-host", 999999, mark.created).owner_alive()  # cannot tell: keep


@pytest.mark.parametrize("dialect", SERVER_DIALECTS)
def test_fresh_databases_are_cloned_ahead_and_all_dropped(
    request: pytest.FixtureRequest, tmp_path: Path, dialect: str
) -> None:
    url = user_url(request, dialect, tmp_path)
    manager = make_manager(url)
    manager.provision()
    try:
        first = manager.fresh()
        ahead = manager._spare.result()  # cloned in the background while the module runs
        assert ahead in _databases(url, tmp_path)
        second = manager.fresh()
        assert second.name == ahead
        assert committed_counts(second.url) == clean_counts()
        manager.drop_fresh(first)
        manager.drop_fresh(second)
    finally:
        manager.close()
    assert [n for n in _databases(url, tmp_path) if n.startswith(manager.prefix)] == []
