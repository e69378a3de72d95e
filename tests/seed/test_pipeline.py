"""The overlapped load on PostgreSQL: a forked worker generates and renders chunks while this
process COPYs them. Same rows as generating in-process, one transaction, and no worker left
behind whatever happens (a failure, the worker's death, the parent's death)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from seedhelp import TODAY, count, create_schema, table_hash
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from fixturekit.errors import FixturekitError
from fixturekit.seed import columns, load_postgres, pipeline
from fixturekit.seed import load as seed_load
from fixturekit.seed.run import SeedRequest, run_seed

STORE = f"{Path(__file__).resolve().parent / 'store_models.py'}:Base"
LEDGER = f"{Path(__file__).resolve().parent / 'ledger_models.py'}:Base"
LEDGER_ROWS = {"accounts": 300, "entries": 2_000, "notes": 5_000}
ROWS = {"customers": 400, "items": 100, "purchases": 12_000}
ORDER = {"customers": "id", "items": "id", "purchases": "id"}


@pytest.fixture(autouse=True)
def small_loads_overlap(monkeypatch):
    monkeypatch.setattr(pipeline, "MIN_ROWS", 0)
    monkeypatch.setattr(seed_load, "FAST_PATH_MIN_ROWS", 0)
    # Chunks small enough that every table spans several of them.
    monkeypatch.setattr(columns, "CHUNK_ROWS", 512)


def request(url: URL, **options) -> SeedRequest:
    target = url.render_as_string(hide_password=False)
    return SeedRequest(STORE, target, rows=ROWS, seed=3, today=TODAY, **options)


def seed(url: URL, **options) -> dict[str, int]:
    return run_seed(request(url, **options)).rows


def constraint_names(url: URL) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                " WHERE n.nspname = 'public' UNION ALL SELECT indexname FROM pg_indexes"
                " WHERE schemaname = 'public'"
            )
        ).scalars()
        names = set(found)
    engine.dispose()
    return names


def test_the_worker_loads_the_rows_generating_in_process_would(pg_url: URL, monkeypatch):
    create_schema(pg_url, STORE)
    before = constraint_names(pg_url)
    used: list[bool] = []
    real = pipeline.load_overlapped

    def spy(*args, **kwargs):
        used.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load_overlapped", spy)
    assert seed(pg_url) == ROWS
    assert used and not multiprocessing.active_children()
    assert constraint_names(pg_url) == before
    overlapped = {t: table_hash(pg_url, t) for t in ROWS}

    monkeypatch.setenv(pipeline.WORKER_SWITCH, "0")
    used.clear()
    assert seed(pg_url, truncate=True) == ROWS
    assert not used
    assert {t: table_hash(pg_url, t) for t in ROWS} == overlapped


def loading_order(monkeypatch) -> list[str]:
    """The tables in the order the worker's chunks are loaded, as the seeds below run."""
    order: list[str] = []
    real = load_postgres.PostgresLoader.load_rendered

    def spy(self, target, buffers, binary=False):
        order.append(target.table.key)
        return real(self, target, buffers, binary=binary)

    monkeypatch.setattr(load_postgres.PostgresLoader, "load_rendered", spy)
    return order


def test_with_foreign_keys_dropped_the_largest_tables_load_first(pg_url: URL, monkeypatch):
    """Notes (the most rows) go first: their keys to entries are numbered, not generated.
    Entries copy the accounts' generated UUIDs, so they still follow accounts. The rows are
    the ones the plan's order (in process) gives."""
    create_schema(pg_url, LEDGER)
    order = loading_order(monkeypatch)
    target = pg_url.render_as_string(hide_password=False)

    def seed_and_hash(truncate: bool) -> dict[str, str]:
        request = SeedRequest(
            LEDGER, target, rows=LEDGER_ROWS, seed=8, today=TODAY, truncate=truncate
        )
        assert run_seed(request).rows == LEDGER_ROWS
        return {
            "accounts": table_hash(pg_url, "accounts"),
            "entries": table_hash(pg_url, "entries", ["account_id", "amount"]),
            "notes": table_hash(pg_url, "notes"),
        }

    reordered = seed_and_hash(truncate=False)
    assert order == ["notes", "accounts", "entries"]
    with create_engine(pg_url).connect() as conn:
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM entries e LEFT JOIN accounts a ON a.id = e.account_id "
                "WHERE a.id IS NULL"
            )
        ).scalar_one()
    assert orphans == 0

    monkeypatch.setenv(pipeline.WORKER_SWITCH, "0")
    order.clear()
    assert seed_and_hash(truncate=True) == reordered
    assert order == []


def test_while_foreign_keys_are_checked_parents_load_first(pg_url: URL, monkeypatch):
    """Below the size where the loader drops foreign keys, the worker keeps the plan's order."""
    monkeypatch.setattr(seed_load, "FAST_PATH_MIN_ROWS", 10**9)
    create_schema(pg_url, LEDGER)
    order = loading_order(monkeypatch)
    target = pg_url.render_as_string(hide_password=False)
    request = SeedRequest(LEDGER, target, rows=LEDGER_ROWS, seed=8, today=TODAY)
    assert run_seed(request).rows == LEDGER_ROWS
    assert order == ["accounts", "entries", "notes"]


def test_keys_are_rebuilt_in_pauses_of_the_load_and_the_rest_at_the_end(pg_url: URL):
    """A complete table's keys and indexes are built while no rows are waiting (`busy()` is
    False); while rows wait they are left for a later pause or for `finish`. A foreign key
    waits for both of its tables."""
    from fixturekit.schema.loading import load_models
    from fixturekit.schema.sqlalchemy import read_loaded
    from fixturekit.seed.load import connect

    create_schema(pg_url, STORE)
    schema = read_loaded(load_models(STORE))
    tables = schema.tables
    loader = connect(pg_url.render_as_string(hide_password=False))

    def present() -> set[str]:
        with loader.conn.cursor() as cur:
            cur.execute(
                "SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'f') "
                "AND conrelid = ANY('{customers,items,purchases}'::regclass[]) "
                "UNION ALL SELECT indexname FROM pg_indexes WHERE tablename = 'purchases'"
            )
            return {row[0] for row in cur.fetchall()}

    try:
        loader.begin()
        loader.prepare(list(tables.values()), 10**6)
        assert present() == set() and loader.any_order
        loader.loaded(tables["purchases"], busy=lambda: True)
        assert present() == set()
        loader.loaded(tables["customers"], busy=lambda: False)
        built = present()
        assert {"purchases_pkey", "uq_purchases_pair", "customers_pkey"} <= built
        assert "purchases_customer_id_fkey" in built
        assert "purchases_item_id_fkey" not in built and "items_pkey" not in built
        loader.finish([])
        assert {"items_pkey", "items_sku_key", "purchases_item_id_fkey"} <= present()
    finally:
        loader.rollback()
        loader.close()


def test_a_failure_while_loading_rolls_back_and_reaps_the_worker(pg_url: URL):
    create_schema(pg_url, STORE)
    before = constraint_names(pg_url)

    def explode(chunk) -> None:
        if chunk.table.key == "purchases" and chunk.start > 0:
            raise RuntimeError("injected")

    with pytest.raises(RuntimeError, match="injected"):
        run_seed(
            request(pg_url),
            on_chunk=explode,
        )
    assert not multiprocessing.active_children()
    assert all(count(pg_url, t) == 0 for t in ROWS)
    assert constraint_names(pg_url) == before


def test_the_workers_death_is_a_clear_error_and_a_rollback(pg_url: URL):
    create_schema(pg_url, STORE)

    def kill_worker(chunk) -> None:
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(FixturekitError, match="worker process stopped unexpectedly"):
        run_seed(
            request(pg_url),
            on_chunk=kill_worker,
        )
    assert all(count(pg_url, t) == 0 for t in ROWS)


PARENT = """
import sys, time
from fixturekit.seed import columns, load_postgres, pipeline
from fixturekit.seed.run import SeedRequest, run_seed
pipeline.MIN_ROWS = 0
columns.CHUNK_ROWS = 512
def hang(chunk):
    if chunk.table.key == "purchases":
        import multiprocessing
        print(*[c.pid for c in multiprocessing.active_children()], flush=True)
        time.sleep(600)
run_seed(SeedRequest(sys.argv[1], sys.argv[2], rows={rows!r}, seed=3), on_chunk=hang)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] not in "ZX"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker is Linux-only")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_stopping_the_seed_stops_its_worker_and_writes_nothing(pg_url: URL, how: int):
    create_schema(pg_url, STORE)
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT.format(rows=ROWS), STORE,
         pg_url.render_as_string(hide_password=False)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers and all(_alive(pid) for pid in workers)
        parent.send_signal(how)
        assert parent.wait(timeout=30) != 0
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
    deadline = time.monotonic() + 20  # the server notices the closed connection and rolls back
    while time.monotonic() < deadline and any(count(pg_url, t) for t in ROWS):
        time.sleep(0.2)
    assert all(count(pg_url, t) == 0 for t in ROWS)


WIRE = f"{Path(__file__).resolve().parent / 'wire_models.py'}:Base"
WIRE_ROWS = {"readings": 3000, "tagged": 1000}
WIRE_CONFIG = """
[tables.readings.columns]
big = { between = [-9000000000, 9000000000], null = 0.2 }
ratio = { between = [-1000, 1000], null = 0.1 }
amount = { between = [-5000, 5000], null = 0.2 }
huge = { between = [-1000000000000, 999999999999999] }
day = { between = ["1950-01-01", "2090-12-31"], null = 0.1 }
at = { between = ["1990-01-01", "2060-01-01"] }
flag = { null = 0.3 }
label = { values = ["tab\\there", "back\\\\slash", "line\\nbreak", "plain", "été"], null = 0.2 }
note = { null = 0.5 }
phase = { null = 0.25 }
"""


def test_binary_copy_loads_the_rows_text_copy_would(pg_url: URL, monkeypatch, tmp_path: Path):
    """Tables whose every type has a binary encoding go through binary COPY; the rows are the
    ones COPY text and the in-process load write (NULLs, negatives, escapes, time zones)."""
    create_schema(pg_url, WIRE)
    config = tmp_path / "wire.toml"
    config.write_text(WIRE_CONFIG)
    formats: list[bool] = []
    real = load_postgres.PostgresLoader.load_rendered

    def spy(self, target, buffers, binary=False):
        formats.append((target.table.key, binary))
        return real(self, target, buffers, binary=binary)

    monkeypatch.setattr(load_postgres.PostgresLoader, "load_rendered", spy)
    target = pg_url.render_as_string(hide_password=False)

    def seed_and_hash(truncate: bool) -> dict[str, str]:
        request = SeedRequest(
            WIRE, target, rows=WIRE_ROWS, seed=5, today=TODAY, config_path=config,
            truncate=truncate,
        )  # fmt: skip
        assert run_seed(request).rows == WIRE_ROWS
        return {t: table_hash(pg_url, t) for t in WIRE_ROWS}

    binary = seed_and_hash(truncate=False)
    assert formats == [("readings", True), ("tagged", False)]  # a uuid column: text
    assert count(pg_url, "readings") == 3000
    monkeypatch.setenv(load_postgres.BINARY_SWITCH, "0")
    formats.clear()
    assert seed_and_hash(truncate=True) == binary
    assert formats == [("readings", False), ("tagged", False)]
    monkeypatch.setenv(pipeline.WORKER_SWITCH, "0")
    formats.clear()
    assert seed_and_hash(truncate=True) == binary
    assert formats == []


def test_the_progress_bars_start_no_thread_before_the_first_table():
    """The worker is forked after the bars are made and before the first table starts: no
    refresh thread may be running then (a fork with threads running can deadlock)."""
    import io
    import threading

    from rich.console import Console

    from fixturekit.seed.progress import RichProgress

    before = set(threading.enumerate())
    bars = RichProgress(Console(file=io.StringIO(), force_terminal=True))
    assert set(threading.enumerate()) == before
    bars.start("users", 10)
    started = set(threading.enumerate()) - before
    assert started, "the bars refresh from a thread once a table starts"
    bars.advance("users", 10)
    bars.done("users")
    bars.close()
    for thread in started:
        thread.join(timeout=5)  # rich tells its thread to stop; it ends at its next wake-up
    assert not started & set(threading.enumerate())
