"""`fixturekit generate --url` and `--django` end to end, through the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
DJANGO_SHOP = ROOT / "examples" / "django_shop"


def _fixturekit(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fixturekit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_generate_from_a_live_database_writes_models_and_factories(sqlite_legacy, tmp_path):
    out = tmp_path / "factories.py"
    url = sqlite_legacy.render_as_string(hide_password=False)
    result = _fixturekit("generate", "--url", url, "-o", str(out), "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    models_file = tmp_path / "factories_models.py"
    assert models_file.exists() and "class Base(DeclarativeBase)" in models_file.read_text()
    assert "Wrote" in result.stderr or "Wrote" in result.stdout

    check = _fixturekit("generate", "--url", url, "-o", str(out), "--check", "-q", cwd=tmp_path)
    assert check.returncode == 0, check.stderr + check.stdout

    sys.path.insert(0, str(tmp_path))
    try:
        import factories
        import factories_models
    finally:
        sys.path.remove(str(tmp_path))
    engine = create_engine(url)
    with Session(engine) as session:
        factories.bind_session(session)
        for name, factory_class in factories.FACTORIES.items():
            factory_class.create_batch(3)
            model = factory_class._meta.model
            table = getattr(model, "__table__", model)
            assert session.scalar(select(func.count()).select_from(table)) >= 3, name
        session.rollback()
    factories.bind_session(None)
    engine.dispose()
    assert factories_models.Base.metadata.tables
    for name in ("factories", "factories_models"):
        sys.modules.pop(name, None)


def test_generate_from_an_unreachable_database_is_a_clear_error(tmp_path):
    url = "postgresql+psycopg://someone:s3cret-pw@127.0.0.1:1/nowhere"
    result = _fixturekit("generate", "--url", url, "-o", "f.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "f.py").exists() and not (tmp_path / "f_models.py").exists()


def test_generate_from_django_apps(tmp_path, pg_url):
    out = tmp_path / "factories.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "shop_project.settings"
    result = _fixturekit("generate", "--django", "-o", str(out), "-q", cwd=DJANGO_SHOP, env=env)
    assert result.returncode == 0, result.stderr
    source = out.read_text()
    assert "DjangoModelFactory" in source and "FACTORIES = {" in source

    labels = _fixturekit(
        "generate", "--django", "nosuchapp", "-o", str(tmp_path / "x.py"), cwd=DJANGO_SHOP, env=env
    )
    assert labels.returncode == 2 and "nosuchapp" in labels.stderr
    assert "Traceback" not in labels.stderr

    # the generated module works against the migrated database, run the way a test suite would
    env["DJANGO_SHOP_PG_NAME"] = pg_url.database
    script = (
        "import django, sys\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import factories\n"
        "for name, f in factories.FACTORIES.items():\n"
        "    f.create_batch(2)\n"
        "print(len(factories.FACTORIES))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=DJANGO_SHOP,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.strip()) > 5
    with create_engine(pg_url).connect() as conn:
        assert conn.execute(text("select count(*) from shop_product")).scalar() >= 2
