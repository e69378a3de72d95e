"""The known traps of transactional test isolation, each shown to exist and shown handled."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from fixturekit.plugin.config import Isolation
from fixturekit.plugin.sessions import IsolationScope, joined_session

from .conftest import clean_counts, committed_counts, make_manager, user_url
from .shop import User
from .test_patterns import PATTERNS, integrity_error_recovery


@pytest.fixture
def restored(manager: Any) -> Iterator[Any]:
    """The module's manager, put back to a clean state after a test that leaks on purpose."""
    yield manager
    manager.restore()
    assert committed_counts(manager.engine.url) == clean_counts()


def _leaking_join(engine: Any, join_mode: str | None) -> None:
    connection = engine.connect()
    outer = connection.begin()
    options = {"join_transaction_mode": join_mode} if join_mode else {}
    session = Session(bind=connection, **options)
    try:
        integrity_error_recovery(session)
    finally:
        session.close()
        if outer.is_active:
            outer.rollback()
        elif connection.in_transaction():
            connection.rollback()
        connection.close()


@pytest.mark.parametrize("join_mode", [None, "rollback_only", "control_fully"])
def test_join_modes_other_than_create_savepoint_leak_after_integrity_error(
    restored: Any, join_mode: str | None
) -> None:
    # session.rollback() after the IntegrityError ends the outer transaction; the next commit is
    # real. The leak check sees it from its own connection.
    _leaking_join(restored.engine, join_mode)
    assert [t.name for t in restored.probe.dirty()] == ["users"]


def test_create_savepoint_survives_integrity_error(restored: Any) -> None:
    _leaking_join(restored.engine, "create_savepoint")
    assert restored.probe.dirty() == []


def _pattern_leaks(engine: Any, url: Any) -> list[str]:
    leaked = []
    for pattern in PATTERNS:
        scope = IsolationScope(mode=Isolation.SAVEPOINT)
        with joined_session(engine, Isolation.SAVEPOINT, scope) as session:
            pattern(session)
        if committed_counts(url)["users"]:
            leaked.append(pattern.__name__)
            with create_engine(url, poolclass=NullPool).begin() as conn:
                conn.execute(text("DELETE FROM users"))
    return leaked


def test_pysqlite_needs_the_begin_workaround(tmp_path: Path) -> None:
    manager = make_manager(user_url(None, "sqlite", tmp_path))  # type: ignore[arg-type]
    manager.provision()
    try:
        url = manager.engine.url
        plain = create_engine(url)  # the driver's own transaction handling
        try:
            without = _pattern_leaks(plain, url)
        finally:
            plain.dispose()
        with_workaround = _pattern_leaks(manager.engine, url)
    finally:
        manager.close()
    # Only a flush with no commit stays inside the driver's implicit transaction.
    assert without == [p.__name__ for p in PATTERNS if p.__name__ != "flush_only"]
    assert with_workaround == []


def test_connection_commit_escapes_and_is_caught(restored: Any) -> None:
    scope = IsolationScope(mode=Isolation.SAVEPOINT)
    with joined_session(restored.engine, Isolation.SAVEPOINT, scope) as session:
        session.add(User(email="escape@x"))
        session.flush()
        session.connection().commit()
        assert scope.outer_ended
    assert committed_counts(restored.engine.url)["users"] == 1
    leaks = restored.probe.leaks(restored.probe.dirty())
    assert [(leak.table.name, leak.rows) for leak in leaks] == [("users", 1)]


def test_second_connection_escapes_and_is_caught(restored: Any) -> None:
    scope = IsolationScope(mode=Isolation.SAVEPOINT)
    with joined_session(restored.engine, Isolation.SAVEPOINT, scope) as session:
        # The second writer goes first: SQLite lets only one connection hold a write lock.
        with restored.engine.begin() as other:
            other.execute(text("INSERT INTO products (name) VALUES ('escaped')"))
        session.add(User(email="inside@x"))
        session.flush()
        assert not scope.outer_ended
    assert [t.name for t in restored.probe.dirty()] == ["products"]


def test_deleting_seed_rows_is_a_leak_and_restore_brings_them_back(restored: Any) -> None:
    with restored.engine.begin() as other:
        other.execute(text("DELETE FROM roles WHERE id = 2"))
    leaks = restored.probe.leaks(restored.probe.dirty())
    assert [(leak.table.name, leak.rows, leak.expected) for leak in leaks] == [("roles", 1, 2)]
    assert [t.name for t in restored.restore()] == ["roles"]
    assert committed_counts(restored.engine.url) == clean_counts()


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_second_connection_waiting_on_the_tests_rows_times_out(
    request: pytest.FixtureRequest, tmp_path: Path, dialect: str
) -> None:
    manager = make_manager(user_url(request, dialect, tmp_path), lock_timeout=1)
    manager.provision()
    try:
        scope = IsolationScope(mode=Isolation.SAVEPOINT)
        with joined_session(manager.engine, Isolation.SAVEPOINT, scope) as session:
            session.add(User(id=7, email="held@x"))
            session.flush()
            # An engine the application made itself: on PostgreSQL the database-level lock
            # timeout reaches it too; elsewhere the plugin's engine carries the setting.
            other_engine = (
                create_engine(manager.engine.url, poolclass=NullPool)
                if dialect == "postgresql"
                else manager.engine
            )
            started = time.monotonic()
            with pytest.raises(OperationalError) as raised, other_engine.begin() as other:
                other.execute(text("INSERT INTO users (id, email) VALUES (7, 'held@x')"))
            waited = time.monotonic() - started
            if other_engine is not manager.engine:
                other_engine.dispose()
        assert manager.server.is_lock_timeout(raised.value)
        assert 0.5 < waited < 4
        assert committed_counts(manager.engine.url) == clean_counts()
    finally:
        manager.close()


@pytest.fixture
def mysql_manager(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    manager = make_manager(user_url(request, "mysql", tmp_path))
    manager.provision()
    try:
        yield manager
    finally:
        manager.close()


def test_mariadb_ddl_commits_implicitly_and_is_reported(mysql_manager: Any) -> None:
    scope = IsolationScope(mode=Isolation.SAVEPOINT)
    seen: list[str] = []
    mysql_manager.implicit_commit_hook = lambda conn, statement: seen.append(statement)
    # Closing the session afterwards fails: the DDL's implicit commit removed its savepoint.
    with (
        pytest.raises(OperationalError, match=r"SAVEPOINT .* does not exist"),
        joined_session(mysql_manager.engine, Isolation.SAVEPOINT, scope) as session,
    ):
        session.add(User(email="before-ddl@x"))
        session.flush()
        session.execute(text("CREATE TABLE made_in_test (id INT)"))
    assert seen == ["CREATE TABLE made_in_test (id INT)"]
    assert committed_counts(mysql_manager.engine.url)["users"] == 1  # the savepoint is gone
    assert [t.name for t in mysql_manager.probe.dirty()] == ["users"]


def test_myisam_ignores_rollback_and_is_detected(mysql_manager: Any) -> None:
    fresh = mysql_manager.fresh()
    try:
        with fresh.engine.begin() as conn:
            conn.execute(text("CREATE TABLE counters (n INT) ENGINE=MyISAM"))
        with fresh.engine.connect() as conn:
            outer = conn.begin()
            conn.execute(text("SAVEPOINT s1"))
            conn.execute(text("INSERT INTO counters VALUES (1)"))
            conn.execute(text("ROLLBACK TO SAVEPOINT s1"))
            outer.rollback()
            assert conn.execute(text("SELECT count(*) FROM counters")).scalar_one() == 1
            assert mysql_manager.server.nontransactional_tables(conn) == ["counters (MyISAM)"]
    finally:
        mysql_manager.drop_fresh(fresh)


def test_sqlite_integrity_error_does_not_poison_later_tests(restored: Any) -> None:
    # The savepoint mode's rollback after a failed flush only rolls back to the savepoint.
    scope = IsolationScope(mode=Isolation.SAVEPOINT)
    with joined_session(restored.engine, Isolation.SAVEPOINT, scope) as session:
        session.add_all([User(email="dup@x"), User(email="dup@x")])
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        assert not scope.outer_ended
    assert restored.probe.dirty() == []


def test_cleanup_falls_back_when_the_quick_order_breaks_a_foreign_key(restored: Any) -> None:
    from fixturekit.dialects import TableRef

    with restored.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, email) VALUES (500, 'u@x')"))
        conn.execute(text("INSERT INTO orders (id, user_id) VALUES (500, 500)"))
    # Children listed first: on PostgreSQL the quick DELETEs run users before orders, the
    # foreign key refuses, and TRUNCATE ... CASCADE cleans up instead.
    restored.probe.clean([TableRef("orders"), TableRef("users")])
    assert committed_counts(restored.engine.url) == clean_counts()
