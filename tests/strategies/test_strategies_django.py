"""Strategies on Django models with pytest-django's `db`: every model of the example shop
inserts 200 drawn examples, each rolled back; failures shrink. Runs pytest in a child process,
as Django is configured once per process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]

TESTS = """
import pytest
from django.apps import apps
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as hs

from fixturekit.strategies import django_savepoint, graphs, objects, save

EXAMPLES = settings(
    max_examples=200,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MODELS = [
    m for label in ("accounts", "catalog", "orders", "reviews")
    for m in apps.get_app_config(label).get_models()
    if not m._meta.proxy
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_inserts_200_examples(db, model):
    saved = []

    @EXAMPLES
    @given(objects(model))
    def property_(obj):
        with django_savepoint():
            save(obj)
            assert model.objects.filter(pk=obj.pk).exists()
            saved.append(obj.pk)
        assert not model.objects.filter(pk=obj.pk).exists()

    property_()
    assert len(saved) >= 100


def test_an_order_with_lines(db):
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")

    @settings(EXAMPLES, max_examples=40)
    @given(graphs(Order, children={"lines": (1, 4)}))
    def property_(order):
        with django_savepoint():
            save(order)
            assert 1 <= OrderLine.objects.filter(order=order).count() <= 4

    property_()


def test_failures_shrink_on_django_models(db):
    Product = apps.get_model("catalog", "Product")
    found = find(objects(Product), lambda p: p.weight_grams > 10,
                 settings=settings(database=None, max_examples=300))
    assert found.weight_grams == 11
"""


def test_strategies_on_django_models(tmp_path, pg_admin_url):
    project = tmp_path / "django_shop"
    shutil.copytree(ROOT / "examples" / "django_shop", project)
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "shop_project.settings"\n'
    )
    (project / "test_strategies.py").write_text(TESTS)
    name = f"fkt_hypdj_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIXTUREKIT_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="shop_project.settings",
        DJANGO_SHOP_PG_NAME=name,
        DJANGO_SHOP_PG_HOST=pg_admin_url.host or "127.0.0.1",
        DJANGO_SHOP_PG_PORT=str(pg_admin_url.port or 5432),
        DJANGO_SHOP_PG_USER=pg_admin_url.username or "postgres",
    )
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:xdist",
                "-p",
                "no:fixturekit",
            ],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)'))
        admin.dispose()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
