"""Isolation modes: how `db_session` (and `async_db_session`) keep a test's writes from lasting.

- savepoint: the test runs inside an outer transaction on one connection; the Session joins it
  with `join_transaction_mode="create_savepoint"` (SQLAlchemy 2.x's supported way), so the code
  under test may commit, roll back, nest savepoints and recover from errors, and everything is
  rolled back at the end. The other join modes let `session.rollback()` end the outer transaction,
  after which commits are real.
- transaction: the same outer transaction, joined with "rollback_only": no savepoint round trip,
  for code that never calls rollback(); a rollback ends the outer transaction (the leak check
  reports what escaped afterwards).
- truncate: real commits; the tables the test touched are emptied afterwards.
- fresh-db: real commits in a database cloned for this test and dropped after it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from fixturekit.plugin.config import Isolation

JOIN_MODES = {Isolation.SAVEPOINT: "create_savepoint", Isolation.TRANSACTION: "rollback_only"}


@dataclass
class IsolationScope:
    """What the leak check needs to know about one test's isolation."""

    mode: Isolation
    connection: Any = None  # the connection holding the outer transaction
    outer: Any = None  # that outer transaction
    implicit_commits: list[str] = field(default_factory=list)
    fresh: Any = None  # FreshDatabase in fresh-db mode

    @property
    def outer_ended(self) -> bool:
        """The outer transaction was committed or rolled back by the code under test."""
        return self.outer is not None and not self.outer.is_active


def _finish(connection: Any, outer: Any) -> None:
    """Roll back whatever the test left open on the connection, then release it."""
    try:
        if outer.is_active:
            outer.rollback()
        elif connection.in_transaction():
            connection.rollback()  # begun after the outer transaction ended
    finally:
        connection.close()


@contextmanager
def joined_session(engine: Any, mode: Isolation, scope: IsolationScope) -> Iterator[Any]:
    """A Session joined to an outer transaction that is always rolled back."""
    from sqlalchemy.orm import Session

    connection = engine.connect()
    outer = connection.begin()
    scope.connection, scope.outer = connection, outer
    session = Session(bind=connection, join_transaction_mode=JOIN_MODES[mode])
    try:
        yield session
    finally:
        try:
            session.close()
        finally:
            _finish(connection, outer)


@contextmanager
def committing_session(engine: Any) -> Iterator[Any]:
    """A plain Session on `engine`: commits are real (truncate and fresh-db modes)."""
    from sqlalchemy.orm import Session

    session = Session(bind=engine)
    try:
        yield session
    finally:
        session.close()


@asynccontextmanager
async def joined_async_session(
    engine: Any, mode: Isolation, scope: IsolationScope
) -> AsyncIterator[Any]:
    from sqlalchemy.ext.asyncio import AsyncSession

    connection = await engine.connect()
    outer = await connection.begin()
    scope.connection, scope.outer = connection, outer
    session = AsyncSession(bind=connection, join_transaction_mode=JOIN_MODES[mode])
    try:
        yield session
    finally:
        try:
            await session.close()
        finally:
            try:
                if outer.is_active:
                    await outer.rollback()
                elif connection.in_transaction():
                    await connection.rollback()
            finally:
                await connection.close()


@asynccontextmanager
async def committing_async_session(engine: Any) -> AsyncIterator[Any]:
    from sqlalchemy.ext.asyncio import AsyncSession

    session = AsyncSession(bind=engine)
    try:
        yield session
    finally:
        await session.close()


def async_url(url: Any, driver: str | None) -> Any:
    """The same database through the dialect's async driver."""
    backend = url.get_backend_name()
    if driver is None:
        raise LookupError(f"no async driver is known for {backend}")
    return url.set(drivername=f"{backend}+{driver}")
