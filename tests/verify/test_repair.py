"""`generate --verify` on real servers: schemas that fail without repair and pass with it."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError
from verify_helpers import (
    IMPOSSIBLE_MODELS,
    PORTABLE_MODELS,
    POSTGRES_MODELS,
    create_rows,
    leftover_databases,
    repairs_in,
    run_cli,
    write_models,
)


def _url(request, name: str):
    return request.getfixturevalue(name)


@pytest.mark.parametrize("server", ["pg_url", "mysql_url", "sqlite_url"])
def test_unverified_factories_fail_and_repaired_ones_pass(tmp_path, request, server):
    url = _url(request, server)
    models = write_models(tmp_path, PORTABLE_MODELS)

    plain = tmp_path / "plain.py"
    assert run_cli("generate", str(models), "-o", str(plain), "-q").exit_code == 0
    with pytest.raises(DBAPIError):
        create_rows(plain, url)

    shown = url.render_as_string(hide_password=False)
    verified = tmp_path / "verified.py"
    result = run_cli("generate", str(models), "-o", str(verified), "--verify", shown)
    assert result.exit_code == 0, result.output
    text = verified.read_text()
    repairs = repairs_in(text)
    # the documented order: the default first, then NULL, then simpler values
    assert repairs["gadgets.token"] == "default"
    assert repairs["gadgets.retired_note"] == "null"
    assert "gadgets.weight" in repairs
    assert "parts.label" not in repairs
    assert "Gadget.weight: repaired" in result.output
    assert "ck_weight_sevens" in result.output  # why: the database's own message
    assert "Part: verified" in result.output
    assert "FIXME(weight)" not in text
    # plain code: it creates rows with no verifier around
    create_rows(verified, url)


def test_sqlite_says_it_proves_less(tmp_path, sqlite_url):
    models = write_models(tmp_path, PORTABLE_MODELS)
    result = run_cli(
        "generate", str(models), "-o", "f.py", "--verify", sqlite_url.render_as_string()
    )
    assert result.exit_code == 0, result.output
    assert "SQLite proves less" in result.output


def test_unknown_type_is_repaired_with_text(tmp_path, pg_url):
    models = write_models(tmp_path, POSTGRES_MODELS)
    out = tmp_path / "f.py"
    result = run_cli(
        "generate",
        str(models),
        "-o",
        str(out),
        "--verify",
        pg_url.render_as_string(hide_password=False),
    )
    assert result.exit_code == 0, result.output
    assert repairs_in(out.read_text())["documents.body"] == "word"
    create_rows(out, pg_url)


@pytest.mark.parametrize("server", ["pg_url", "mysql_url"])
def test_what_cannot_pass_is_flagged_with_the_database_message(tmp_path, request, server):
    url = _url(request, server)
    models = write_models(tmp_path, IMPOSSIBLE_MODELS)
    out = tmp_path / "f.py"
    result = run_cli(
        "generate",
        str(models),
        "-o",
        str(out),
        "--verify",
        url.render_as_string(hide_password=False),
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "# FIXME(weight): --verify: the database refused every value tried" in text
    assert "ck_never" in text
    assert 'overrides "widgets.weight"' in text
    assert "⚑ Widget:" in result.output
    # kept: a plain regeneration writes the same file
    again = run_cli("generate", str(models), "-o", str(out), "--check", "-q")
    assert again.exit_code == 0, again.output


def test_verification_database_is_dropped(tmp_path, pg_url, pg_admin_url):
    models = write_models(tmp_path, PORTABLE_MODELS)
    result = run_cli(
        "generate",
        str(models),
        "-o",
        "f.py",
        "--verify",
        pg_url.render_as_string(hide_password=False),
        "--verify-rows",
        "5",
    )
    assert result.exit_code == 0, result.output
    assert leftover_databases(pg_admin_url, pg_url.database) == []


def test_kitchen_sink_verifies_with_core_and_link_tables(tmp_path, pg_url):
    """Core tables (TableFactory) and a link table whose key is two foreign keys: the N rows
    are created one by one and get parents of their own where shared ones would collide."""
    from verify_helpers import ROOT

    models = ROOT / "tests" / "schemas" / "kitchen_sink.py"
    result = run_cli(
        "generate",
        str(models),
        "-o",
        str(tmp_path / "f.py"),
        "-q",
        "--verify",
        pg_url.render_as_string(hide_password=False),
        "--verify-rows",
        "20",
    )
    assert result.exit_code == 0, result.output
    assert "11 verified" in result.output and "flagged." not in result.output.split("Verified")[1]
