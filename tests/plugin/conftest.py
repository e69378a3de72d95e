"""Fixtures for the plugin's tests: a provisioned DatabaseManager per dialect, row counting
from a connection of the test's own, and pytester projects built around `shop.py`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from fixturekit.dialects import server_for
from fixturekit.plugin.building import build_schema
from fixturekit.plugin.databases import DatabaseManager

from . import shop

SHOP_SOURCE = (Path(__file__).parent / "shop.py").read_text()
SHOP_TABLES = ["roles", "users", "products", "orders", "order_items"]
SEEDED = {"roles": 2}  # rows the schema build leaves in the template
DIALECTS = ["postgresql", "mysql", "sqlite"]


def user_url(request: pytest.FixtureRequest, dialect: str, tmp_dir: Path) -> URL:
    """A URL naming a database the "user" owns, unique to the caller (not created)."""
    name = f"fkp_{uuid.uuid4().hex[:10]}"
    if dialect == "postgresql":
        return request.getfixturevalue("pg_admin_url").set(database=name)
    if dialect == "mysql":
        return request.getfixturevalue("mysql_admin_url").set(database=name)
    return make_url(f"sqlite:///{tmp_dir / name}.sqlite3")


def make_manager(url: URL, *, lock_timeout: float = 5.0, worker: str | None = None) -> Any:
    found: list[str] = []
    manager = DatabaseManager(
        server_for(url),
        worker=worker,
        lock_timeout=lock_timeout,
        build_schema=lambda engine: build_schema(engine, [shop.Base.metadata], None, Path.cwd()),
        notice=found.append,
    )
    manager.notices = found  # type: ignore[attr-defined]
    return manager


@pytest.fixture(scope="module", params=DIALECTS)
def manager(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A provisioned manager for the shop schema, one per dialect and test module."""
    url = user_url(request, request.param, tmp_path_factory.mktemp("sqlite"))
    provisioned = make_manager(url)
    provisioned.provision()
    try:
        yield provisioned
    finally:
        provisioned.close()


def committed_counts(url: URL, tables: list[str] = SHOP_TABLES) -> dict[str, int]:
    """Row counts seen by a brand-new connection: only what was committed."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
    finally:
        engine.dispose()


def clean_counts() -> dict[str, int]:
    return {t: SEEDED.get(t, 0) for t in SHOP_TABLES}
