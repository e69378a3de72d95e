"""Generated factories for tests/batches/models.py, and a session per database whose writes are
rolled back (the plugin's savepoint pattern, without the plugin)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from fixturekit.codegen.factory_boy import render_module
from fixturekit.dialects.sqlite import install_begin_workaround
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.sqlalchemy import read_models

from . import models

# The user's region of the generated module: a customised factory (a LazyAttribute and a
# post_generation hook of their own) and an order factory that makes its lines.
CUSTOM = """
class CustomerFactory(CustomerFactory):
    last_name = factory.LazyAttribute(lambda o: o.first_name.upper())

    @factory.post_generation
    def greeted(obj, create, extracted, **kwargs):
        obj.greeting = f"hello {obj.first_name}" if create else None


class OrderWithLinesFactory(OrderFactory):
    lines = factory.RelatedFactoryList(
        f"{__name__}.OrderLineFactory", factory_related_name="order", size=3
    )
"""

DIALECTS = ["sqlite", "postgresql", "mysql"]


def generated_module(folder: Path, name: str) -> Any:
    source = render_module(plan_schema(read_models(models.__name__)), custom=CUSTOM)
    path = folder / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def factories(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return generated_module(tmp_path_factory.mktemp("gen"), "batch_factories")


@pytest.fixture(params=DIALECTS)
def engine(request: pytest.FixtureRequest) -> Iterator[Any]:
    name = {"sqlite": "sqlite_url", "postgresql": "pg_url", "mysql": "mysql_url"}[request.param]
    url = request.getfixturevalue(name)
    engine = create_engine(url)
    if request.param == "sqlite":
        install_begin_workaround(engine)
    models.Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session(engine: Any, factories: Any) -> Iterator[Session]:
    """A session in an outer transaction that is rolled back, bound to the factories."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    factories.bind_session(session)
    try:
        yield session
    finally:
        factories.bind_session(None)
        session.close()
        outer.rollback()
        connection.close()
