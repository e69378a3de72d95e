"""`generate --url ... --verify`: a reflected database's factories proven and repaired, and the
verification database dropped on Ctrl-C."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from verify_helpers import PORTABLE_MODELS, leftover_databases, repairs_in, run_cli, write_models

LEGACY = """
CREATE TABLE gauges (
    id serial PRIMARY KEY,
    reading integer NOT NULL CONSTRAINT ck_reading_tens CHECK (reading % 10 = 0 AND reading > 0),
    unit varchar(8) NOT NULL DEFAULT 'KPA' CONSTRAINT ck_unit CHECK (unit = upper(unit) || '')
)
"""


def test_reflected_database_is_verified_and_repaired(tmp_path, pg_url):
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text(LEGACY))
    engine.dispose()
    shown = pg_url.render_as_string(hide_password=False)
    out = tmp_path / "factories.py"
    result = run_cli("generate", "--url", shown, "-o", str(out), "--verify", shown)
    assert result.exit_code == 0, result.output
    repairs = repairs_in(out.read_text())
    assert repairs["gauges.unit"] == "default"
    assert repairs["gauges.reading"].startswith("values:")  # found by the database itself
    assert (tmp_path / "factories_models.py").exists()
    # the source database is only read: still no rows, and nothing of fixturekit's in it
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM gauges")).scalar() == 0
    engine.dispose()


def test_ctrl_c_drops_the_verification_database(tmp_path, pg_url, pg_admin_url, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("fixturekit.verify.loop.loaded_module", interrupted)
    models = write_models(tmp_path, PORTABLE_MODELS)
    result = run_cli(
        "generate",
        str(models),
        "-o",
        "f.py",
        "--verify",
        pg_url.render_as_string(hide_password=False),
    )
    assert result.exit_code == 1 and "Aborted" in result.output
    assert leftover_databases(pg_admin_url, pg_url.database) == []
    assert not Path("f.py").exists()
