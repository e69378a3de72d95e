"""`fixturekit seed` and `fixturekit load` from the command line: output, exit codes, messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from seedhelp import SHOP_V1, SHOP_V2, count, create_schema
from sqlalchemy.engine import URL

from fixturekit.cli import _register, cli

ROWS = (
    "teams=5,users=40,profiles=20,categories=6,products=30,tags=8,product_tags=20,orders=60,"
    "order_items=120"
)


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def test_seed_reports_each_table_and_hides_the_password(runner, pg_url: URL):
    create_schema(pg_url, SHOP_V1)
    url = pg_url.set(password="s3cret-pass").render_as_string(hide_password=False)
    result = invoke(runner, "seed", SHOP_V1, "--url", url, "--rows", ROWS, "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "order_items" in result.output and "rows/s" in result.output
    assert "Seeded 309 rows in 9 tables into postgresql+psycopg://postgres:***@" in result.output
    assert "s3cret-pass" not in result.output
    assert count(pg_url, "order_items") == 120


def test_quiet_prints_nothing(runner, sqlite_url: URL):
    Path(sqlite_url.database).touch()
    create_schema(sqlite_url, SHOP_V1)
    result = invoke(runner, "seed", SHOP_V1, "--url", str(sqlite_url), "--rows", ROWS, "-q")
    assert result.exit_code == 0 and result.output == ""
    assert count(sqlite_url, "users") == 40


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tables.shops]\nrows = 3\n", "no table 'shops'"),
        (
            '[tables.users.columns]\nrole = { weights = { admin = "many" } }\n',
            "the weight 'many' is not a number",
        ),
        ("[tables.users.columns]\nbirth_date = { between = [1, 5] }\n", "'1' is not a date"),
        (
            "[tables.users.columns]\nfirst_name = { true = 0.5 }\n",
            "a true rate does not fit the column's type",
        ),
        ("[tables.users.columns]\nshoe = { null = 0.5 }\n", "table users has no column 'shoe'"),
    ],
)
def test_bad_configs_exit_2_and_write_nothing(
    runner, sqlite_url: URL, tmp_path: Path, toml, message
):
    Path(sqlite_url.database).touch()
    create_schema(sqlite_url, SHOP_V1)
    config = tmp_path / "seed.toml"
    config.write_text(toml)
    result = runner.invoke(
        cli, ["seed", SHOP_V1, "--url", str(sqlite_url), "--config", str(config)]
    )
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert str(config) in result.output
    assert count(sqlite_url, "users") == 0


def test_an_unreachable_server_is_a_clear_message(runner):
    url = "postgresql+psycopg://someone:hunter2@127.0.0.1:1/app"
    result = runner.invoke(cli, ["seed", SHOP_V1, "--url", url])
    assert result.exit_code == 2
    assert "Cannot connect to postgresql+psycopg://someone:***@127.0.0.1:1/app" in result.output
    assert "hunter2" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "3/2"], "--shard '3/2': write I/N"),
        (["--rows", "users"], "write TABLE=COUNT"),
        (["--append", "--truncate"], "contradict each other"),
        ([], "Say where the rows go"),
    ],
)
def test_bad_options(runner, args, message):
    result = runner.invoke(cli, ["seed", SHOP_V1, *args])
    assert result.exit_code == 2 and message in result.output


def test_export_then_load_and_drift(runner, sqlite_url: URL, tmp_path: Path):
    Path(sqlite_url.database).touch()
    create_schema(sqlite_url, SHOP_V1)
    folder = tmp_path / "seeds"
    result = invoke(runner, "seed", SHOP_V1, "--export", str(folder), "--rows", ROWS)
    assert result.exit_code == 0 and f"to {folder}" in result.output
    assert count(sqlite_url, "users") == 0
    loaded = invoke(runner, "load", str(folder), "--url", str(sqlite_url))
    assert loaded.exit_code == 0 and "Loaded 309 rows" in loaded.output
    assert count(sqlite_url, "order_items") == 120
    drifted = runner.invoke(
        cli, ["load", str(folder), "--url", str(sqlite_url), "--models", SHOP_V2, "--truncate"]
    )
    assert drifted.exit_code == 2
    assert "users.nickname (string(30)) is new in the models" in drifted.output
    assert "fixturekit seed" in drifted.output  # says how to regenerate
    assert count(sqlite_url, "users") == 40


def test_jobs_seed_with_local_processes(runner, pg_url: URL):
    create_schema(pg_url, SHOP_V1)
    url = pg_url.render_as_string(hide_password=False)
    result = invoke(runner, "seed", SHOP_V1, "--url", url, "--rows", ROWS, "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert "shard 1/2" in result.output and "shard 2/2" in result.output
    assert count(pg_url, "users") == 40 and count(pg_url, "order_items") == 120
    again = runner.invoke(cli, ["seed", SHOP_V1, "--url", url, "--rows", ROWS, "--jobs", "2"])
    assert again.exit_code == 2 and "already have rows" in again.output


def test_seed_files_are_byte_identical_across_processes(tmp_path: Path):
    """Nothing depends on the process: not Python's salted hashes, not the wall clock."""
    import os
    import subprocess
    import sys

    folders = []
    for salt in ("1", "2"):
        folder = tmp_path / f"run{salt}"
        env = {**os.environ, "PYTHONHASHSEED": salt}
        command = [
            sys.executable,
            "-c",
            "from fixturekit.cli import main; main()",
            "seed",
            SHOP_V1,
            "--export",
            str(folder),
            "--rows",
            ROWS,
            "--seed",
            "9",
            "-q",
        ]
        subprocess.run(command, check=True, env=env, cwd=tmp_path)
        folders.append(folder)
    names = sorted(p.name for p in folders[0].iterdir())
    assert names == sorted(p.name for p in folders[1].iterdir()) and len(names) > 9
    for name in names:
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name
