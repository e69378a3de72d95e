"""A database without Python models: reflect it, write models and factories, fill every table.

For each server the legacy DDL of examples/legacy is loaded, reflected, turned into a models
module (codegen.models) and a factories module (the regular generator), and every factory then
creates 1 and 1,000 rows of its table. Each table's rows are rolled back before the next one,
so the small natural keys of the legacy schemas (CHAR(2) country codes) are not exhausted by
the parents every batch creates.
"""

from __future__ import annotations

import importlib
import sys

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from fixturekit.codegen.factory_boy import render_module
from fixturekit.codegen.models import models_path, render_models_module, with_model_refs
from fixturekit.infer.rules import InferenceOptions
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.reflect import read_database

# An override from configuration, as a user would write one, applied to every server's schema.
OVERRIDES = {"item.made_in": "2001"}


@pytest.mark.parametrize(
    ("server", "schemas"),
    [("pg_legacy", ["public", "inventory"]), ("mysql_legacy", None), ("sqlite_legacy", None)],
)
def test_reflected_database_gets_working_factories(server, schemas, request, tmp_path):
    url = request.getfixturevalue(server)
    schema = read_database(url, schema=schemas)
    stem = f"legacy_{server}_factories"
    factories_file = tmp_path / f"{stem}.py"
    models_file = models_path(factories_file)
    models_file.write_text(render_models_module(schema))
    with_classes = with_model_refs(schema, models_file.stem)
    plan = plan_schema(with_classes, InferenceOptions(overrides=dict(OVERRIDES)))
    factories_file.write_text(render_module(plan))

    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(stem)
        assert set(module.FACTORIES) == {names.model.name for names in with_classes}
        engine = create_engine(url)
        try:
            for name, factory_class in module.FACTORIES.items():
                model = factory_class._meta.model
                with Session(engine) as session:
                    module.bind_session(session)
                    for other in module.FACTORIES.values():
                        other.reset_sequence(0)
                    count = select(func.count()).select_from(model)
                    before = session.scalar(count)
                    factory_class.create()
                    assert session.scalar(count) == before + 1, name
                    factory_class.create_batch(1000)
                    assert session.scalar(count) == before + 1001, name
                    session.rollback()
        finally:
            module.bind_session(None)
            engine.dispose()
    finally:
        sys.path.remove(str(tmp_path))
        for mod in (stem, models_file.stem):
            sys.modules.pop(mod, None)


def test_models_module_reads_like_hand_written_models(pg_legacy):
    source = render_models_module(read_database(pg_legacy, schema=["public", "inventory"]))
    flat = " ".join(source.split())  # long declarations are broken over lines
    assert "class Customer(Base):" in source
    assert 'Column("First Name", String(40), key="First_Name", nullable=False)' in source
    # Native enum types are named, so parameters are cast to them.
    assert 'name="stock_kind", schema="inventory", create_type=False' in flat
    assert 'ForeignKeyConstraint(["sku"], ["inventory.item.sku"])' in source
    # No primary key: the ORM identity is every hashable column (JSON is left out).
    assert '__mapper_args__ = dict( primary_key=[__table__.c["at"]' in flat
    assert '__table__.c["payload"]' not in source
    compile(source, "models.py", "exec")
