"""Fixtures for the fault tests: real servers, real processes, real signals."""

from __future__ import annotations

import pytest
from faulthelp import create_schema
from sqlalchemy.engine import URL


@pytest.fixture
def pg_schema_url(pg_url: URL) -> URL:
    """A scratch PostgreSQL database with the fault schema, empty."""
    create_schema(pg_url)
    return pg_url
