"""`fixturekit init --django` on the bundled Django project, then pytest with pytest-django."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REGISTERED = """
def test_registered_fixtures_and_the_example_scenario(product_factory, example_scenario, db):
    first, second = product_factory(), product_factory()
    assert first.pk != second.pk
    assert len(example_scenario["children"]) == 3


def test_declared_scenario_on_pytest_django(shop_scenario):
    users, orders = shop_scenario["users"], shop_scenario["orders"]
    assert len(users) == 2 and len(orders) == 3
    assert all(order.customer in users for order in orders)
    assert all(1 <= order.lines.count() <= 2 for order in orders)
"""


def test_init_django_then_pytest_passes(tmp_path):
    project = tmp_path / "django_shop"
    shutil.copytree(ROOT / "examples" / "django_shop", project)
    (project / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\n"
        'DJANGO_SETTINGS_MODULE = "shop_project.settings"\n'
        "fixturekit_register_fixtures = true\n"
        "\n[tool.fixturekit.scenarios]\n"
        "shop = { users = 2, orders = { count = 3, lines = [1, 2] } }\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIXTUREKIT_"))}
    env["DJANGO_SETTINGS_MODULE"] = "shop_project.settings"
    init = subprocess.run(
        [sys.executable, "-m", "fixturekit", "init", "--django"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert init.returncode == 0, init.stderr
    conftest = (project / "tests" / "conftest.py").read_text()
    assert "@scenario" in conftest and "def example(db)" in conftest
    (project / "tests" / "test_registered.py").write_text(REGISTERED)

    again = subprocess.run(
        [sys.executable, "-m", "fixturekit", "init", "--django"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0 and "kept" in again.stdout  # never overwrites

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "4 passed" in run.stdout
