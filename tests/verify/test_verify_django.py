"""`generate --django --verify`: Django factories proven on the server of the project's settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from verify_helpers import leftover_databases

DJANGO_SHOP = Path(__file__).resolve().parents[2] / "examples" / "django_shop"


def test_django_apps_verify_on_the_settings_server(tmp_path, pg_url, pg_admin_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIXTUREKIT_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "shop_project.settings",
        "DJANGO_SHOP_PG_NAME": pg_url.database,
        "DJANGO_SHOP_PG_HOST": pg_url.host,
        "DJANGO_SHOP_PG_PORT": str(pg_url.port or 5432),
        "DJANGO_SHOP_PG_USER": pg_url.username,
    }
    out = tmp_path / "factories.py"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixturekit",
            "generate",
            "--django",
            "-o",
            str(out),
            "-q",
            "--verify",
            "--verify-rows",
            "3",
        ],
        cwd=DJANGO_SHOP,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    shown = result.stdout + result.stderr
    assert "Verified on postgresql (Django's DATABASES)" in shown
    assert "flagged" not in shown.split("Verified on", 1)[1]
    assert leftover_databases(pg_admin_url, pg_url.database) == []


def test_django_refuses_a_server_of_another_kind(tmp_path, mysql_url, pg_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIXTUREKIT_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "shop_project.settings", "DJANGO_SHOP_PG_NAME": "x"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixturekit",
            "generate",
            "--django",
            "-o",
            str(tmp_path / "f.py"),
            "--verify",
            mysql_url.render_as_string(hide_password=False),
        ],
        cwd=DJANGO_SHOP,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 2, result.stderr + result.stdout
    assert "Django cannot switch database kinds" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "f.py").exists()


def _init_django(project: Path, env: dict, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fixturekit", "init", "--django", *extra],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_init_django_verifies_by_default(tmp_path, pg_url, pg_admin_url):
    import shutil

    project = tmp_path / "django_shop"
    shutil.copytree(DJANGO_SHOP, project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIXTUREKIT_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "shop_project.settings",
        "DJANGO_SHOP_PG_NAME": pg_url.database,
        "DJANGO_SHOP_PG_HOST": pg_url.host,
        "DJANGO_SHOP_PG_PORT": str(pg_url.port or 5432),
        "DJANGO_SHOP_PG_USER": pg_url.username,
    }
    verified = _init_django(project, env)
    assert verified.returncode == 0, verified.stderr + verified.stdout
    assert "Verified on postgresql (Django's DATABASES)" in verified.stdout + verified.stderr
    assert (project / "tests" / "factories.py").exists()
    assert leftover_databases(pg_admin_url, pg_url.database) == []

    skipped = _init_django(project, env, "--force", "--no-verify")
    assert skipped.returncode == 0, skipped.stderr + skipped.stdout
    assert "Verified on" not in skipped.stdout + skipped.stderr


def test_init_django_with_an_unreachable_server_still_writes(tmp_path):
    import shutil

    project = tmp_path / "django_shop"
    shutil.copytree(DJANGO_SHOP, project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIXTUREKIT_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "shop_project.settings",
        "DJANGO_SHOP_PG_NAME": "app",
        "DJANGO_SHOP_PG_HOST": "127.0.0.1",
        "DJANGO_SHOP_PG_PORT": "9",
        "DJANGO_SHOP_PG_USER": "nobody",
    }
    result = _init_django(project, env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "not verified: Cannot create the verification database" in result.stderr
    assert "Traceback" not in result.stderr
    assert (project / "tests" / "factories.py").exists()
