"""`fixturekit seed --reflect` (no models: the database's own tables) and `--django`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
DJANGO_SHOP = ROOT / "examples" / "django_shop"

LEGACY_DDL = [
    "CREATE TYPE ticket_state AS ENUM ('open', 'closed')",
    'CREATE TABLE "Customer" (code char(6) PRIMARY KEY, "Full Name" varchar(80) NOT NULL, '
    "email varchar(120) UNIQUE NOT NULL, "
    "country char(2) NOT NULL CHECK (country = upper(country)))",
    "CREATE TABLE ticket (id serial PRIMARY KEY, customer_code char(6) NOT NULL "
    'REFERENCES "Customer"(code), state ticket_state NOT NULL, opened_at timestamptz NOT NULL, '
    "closed_at timestamptz, priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 4), "
    "CHECK (closed_at IS NULL OR closed_at > opened_at))",
]


def _fixturekit(*args: str, cwd: Path = ROOT, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "fixturekit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_seed_a_database_from_its_own_tables(pg_url):
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        for statement in LEGACY_DDL:
            conn.execute(text(statement))
    url = pg_url.render_as_string(hide_password=False)
    result = _fixturekit("seed", "--reflect", "--url", url, "--rows", "ticket=500", "-q")
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from ticket")).scalar() == 500
        customers = conn.execute(text('select count(*) from "Customer"')).scalar()
        assert 0 < customers <= 500
        assert (
            conn.execute(
                text(
                    "select count(*) from ticket "
                    "where closed_at is not null and closed_at <= opened_at"
                )
            ).scalar()
            == 0
        )
    engine.dispose()
    again = _fixturekit("seed", "--reflect", "--url", url, "--rows", "ticket=5", "-q")
    assert again.returncode == 2 and "already" in again.stderr  # refuses tables with rows


def test_seed_django_apps(pg_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "shop_project.settings"
    env["DJANGO_SHOP_PG_NAME"] = pg_url.database
    migrate = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.core.management import call_command; call_command('migrate', verbosity=0)",
        ],
        cwd=DJANGO_SHOP,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    url = pg_url.render_as_string(hide_password=False)
    result = _fixturekit(
        "seed",
        "--django",
        "catalog",
        "--url",
        url,
        "--rows",
        "shop_product=200",
        "-q",
        cwd=DJANGO_SHOP,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    with create_engine(pg_url).connect() as conn:
        assert conn.execute(text("select count(*) from shop_product")).scalar() == 200
