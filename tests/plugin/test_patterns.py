"""Application-code patterns inside the savepoint-isolated session leave nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fixturekit.plugin.config import Isolation
from fixturekit.plugin.sessions import IsolationScope, joined_session

from .conftest import clean_counts, committed_counts
from .shop import User


def _users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def flush_only(s: Session) -> int:
    s.add(User(email="a@x"))
    s.flush()
    return 1


def commit(s: Session) -> int:
    s.add(User(email="a@x"))
    s.commit()
    return 1


def commit_twice(s: Session) -> int:
    s.add(User(email="a@x"))
    s.commit()
    s.add(User(email="b@x"))
    s.commit()
    return 2


def rollback(s: Session) -> int:
    s.add(User(email="a@x"))
    s.rollback()
    s.add(User(email="b@x"))
    s.commit()
    return 1


def nested_commit(s: Session) -> int:
    with s.begin_nested():
        s.add(User(email="a@x"))
    s.commit()
    return 1


def nested_rollback(s: Session) -> int:
    s.add(User(email="a@x"))
    nested = s.begin_nested()
    s.add(User(email="b@x"))
    nested.rollback()
    s.commit()
    return 1


def nested_twice(s: Session) -> int:
    with s.begin_nested():
        s.add(User(email="a@x"))
        with s.begin_nested():
            s.add(User(email="b@x"))
    s.commit()
    return 2


def with_begin(s: Session) -> int:
    with s.begin():
        s.add(User(email="a@x"))
    return 1


def integrity_error_recovery(s: Session) -> int:
    s.add(User(email="a@x"))
    s.commit()
    s.add(User(email="a@x"))
    with pytest.raises(IntegrityError):
        s.commit()
    s.rollback()
    s.add(User(email="b@x"))
    s.commit()
    return 2


def integrity_error_in_nested(s: Session) -> int:
    s.add(User(email="a@x"))
    s.flush()
    try:
        with s.begin_nested():
            s.add(User(email="a@x"))
    except IntegrityError:
        pass
    s.commit()
    return 1


def core_insert(s: Session) -> int:
    s.execute(insert(User).values(email="a@x"))
    s.commit()
    return 1


def close_and_reuse(s: Session) -> int:
    s.add(User(email="a@x"))
    s.commit()
    s.close()
    s.add(User(email="b@x"))
    s.commit()
    return 2


PATTERNS: list[Callable[[Session], int]] = [
    flush_only,
    commit,
    commit_twice,
    rollback,
    nested_commit,
    nested_rollback,
    nested_twice,
    with_begin,
    integrity_error_recovery,
    integrity_error_in_nested,
    core_insert,
    close_and_reuse,
]


def run_pattern(engine: Any, mode: Isolation, pattern: Callable[[Session], int]) -> None:
    scope = IsolationScope(mode=mode)
    with joined_session(engine, mode, scope) as session:
        expected = pattern(session)
        assert _users(session) == expected  # the writes happened, inside the test


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.__name__)
def test_savepoint_mode_leaves_nothing(manager: Any, pattern: Callable[[Session], int]) -> None:
    run_pattern(manager.engine, Isolation.SAVEPOINT, pattern)
    assert committed_counts(manager.engine.url) == clean_counts()
    assert manager.probe.dirty() == []


@pytest.mark.parametrize(
    "pattern", [commit, nested_rollback, with_begin, core_insert], ids=lambda p: p.__name__
)
def test_transaction_mode_leaves_nothing_without_rollback(
    manager: Any, pattern: Callable[[Session], int]
) -> None:
    run_pattern(manager.engine, Isolation.TRANSACTION, pattern)
    assert committed_counts(manager.engine.url) == clean_counts()
