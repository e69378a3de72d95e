"""The Flask app and its test client. Nothing here touches the database session: fixturekit
routes `db.session` to `db_session` in every test that requests it (see docs/projects.md)."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from blog import create_app  # noqa: E402


@pytest.fixture
def app():
    # The app's own engine is never used by these tests: db.session is the test's session.
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()
