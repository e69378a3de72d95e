"""A column type no rule knows never stops a file: reflected, generated and seeded as text,
flagged, with the rest of the schema generated as usual (PostgreSQL's tsquery and point)."""

from __future__ import annotations

import importlib
import subprocess
import sys

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

DDL = [
    "CREATE TABLE searches (id serial PRIMARY KEY, title varchar(80) NOT NULL, "
    "query tsquery NOT NULL)",
    "CREATE TABLE places (id serial PRIMARY KEY, name varchar(80) NOT NULL, spot point NOT NULL)",
]


def _fixturekit(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "fixturekit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_unknown_not_null_types_are_flagged_text_in_generate_and_seed(pg_url, tmp_path):
    url = pg_url.render_as_string(hide_password=False)
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        for statement in DDL:
            conn.execute(text(statement))
    out = tmp_path / "factories.py"
    generated = _fixturekit(tmp_path, "generate", "--url", url, "-o", str(out))
    assert generated.returncode == 0, generated.stdout + generated.stderr
    source = out.read_text()
    assert "FIXME(query): no rule for the type TSQUERY" in source
    assert "FIXME(spot): no rule for the type point" in source
    assert "searches.query" in generated.stdout or "Searches.query" in generated.stdout

    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("factories")
        searches = module.FACTORIES["Searches"]
        with Session(engine) as session:
            module.bind_session(session)
            searches.create_batch(50)  # a word is a valid tsquery
            session.flush()
            assert session.scalar(select(func.count()).select_from(searches._meta.model)) == 50
            session.rollback()
    finally:
        module.bind_session(None)
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("factories")]:
            sys.modules.pop(name, None)

    seeded = _fixturekit(
        tmp_path, "seed", "--reflect", "--url", url, "--rows", "searches=300,places=0"
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM searches")) == 300
    # a type that takes no text fails as one message naming the table, and writes nothing
    refused = _fixturekit(
        tmp_path, "seed", "--reflect", "--url", url, "--rows", "places=5", "--append"
    )
    assert refused.returncode == 2
    assert "Loading places: invalid input syntax for type point" in refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr
    engine.dispose()
