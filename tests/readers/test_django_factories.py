"""Generated DjangoModelFactory modules create rows of every model on a migrated PostgreSQL.

The example shop is migrated with `migrate` into a scratch database, its factories are generated
from the Django reader (project apps plus django.contrib.auth and contenttypes), and each
factory creates 1 and then 1,000 rows. It runs in a child process: Django is configured once
per process and must not leak into the rest of the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SHOP = Path(__file__).resolve().parents[2] / "examples" / "django_shop"
APPS = ["accounts", "catalog", "orders", "reviews", "auth", "contenttypes"]

_CHILD = """
import json, sys
from pathlib import Path

import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from fixturekit.codegen.django import render_django_module
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.django import read_django

apps_labels, out_dir = json.loads(sys.argv[1])
call_command("migrate", verbosity=0)
schema = read_django(apps_labels)
source = render_django_module(plan_schema(schema))
Path(out_dir, "shop_factories.py").write_text(source)
sys.path.insert(0, out_dir)
import shop_factories

expected = sorted(
    m.__name__
    for label in apps_labels
    for m in apps.get_app_config(label).get_models(include_auto_created=True)
    if not m._meta.proxy
)
counts = {}
for name, factory_class in shop_factories.FACTORIES.items():
    model = factory_class._meta.model
    with transaction.atomic():
        one = factory_class.create()
        one.refresh_from_db()
        before = model.objects.count()
        factory_class.create_batch(1000)
        counts[name] = [before, model.objects.count()]
print(json.dumps({"expected": expected, "counts": counts, "source": source}))
"""


def test_generated_factories_fill_every_model(pg_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="shop_project.settings",
        DJANGO_SHOP_PG_NAME=pg_url.database,
        DJANGO_SHOP_PG_HOST=pg_url.host or "127.0.0.1",
        DJANGO_SHOP_PG_PORT=str(pg_url.port or 5432),
        DJANGO_SHOP_PG_USER=pg_url.username or "postgres",
        DJANGO_SHOP_PG_PASSWORD=pg_url.password or "",
    )
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps([APPS, str(tmp_path)])],
        cwd=SHOP,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout.splitlines()[-1])

    # One factory per model with a table of its own, auto-created M2M tables included.
    assert sorted(result["counts"]) == result["expected"]
    assert "FeaturedProduct" not in result["counts"]  # a proxy has no factory
    for name, (after_one, after_batch) in result["counts"].items():
        assert after_one >= 1, name
        assert after_batch == after_one + 1000, name

    source = result["source"]
    assert "class UserFactory(DjangoModelFactory):" in source
    assert 'django_get_or_create = ["username"]' in source
    assert "def tags(self, create, extracted, **kwargs):" in source  # auto M2M
    assert "# products: through OrderLine; create rows with OrderLineFactory." in source
    # a GenericForeignKey points at a real row: a new one unless given, type and id follow it
    assert "# target: a GenericForeignKey; a new " in source
    assert "FIXME(target)" not in source
    assert "model = Product.tags.through" in source
