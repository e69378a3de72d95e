"""Start-up cost of a suite on a migrated schema, with the kept template, in one run.

    python benchmarks/startup.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                 [--migrations 40] [--rows 200000] [--tests 10]

Writes a throwaway project whose schema comes from Alembic: MIGRATIONS revisions creating a
table each (some referring to earlier ones), a few of them loading lookup rows with
`op.bulk_insert` (ROWS in all), and one filling a settings table. Then it times pytest, wall
clock, on a 10-test suite with `fixturekit_keep_template = true`:

- a first run (builds the kept template);
- a second run (reuses it);
- a run after one migration was edited (the fingerprint differs: rebuilt; the tests must see
  the edited value);
- without keeping (every run builds the template, what a suite pays today), for reference.

Ratios are against the first run of the same invocation. pytest runs as on a developer's
machine, with Python's bytecode cache on (PYTHONDONTWRITEBYTECODE is dropped from the
environment; a `--collect-only` run first warms the cache for all the others), and the time
pytest needs with no database at all (`--collect-only`) is printed for context. The kept
template and every other database are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ENV_PY = """
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    engine = engine_from_config(config.get_section(config.config_ini_section),
                                poolclass=pool.NullPool)
    connection = engine.connect()
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
"""

REVISION = '''
"""{title}"""
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = {down}


def upgrade():
    table = op.create_table(
        "{table}",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("label", sa.String(120), nullable=False),
{parent}    )
{seed}
'''

SEED = """    rows = range(1, {rows} + 1)
    op.bulk_insert(
        table, [{{"id": i, "code": f"{table}-{{i}}", "label": f"{label} {{i}}"}} for i in rows]
    )
"""

SETTINGS = """    op.bulk_insert(table, [{"id": 1, "code": "schema_marker", "label": "%s"}])
"""

TESTS = """
from sqlalchemy import text


def test_marker(db_session):
    marker = db_session.execute(
        text("SELECT label FROM settings_00 WHERE code = 'schema_marker'")
    ).scalar_one()
    with open("marker.txt", "w") as out:
        out.write(marker)
"""

TEST = """

def test_lookup_{i}(db_session):
    total = db_session.execute(text("SELECT count(*) FROM {table}")).scalar_one()
    assert total == {rows}
    db_session.execute(text("INSERT INTO {child} (code, label) VALUES ('t{i}', 'test')"))
    db_session.commit()
"""


def write_project(folder: Path, migrations: int, rows: int, tests: int) -> list[str]:
    versions = folder / "migrations" / "versions"
    versions.mkdir(parents=True)
    (folder / "migrations" / "env.py").write_text(ENV_PY)
    (folder / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    seeded_every = 5
    seeded = [n for n in range(migrations) if n % seeded_every == 2]
    per_table = rows // len(seeded)
    lookups: list[str] = []
    for n in range(migrations):
        table = "settings_00" if n == 0 else f"table_{n:02d}"
        parent = ""
        if n > 1 and n % 3 == 0:
            parent = (
                f'        sa.Column("parent_id", sa.Integer, '
                f'sa.ForeignKey("table_{n - 1:02d}.id")),\n'
            )
        if n == 0:
            seed = SETTINGS % "v1"
        elif n in seeded:
            seed = SEED.format(table=table, label="Lookup", rows=per_table)
            lookups.append(table)
        else:
            seed = ""
        down = f'"{n - 1:04d}"' if n else None
        (versions / f"{n:04d}_{table}.py").write_text(
            REVISION.format(
                title=f"{table}", rev=f"{n:04d}", down=down, table=table, parent=parent, seed=seed
            )
        )
    body = TESTS + "".join(
        TEST.format(i=i, table=lookups[i % len(lookups)], rows=per_table, child="table_01")
        for i in range(tests - 1)
    )
    (folder / "test_suite.py").write_text(body)
    (folder / "pytest.ini").write_text(
        "[pytest]\nfixturekit_alembic = alembic.ini\n"
        "asyncio_default_fixture_loop_scope = function\n"
    )
    return lookups


def edit_marker(folder: Path) -> None:
    """Edit the first migration the way a developer would: a changed seed value."""
    path = next((folder / "migrations" / "versions").glob("0000_*.py"))
    path.write_text(path.read_text().replace('"v1"', '"v2"'))


def run(folder: Path, url: str, *extra: str) -> float:
    dropped = ("FIXTUREKIT_DATABASE_URL", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            f"--fixturekit-url={url}",
            *extra,
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"pytest failed ({' '.join(extra)}):\n{result.stdout[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--migrations", type=int, default=40)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--tests", type=int, default=10)
    args = parser.parse_args()

    from sqlalchemy.engine import make_url

    from fixturekit.dialects import server_for

    database = f"fk_startup_{uuid.uuid4().hex[:8]}"
    url = make_url(args.url).set(database=database)
    shown, raw = url.render_as_string(hide_password=True), url.render_as_string(False)
    folder = Path(tempfile.mkdtemp(prefix="fk-bench-startup-"))
    lookups = write_project(folder, args.migrations, args.rows, args.tests)
    print(
        f"{args.migrations} Alembic migrations, {len(lookups)} of them loading "
        f"{args.rows // len(lookups) * len(lookups):,} lookup rows; {args.tests} tests; "
        f"pytest wall time on {shown}\n"
    )
    server = server_for(url)
    try:
        timings: list[tuple[str, float, str]] = []
        run(folder, raw, "--collect-only")  # warms Python's bytecode cache for every run
        keep = "--fixturekit-keep-template"
        timings.append(("first run (builds the kept template)", run(folder, raw, keep), ""))
        seen_first = (folder / "marker.txt").read_text()
        timings.append(("second run (reuses it)", run(folder, raw, keep), ""))
        seen_second = (folder / "marker.txt").read_text()
        edit_marker(folder)
        timings.append(("after editing one migration", run(folder, raw, keep), ""))
        seen_edited = (folder / "marker.txt").read_text()
        timings.append(("template built per run (no keep)", run(folder, raw), ""))
        collect = run(folder, raw, "--collect-only")
        first = timings[0][1]
        print(f"{'run':40} {'seconds':>8} {'vs first':>9}")
        for label, seconds, _ in [*timings, ("pytest alone (--collect-only)", collect, "")]:
            print(f"{label:40} {seconds:8.2f} {seconds / first:8.2f}x", flush=True)
        print(
            f"\nseed value seen: first {seen_first!r}, second {seen_second!r}, after the edit "
            f"{seen_edited!r} (must be 'v2')"
        )
        if seen_edited != "v2" or seen_second != "v1":
            raise SystemExit("the edited migration was not picked up")
        second = timings[1][1] / first
        print(f"second run / first run = {second:.2f} (target <= 0.30)")
    finally:
        kept = f"{database}_test_kept"
        if server.read_mark(kept) is not None:
            server.drop(kept)
        left = [n for n in server.databases() if n.startswith(database)]
        for name in left:
            server.drop(name)
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
