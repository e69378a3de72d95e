"""Fixtures for the seeding tests: a database of each dialect, empty or with the shop schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from seedhelp import SHOP_V1, create_schema
from sqlalchemy.engine import URL


@pytest.fixture(params=["postgresql", "mariadb", "sqlite"])
def any_url(request) -> Iterator[URL]:
    """A fresh, empty database of each dialect (nothing created in it yet)."""
    fixture = {"postgresql": "pg_url", "mariadb": "mysql_url", "sqlite": "sqlite_url"}
    url = request.getfixturevalue(fixture[request.param])
    if request.param == "sqlite":
        Path(url.database).touch()
    yield url


@pytest.fixture
def shop_url(any_url: URL) -> URL:
    """Each dialect, with the shop schema (version 1) created and empty."""
    create_schema(any_url, SHOP_V1)
    return any_url
