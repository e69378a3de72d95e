"""Where the verification database comes from, and what a user sees when it cannot be made."""

from __future__ import annotations

from pathlib import Path

import pytest
from verify_helpers import PORTABLE_MODELS, repairs_in, run_cli, write_models

from fixturekit.verify import database
from fixturekit.verify.database import resolve_source

INI = '[tool.pytest.ini_options]\nfixturekit_url = "{url}"\n'


def test_order_env_then_ini_then_ephemeral_then_sqlite(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(INI.format(url="mysql+pymysql://root@ini-host/app"))
    monkeypatch.setenv("FIXTUREKIT_DATABASE_URL", "postgresql+psycopg://env-host/app")
    assert resolve_source("sqlite:///x.db").label == "--verify URL"
    source = resolve_source(None)
    assert (source.label, source.url) == (
        "FIXTUREKIT_DATABASE_URL",
        "postgresql+psycopg://env-host/app",
    )
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL")
    source = resolve_source(None)
    assert (source.label, source.url) == ("ini fixturekit_url", "mysql+pymysql://root@ini-host/app")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.setattr("fixturekit.plugin.ephemeral.find_bindir", lambda: Path("/pg/bin"))
    assert resolve_source(None).kind == "ephemeral"
    monkeypatch.setattr("fixturekit.plugin.ephemeral.find_bindir", lambda: None)
    source = resolve_source(None)
    assert source.kind == "sqlite" and source.proves_less


def test_ini_url_is_used_end_to_end(tmp_path, mysql_url):
    (tmp_path / "pyproject.toml").write_text(
        INI.format(url=mysql_url.render_as_string(hide_password=False))
    )
    models = write_models(tmp_path, PORTABLE_MODELS)
    result = run_cli("generate", str(models), "-o", "f.py", "--verify", "--verify-rows", "3")
    assert result.exit_code == 0, result.output
    assert "Verified on mysql (ini fixturekit_url)" in result.output


def test_models_named_after_verify_are_still_the_models(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("FIXTUREKIT_DATABASE_URL", sqlite_url.render_as_string())
    models = write_models(tmp_path, PORTABLE_MODELS)
    result = run_cli("generate", "-o", "f.py", "--verify", str(models))
    assert result.exit_code == 0, result.output
    assert "FIXTUREKIT_DATABASE_URL" in result.output


def test_throwaway_postgres_when_nothing_is_configured(tmp_path):
    from fixturekit.plugin.ephemeral import find_bindir

    if find_bindir() is None:
        pytest.skip("the PostgreSQL server binaries are not installed")
    models = write_models(tmp_path, PORTABLE_MODELS)
    result = run_cli("generate", str(models), "-o", "f.py", "--verify", "--verify-rows", "3")
    assert result.exit_code == 0, result.output
    assert "throwaway PostgreSQL" in result.output
    assert repairs_in(Path("f.py").read_text())["gadgets.token"] == "default"


def test_unreachable_database_one_message_no_password_nothing_written(tmp_path):
    models = write_models(tmp_path, PORTABLE_MODELS)
    url = "postgresql+psycopg://fk:s3cret@127.0.0.1:9/app"
    result = run_cli("generate", str(models), "-o", "f.py", "--verify", url)
    assert result.exit_code == 2
    shown = "postgresql+psycopg://fk:***@127.0.0.1:9/app"
    assert f"Cannot create the verification database on {shown}" in result.output
    assert "without --verify" in result.output
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert not Path("f.py").exists()
    # generation without verification still works
    assert run_cli("generate", str(models), "-o", "f.py", "-q").exit_code == 0


def test_a_server_that_refuses_to_create_the_database(tmp_path, pg_admin_url):
    """Reachable, but the role may not create databases: one message, nothing written, and
    generation without --verify still works."""
    import uuid

    from sqlalchemy import create_engine, text

    role = f"fkt_nocreate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE \"{role}\" LOGIN NOCREATEDB PASSWORD 'pw-{role}'"))
    try:
        models = write_models(tmp_path, PORTABLE_MODELS)
        url = pg_admin_url.set(username=role, password=f"pw-{role}")
        result = run_cli(
            "generate", str(models), "-o", "f.py", "--verify", url.render_as_string(False)
        )
        assert result.exit_code == 2, result.output
        assert "Cannot create the verification database on" in result.output
        assert "permission denied" in result.output
        assert "without --verify" in result.output
        assert f"pw-{role}" not in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) <= 3  # one message (and its hint)
        assert not Path("f.py").exists()
        assert run_cli("generate", str(models), "-o", "f.py", "-q").exit_code == 0
        assert Path("f.py").exists()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_unusable_url_is_named(tmp_path, monkeypatch):
    models = write_models(tmp_path, PORTABLE_MODELS)
    monkeypatch.setenv("FIXTUREKIT_DATABASE_URL", "oracle://scott:tiger@db/app")
    result = run_cli("generate", str(models), "-o", "f.py", "--verify")
    assert result.exit_code == 2
    assert "FIXTUREKIT_DATABASE_URL" in result.output and "tiger" not in result.output


def test_unmarked_namesake_is_never_touched(tmp_path, pg_url, monkeypatch):
    from sqlalchemy import create_engine, text

    from fixturekit.dialects import server_for

    name = database._name_for(server_for(pg_url))
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        models = write_models(tmp_path, PORTABLE_MODELS)
        result = run_cli(
            "generate",
            str(models),
            "-o",
            "f.py",
            "--verify",
            pg_url.render_as_string(hide_password=False),
        )
        assert result.exit_code == 2
        assert "was not created by fixturekit" in result.output
        with admin.connect() as conn:
            assert (
                conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).scalar()
                == 1
            )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
