"""Async factories: rows created through an AsyncSession, parents and batches included.

factory_boy is synchronous, and so is the SQLAlchemy Session under every AsyncSession. The
async methods therefore run the ordinary (sync) factory code inside `AsyncSession.run_sync`,
with the factories pointed at that session's own sync Session for the duration: the rows go
through the async session's connection and transaction, and vanish with it. A plain `create()`
called from a coroutine while an AsyncSession is bound would have to block the event loop or
write through another connection; it stops instead and says what to call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_async_session: Any = None
_sync_session: ContextVar[Any] = ContextVar("fixturekit_factory_session", default=None)


class AsyncFactoryError(RuntimeError):
    """A factory was used the sync way where only the async way can reach the session."""


def bind_async_session(session: Any) -> None:
    """Create the rows of `await XFactory.create_async()` in `session` (None unbinds).

    Binds every fixturekit factory (generated and runtime); the pytest plugin binds
    `async_db_session` for the duration of each test that uses it."""
    global _async_session
    _async_session = session


def bound_async_session() -> Any:
    return _async_session


def current_sync_session() -> Any:
    """The Session a factory is running in right now, inside `run_sync` (None elsewhere)."""
    return _sync_session.get()


@contextmanager
def using_sync_session(session: Any) -> Iterator[None]:
    token = _sync_session.set(session)
    try:
        yield
    finally:
        _sync_session.reset(token)


def refuse_sync_in_async(factory_class: Any, what: str = "create") -> None:
    """Stop a sync call made from a coroutine while an AsyncSession is bound."""
    if _async_session is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    name = getattr(factory_class, "__name__", "the factory")
    raise AsyncFactoryError(
        f"{name}.{what}() was called inside a running event loop while an AsyncSession is "
        f"bound (async_db_session or bind_async_session): a sync call would block the loop or "
        f"write through another connection. Use `await {name}.create_async(...)` or "
        f"`await {name}.create_batch_async(n, ...)` instead."
    )


async def run_async(factory_class: Any, work: Callable[[], Any]) -> Any:
    """Run `work` (sync factory code) inside the bound AsyncSession's sync session."""
    session = _async_session
    if session is None:
        name = getattr(factory_class, "__name__", "the factory")
        raise AsyncFactoryError(
            f"No AsyncSession is bound for {name}.create_async(): use the async_db_session "
            "fixture, or call fixturekit.factories.bind_async_session(session) first."
        )

    def in_session(sync_session: Any) -> Any:
        with using_sync_session(sync_session):
            return work()

    return await session.run_sync(in_session)
