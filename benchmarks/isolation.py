"""Per-test cost of each isolation mode against a bare outer-transaction rollback, same run.

    python benchmarks/isolation.py [--url postgresql+psycopg://postgres@127.0.0.1/bench]
                                   [--tests 200] [--modes savepoint,transaction,...]
                                   [--fresh-samples 30] [--no-ephemeral] [--mysql URL]

Writes a throwaway project (a 25-table shop schema, factories from `fixturekit generate`) and
runs pytest on it once per isolation mode. Each run interleaves N baseline tests with N tests on
the plugin's `db_session`: the baseline joins a plain Session to `connection.begin()` and rolls
it back (the cheapest correct isolation there is), binds the same factories and does the same
work. A test's cost is its setup + call + teardown as pytest reports them, so fixture and hook
overhead (factory binding, leak check, cleanup) is included. The first tests of each kind warm
up the pools and are left out. Then `fresh_database` provisioning (clone from the template, and
drop) is timed directly on the durable server and on an ephemeral one.

Last, data shared at a wider scope: a module of SCOPE_TESTS tests sharing a module-scoped
scenario of about 1,000 rows, against a module of the same tests on the same scenario at function
scope (built again for every test). Both modules run in one pytest session; each module's total
is the sum of its tests' setup + call + teardown. `--scopes-only` runs just this part.

Numbers from a shared machine move with its load: compare the ratio within one run, not
absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WARMUP = 3
MODULE_SECONDS = 0.5  # a test module's run time, for fresh_database's clone-ahead
MODES = ["savepoint", "transaction", "truncate", "fresh-db"]

TABLES = [  # name, parent columns (nullable parents end in "?")
    ("countries", []),
    ("regions", ["countries"]),
    ("cities", ["regions"]),
    ("addresses", ["cities"]),
    ("roles", []),
    ("users", ["addresses?"]),
    ("profiles", ["users"]),
    ("user_roles", ["users", "roles"]),
    ("categories", []),
    ("brands", []),
    ("suppliers", ["addresses?"]),
    ("products", ["categories", "brands", "suppliers?"]),
    ("product_images", ["products"]),
    ("tags", []),
    ("product_tags", ["products", "tags"]),
    ("warehouses", ["addresses?"]),
    ("inventory", ["warehouses", "products"]),
    ("carts", ["users"]),
    ("cart_items", ["carts", "products"]),
    ("coupons", []),
    ("orders", ["users", "coupons?"]),
    ("order_items", ["orders", "products"]),
    ("payments", ["orders"]),
    ("shipments", ["orders", "warehouses?"]),
    ("reviews", ["users", "products"]),
]


def _class_name(table: str) -> str:
    singular = table[:-3] + "y" if table.endswith("ies") else table.rstrip("s")
    if table == "addresses":
        singular = "address"
    if table == "inventory":
        singular = "inventory_row"
    return "".join(part.title() for part in singular.split("_"))


def models_source() -> str:
    lines = [
        "from datetime import datetime",
        "from decimal import Decimal",
        "from sqlalchemy import ForeignKey, Numeric, String, Text",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship",
        "",
        "",
        "class Base(DeclarativeBase):",
        "    pass",
    ]
    for table, parents in TABLES:
        lines += ["", "", f"class {_class_name(table)}(Base):", f'    __tablename__ = "{table}"']
        lines.append("    id: Mapped[int] = mapped_column(primary_key=True)")
        lines.append("    name: Mapped[str] = mapped_column(String(80))")
        lines.append("    code: Mapped[str] = mapped_column(String(40), unique=True)")
        lines.append("    created_at: Mapped[datetime]")
        if table in ("products", "order_items", "payments"):
            lines.append("    price: Mapped[Decimal] = mapped_column(Numeric(8, 2))")
        if table in ("reviews", "product_images"):
            lines.append("    body: Mapped[str | None] = mapped_column(Text)")
        for parent in parents:
            nullable = parent.endswith("?")
            parent = parent.rstrip("?")
            column = _class_name(parent).lower()
            optional = " | None" if nullable else ""
            lines.append(
                f'    {column}_id: Mapped[int{optional}] = mapped_column(ForeignKey("{parent}.id"))'
            )
            lines.append(
                f'    {column}: Mapped["{_class_name(parent)}{optional}"] = relationship()'
            )
    return "\n".join(lines) + "\n"


CONFTEST = """
import json, os
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import factories

_costs = {}

def pytest_runtest_logreport(report):
    _costs[report.nodeid] = _costs.get(report.nodeid, 0.0) + report.duration
    if report.when == "teardown":
        with open(os.environ["BENCH_OUT"], "a") as out:
            out.write(json.dumps([report.nodeid, _costs.pop(report.nodeid)]) + "\\n")

@pytest.fixture(scope="session")
def bare_engine(_fixturekit):
    # Its own engine on the plugin's test database: nothing of the plugin runs per test.
    engine = create_engine(_fixturekit.manager.engine.url)
    yield engine
    engine.dispose()

@pytest.fixture
def bare_session(bare_engine):
    connection = bare_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection)
    factories.bind_session(session)
    yield session
    factories.bind_session(None)
    session.close()
    outer.rollback()
    connection.close()
"""

TEST_PAIR = """
@pytest.mark.fixturekit(isolation="savepoint")
def test_{i:04d}_bare(bare_session):
    work(bare_session)

def test_{i:04d}_plugin(db_session):
    work(db_session)
"""

TESTS_HEAD = """
import pytest
from sqlalchemy import func, select

import factories
from models import OrderItem, Review

def work(session):
    # A typical small test: a few related rows through the factories, then a query.
    factories.OrderItemFactory.create_batch(2)
    factories.ReviewFactory()
    session.commit()
    assert session.scalar(select(func.count()).select_from(OrderItem)) == 2
"""


def write_project(folder: Path, tests: int) -> None:
    (folder / "models.py").write_text(models_source())
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from fixturekit.cli import main; main()",
            "generate",
            "models.py",
            "-o",
            "factories.py",
            "-q",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    (folder / "conftest.py").write_text(CONFTEST)
    body = TESTS_HEAD + "".join(TEST_PAIR.format(i=i) for i in range(tests))
    (folder / "test_bench.py").write_text(body)
    (folder / "pytest.ini").write_text(
        "[pytest]\nfixturekit_models = models.py\nfixturekit_factories = factories.py\n"
        "asyncio_default_fixture_loop_scope = function\n"
    )


def run_mode(folder: Path, url: str, mode: str) -> dict[str, list[float]]:
    out = folder / f"costs-{mode}.jsonl"
    out.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_OUT": str(out)}
    env.pop("FIXTUREKIT_DATABASE_URL", None)
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
            f"--fixturekit-isolation={mode}",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"benchmark run for {mode} failed:\n{result.stdout[-3000:]}")
    costs: dict[str, list[float]] = {"bare": [], "plugin": []}
    for line in out.read_text().splitlines():
        nodeid, seconds = json.loads(line)
        costs[nodeid.rsplit("_", 1)[-1]].append(seconds)
    return {kind: values[WARMUP:] for kind, values in costs.items()}


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def time_fresh(url: str, samples: int) -> dict[str, tuple[float, float]]:
    """Median/p95 in ms of the server's clone from the template, its drop, and the wait in the
    fresh_database fixture when each module runs MODULE_SECONDS (the plugin clones the next
    database ahead on a background thread)."""
    from sqlalchemy.engine import make_url

    from fixturekit.dialects import server_for
    from fixturekit.plugin.building import build_schema
    from fixturekit.plugin.databases import DatabaseManager
    from fixturekit.schema.loading import load_models

    folder = Path(tempfile.mkdtemp(prefix="fk-bench-models-"))
    (folder / "models.py").write_text(models_source())
    metadatas = load_models(str(folder / "models.py")).metadatas
    manager = DatabaseManager(
        server_for(make_url(url)),
        worker="bench",
        lock_timeout=5,
        build_schema=lambda engine: build_schema(engine, metadatas, None, folder),
        notice=print,
    )
    manager.provision()
    creates, drops, waits = [], [], []
    try:
        for _ in range(samples):
            started = time.perf_counter()
            name = manager._clone_fresh()
            creates.append(time.perf_counter() - started)
            started = time.perf_counter()
            manager.server.drop(name)
            drops.append(time.perf_counter() - started)
        for _ in range(samples):
            started = time.perf_counter()
            fresh = manager.fresh()
            waits.append(time.perf_counter() - started)
            time.sleep(MODULE_SECONDS)  # the module's tests run
            manager.drop_fresh(fresh)
    finally:
        manager.close()
    return {"clone": summary(creates), "drop": summary(drops), "fixture wait": summary(waits)}


SCOPE_TESTS = 50
# 1,000 rows. Parents come first, so that every reference (nullable ones included) points at
# one of the scenario's own rows instead of each factory making its own parents.
SCOPE_COUNTS = {
    "countries": 2,
    "regions": 4,
    "cities": 10,
    "addresses": 20,
    "suppliers": 20,
    "categories": 30,
    "brands": 30,
    "users": 100,
    "products": 384,
    "reviews": 400,
}

SCOPE_HEAD = """
from sqlalchemy import func, select, text
from models import Base, Review

def test_rows({name}_scenario, db_session):
    total = sum(db_session.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables)
    with open("rows-{name}.txt", "w") as out:
        out.write(str(total))
"""

SCOPE_TEST = """
def test_{i:03d}({name}_scenario, db_session, factories):
    product = {name}_scenario.products[{i} % len({name}_scenario.products)]
    factories.Review(product=product, user={name}_scenario.users[0])
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(Review)) == {reviews} + 1
"""


def time_scopes(url: str, tests: int) -> None:
    """A module-scoped scenario against the same one at function scope, in one session."""
    folder = Path(tempfile.mkdtemp(prefix="fk-bench-scopes-"))
    write_project(folder, 0)
    (folder / "test_bench.py").unlink()
    counts = ", ".join(f"{table} = {n}" for table, n in SCOPE_COUNTS.items())
    (folder / "pyproject.toml").write_text(
        "[tool.fixturekit.scenarios]\n"
        f'shared = {{ scope = "module", {counts} }}\n'
        f"per_test = {{ {counts} }}\n"
    )
    for name in ("shared", "per_test"):
        tests_source = "".join(
            SCOPE_TEST.format(i=i, name=name, reviews=SCOPE_COUNTS["reviews"]) for i in range(tests)
        )
        (folder / f"test_{name}.py").write_text(SCOPE_HEAD.format(name=name) + tests_source)
    out = folder / "costs.jsonl"
    env = {**os.environ, "BENCH_OUT": str(out)}
    env.pop("FIXTUREKIT_DATABASE_URL", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p"]
    command += ["no:randomly", f"--fixturekit-url={url}"]
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"benchmark run for scopes failed:\n{result.stdout[-3000:]}")
    totals = {"shared": 0.0, "per_test": 0.0}
    for line in out.read_text().splitlines():
        nodeid, seconds = json.loads(line)
        totals["shared" if nodeid.startswith("test_shared.py") else "per_test"] += seconds
    rows = {name: (folder / f"rows-{name}.txt").read_text() for name in totals}
    print(
        f"\ndata shared by a module: {tests + 1} tests on a scenario of {rows['shared']} rows "
        f"({rows['per_test']} at function scope); each adds a review, commits and counts. "
        "Total seconds per module (setup + call + teardown of every test)"
    )
    print(f"{'scenario scope':34} {'total s':>9} {'per test ms':>12}")
    for label, key in (("function (built for every test)", "per_test"), ("module", "shared")):
        print(f"{label:34} {totals[key]:9.2f} {totals[key] / (tests + 1) * 1000:12.1f}")
    print(f"function / module = {totals['per_test'] / totals['shared']:.1f}x (target >= 10x)")
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/fk_bench")
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--sqlite", action="store_true", help="also run savepoint on SQLite")
    parser.add_argument("--mysql", default=None, help="also run savepoint on this MariaDB URL")
    parser.add_argument("--fresh-samples", type=int, default=30)
    parser.add_argument("--no-ephemeral", action="store_true")
    parser.add_argument("--scope-tests", type=int, default=SCOPE_TESTS)
    parser.add_argument("--scopes-only", action="store_true")
    args = parser.parse_args()
    if args.scopes_only:
        time_scopes(args.url, args.scope_tests)
        return

    folder = Path(tempfile.mkdtemp(prefix="fk-bench-"))
    write_project(folder, args.tests)
    print(
        f"{len(TABLES)} tables, {args.tests} baseline + {args.tests} plugin tests per run "
        f"(first {WARMUP} of each left out); times in ms per test (setup+call+teardown)\n"
    )
    print(
        f"{'run':34} {'bare median':>11} {'bare p95':>9} {'mode median':>11} "
        f"{'mode p95':>9} {'ratio':>6}"
    )
    runs = [(mode, args.url, mode) for mode in args.modes.split(",") if mode]
    if args.sqlite:
        runs.append(("savepoint (SQLite file)", f"sqlite:///{folder / 'app.sqlite3'}", "savepoint"))
    if args.mysql:
        runs.append(("savepoint (MariaDB)", args.mysql, "savepoint"))
    for label, url, mode in runs:
        costs = run_mode(folder, url, mode)
        bare, plugin = summary(costs["bare"]), summary(costs["plugin"])
        print(
            f"{label:34} {bare[0]:11.2f} {bare[1]:9.2f} {plugin[0]:11.2f} {plugin[1]:9.2f} "
            f"{plugin[0] / bare[0]:6.2f}",
            flush=True,
        )

    print(
        f"\nfresh_database provisioning, ms (median / p95 of {args.fresh_samples}): the server's "
        "clone from the template, its drop, and the fixture's wait when each module runs "
        f"{MODULE_SECONDS:g} s (the next database is cloned ahead in the background)"
    )
    targets = [("PostgreSQL (durable)", args.url)]
    ephemeral = None
    if not args.no_ephemeral:
        from fixturekit.plugin.ephemeral import EphemeralPostgres

        ephemeral = EphemeralPostgres.start()
        targets.append(("PostgreSQL (ephemeral)", ephemeral.url.render_as_string(False)))
    try:
        for label, url in targets:
            found = time_fresh(url, args.fresh_samples)
            cells = "".join(f"  {k} {v[0]:6.1f} / {v[1]:6.1f}" for k, v in found.items())
            print(f"{label:24}{cells}", flush=True)
    finally:
        if ephemeral is not None:
            ephemeral.stop()
    time_scopes(args.url, args.scope_tests)


if __name__ == "__main__":
    main()
