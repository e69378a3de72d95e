"""Async factories through an AsyncSession: aiosqlite and asyncpg, with and without the plugin."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from fixturekit.dialects import server_for
from fixturekit.dialects.sqlite import install_begin_workaround
from fixturekit.factories import AsyncFactoryError, bind_async_session

from . import models
from .models import Customer, Order, OrderLine

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


@pytest.fixture(params=list(ASYNC_DRIVERS))
def async_url(request: pytest.FixtureRequest) -> URL:
    url = request.getfixturevalue({"sqlite": "sqlite_url", "postgresql": "pg_url"}[request.param])
    engine = create_engine(url)
    models.Base.metadata.create_all(engine)
    engine.dispose()
    return url.set(drivername=ASYNC_DRIVERS[request.param])


async def _count(session: AsyncSession, model: Any) -> int:
    return await session.scalar(select(func.count()).select_from(model))


async def test_async_factories_outside_the_plugin(async_url: URL, factories: Any) -> None:
    engine = create_async_engine(async_url, poolclass=NullPool)
    if async_url.get_backend_name() == "sqlite":
        install_begin_workaround(engine.sync_engine)
    try:
        async with engine.connect() as connection:
            outer = await connection.begin()
            session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
            bind_async_session(session)
            try:
                line = await factories.OrderLineFactory.create_async(quantity=7)
                lines = await factories.OrderLineFactory.create_batch_async(25, quantity=3)
                assert line.id is not None and line.quantity == 7
                assert [x.quantity for x in lines] == [3] * 25
                assert len({x.order_id for x in [line, *lines]}) == 26
                assert await _count(session, OrderLine) == 26
                assert await _count(session, Order) == await _count(session, Customer) == 26
                loaded = await session.get(OrderLine, lines[-1].id)
                assert loaded is lines[-1]  # the same objects, in the async session
                # a sync call from the coroutine says what to call instead
                with pytest.raises(AsyncFactoryError, match="create_async"):
                    factories.CustomerFactory.create()
                with pytest.raises(AsyncFactoryError, match="create_batch_async"):
                    factories.CustomerFactory.create_batch(2)
                assert await _count(session, Customer) == 26
            finally:
                bind_async_session(None)
                await session.close()
                await outer.rollback()
        async with engine.connect() as connection:  # gone with the transaction
            total = await connection.scalar(select(func.count()).select_from(OrderLine))
            assert total == 0
    finally:
        await engine.dispose()


async def test_unbound_async_factory_says_how_to_bind(factories: Any) -> None:
    with pytest.raises(AsyncFactoryError, match="bind_async_session"):
        await factories.CustomerFactory.create_async()


# --- with the plugin: async_db_session binds the factories ---------------------------------------

PROJECT_TESTS = """
import pytest
from sqlalchemy import func, select

from fixturekit.factories import AsyncFactoryError
from batch_factories import CustomerFactory, OrderLineFactory
from models import Customer, OrderLine


async def count(session, model):
    return await session.scalar(select(func.count()).select_from(model))


async def test_creates_through_async_db_session(async_db_session):
    line = await OrderLineFactory.create_async()
    lines = await OrderLineFactory.create_batch_async(40)
    assert line.id and all(x.id for x in lines)
    assert await count(async_db_session, OrderLine) == 41
    assert await count(async_db_session, Customer) == 41


async def test_nothing_is_left_from_the_previous_test(async_db_session):
    assert await count(async_db_session, OrderLine) == 0
    assert await count(async_db_session, Customer) == 0


async def test_sync_create_is_refused(async_db_session):
    with pytest.raises(AsyncFactoryError, match="await CustomerFactory.create_async"):
        CustomerFactory.create()
"""


def _write_project(pytester: Any, factories: Any) -> None:
    pytester.makepyfile(models=Path(models.__file__).read_text())
    source = Path(factories.__file__).read_text()
    source = source.replace(f"from {models.__name__} ", "from models ")
    pytester.makepyfile(batch_factories=source)
    pytester.makepyfile(test_async_factories=PROJECT_TESTS)
    pytester.makefile(
        ".toml",
        pyproject=(
            "[tool.pytest.ini_options]\n"
            'fixturekit_models = "models.py"\n'
            'fixturekit_factories = ["batch_factories.py"]\n'
            'asyncio_mode = "auto"\n'
            'asyncio_default_fixture_loop_scope = "function"\n'
        ),
    )


@pytest.fixture(autouse=True)
def _no_outer_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def test_plugin_binds_async_db_session_on_sqlite(pytester: Any, factories: Any) -> None:
    _write_project(pytester, factories)
    url = f"sqlite:///{pytester.path / 'app.sqlite3'}"
    result = pytester.runpytest("-p", "no:randomly", f"--fixturekit-url={url}")
    result.assert_outcomes(passed=3)


def test_plugin_binds_async_db_session_on_postgresql(
    pytester: Any, factories: Any, pg_admin_url: URL
) -> None:
    _write_project(pytester, factories)
    url = pg_admin_url.set(database=f"fkb_{uuid.uuid4().hex[:8]}")
    server = server_for(url)
    server._execute(f"CREATE DATABASE {server.quote(url.database)}")
    server.close()
    try:
        result = pytester.runpytest(
            "-p", "no:randomly", f"--fixturekit-url={url.render_as_string(False)}"
        )
        result.assert_outcomes(passed=3)
    finally:
        server = server_for(url)
        try:
            for name in server.databases():
                if name.startswith(url.database):
                    server._drop(name)
        finally:
            server.close()
        engine = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        engine.dispose()
