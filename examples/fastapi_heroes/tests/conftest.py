"""The session dependency overridden with fixturekit's isolated sessions.

`get_session` -> `db_session` (sync path operations), `get_async_session` -> `async_db_session`
(async ones): every write a request makes, commits included, vanishes after the test.
"""

import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from heroes.app import app, get_async_session, get_session  # noqa: E402


@pytest.fixture
def client(db_session):
    app.dependency_overrides[get_session] = lambda: db_session
    try:
        yield TestClient(app)
    finally:
        app.dependency_overrides.clear()


@pytest.fixture
async def async_client(async_db_session):
    app.dependency_overrides[get_async_session] = lambda: async_db_session
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        app.dependency_overrides.clear()
