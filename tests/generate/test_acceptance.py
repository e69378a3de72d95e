"""Every generated factory (and every runtime factory) inserts 1 and then 1,000 valid rows."""

from __future__ import annotations

import factory.random
import pytest
from gen_helpers import KITCHEN_SINK, SHOP, import_file, run_cli
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from fixturekit import factory_for
from fixturekit.schema.loading import load_models


def _generate(models, tmp_path):
    out = tmp_path / "factories.py"
    result = run_cli("generate", str(models), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return import_file(out)


def _count(session, factory_class) -> int:
    model = factory_class._meta.model
    table = getattr(model, "__table__", model)
    return session.scalar(select(func.count()).select_from(table))


def _create_everything(session, factories: dict) -> None:
    factory.random.reseed_random(20261125)
    for name, factory_class in factories.items():
        before = _count(session, factory_class)
        factory_class.create()
        factory_class.create_batch(1000)
        session.flush()
        assert _count(session, factory_class) >= before + 1001, name


def _run_generated(models, url, tmp_path):
    module = _generate(models, tmp_path)
    loaded = load_models(str(models))
    engine = create_engine(url)
    for metadata in loaded.metadatas:
        metadata.create_all(engine)
    try:
        with Session(engine) as session:
            module.bind_session(session)
            _create_everything(session, module.FACTORIES)
            session.commit()
    finally:
        module.bind_session(None)
        engine.dispose()


def _run_runtime(models, url):
    loaded = load_models(str(models))
    engine = create_engine(url)
    for metadata in loaded.metadatas:
        metadata.create_all(engine)
    try:
        with Session(engine) as session:
            targets = {cls.__name__: factory_for(cls, session=session) for cls in loaded.classes}
            for table in loaded.tables:
                if not any(getattr(c, "__table__", None) is table for c in loaded.classes):
                    targets[table.name] = factory_for(table, session=session)
            _create_everything(session, targets)
            session.commit()
    finally:
        engine.dispose()


def test_kitchen_sink_generated_factories_on_postgresql(pg_url, tmp_path):
    _run_generated(KITCHEN_SINK, pg_url, tmp_path)


def test_kitchen_sink_runtime_factories_on_postgresql(pg_url):
    _run_runtime(KITCHEN_SINK, pg_url)


@pytest.mark.parametrize("server", ["sqlite", "postgresql", "mariadb"])
def test_shop_generated_factories(server, request, tmp_path):
    url = request.getfixturevalue(
        {"sqlite": "sqlite_url", "postgresql": "pg_url", "mariadb": "mysql_url"}[server]
    )
    _run_generated(SHOP, url, tmp_path)


def test_shop_runtime_factories_on_sqlite(sqlite_url):
    _run_runtime(SHOP, sqlite_url)
