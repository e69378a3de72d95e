"""Generation in a worker process, overlapped with loading.

A seed's time goes to two things that need different cores: computing and rendering the values
(Python and numpy, in this process) and parsing and storing them (the server). Done in one
process, the server waits while the next chunk is generated. Here a forked worker generates
every table of the plan in order, renders each chunk to the loader's wire format, and sends the
bytes through a pipe; this process only forwards them to COPY. The pipe holds at most a chunk or
two, so memory stays flat in rows and the worker never runs far ahead.

The worker never touches the database and cannot outlive the seed: it is a daemon process, asks
the kernel to kill it when its parent dies (Linux), stops when the pipe breaks, ignores Ctrl-C
(the parent's rollback decides what happens) and is terminated by the parent on any failure.
Everything is still written by the parent's one transaction.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.seed.columns import Chunk, KeyStore, generate_table
from fixturekit.seed.load import Loader, TableLoad
from fixturekit.seed.plan import SeedPlan, TableSeed
from fixturekit.seed.progress import Progress

# Rendering of one chunk for the loader: (table seed, chunk columns, the table's wire types for
# a binary COPY or None for text) -> bytes.
Render = Callable[[TableSeed, dict[str, Any], Any], bytes]

# Below this many rows, starting a worker costs more than the overlap saves.
MIN_ROWS = 20_000
# FIXTUREKIT_SEED_WORKER=0 generates in the loading process (to compare, or to debug).
WORKER_SWITCH = "FIXTUREKIT_SEED_WORKER"

# Chunks kept ready in this process (a few MB each): a bound independent of the row count.
READ_AHEAD = 16

_GONE = "gone"  # the worker's end of the pipe closed without a word
_END = "end"  # a table is complete
_ERROR = "error"  # the worker failed: the message follows


def enabled() -> bool:
    """Forking is what makes the worker cheap (no second import of the models): Linux only."""
    if os.environ.get(WORKER_SWITCH, "1").strip().lower() in ("0", "no", "false", "off"):
        return False
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the broken pipe still stops the worker at its next chunk


def load_order(plan: SeedPlan, any_order: bool) -> list[TableSeed]:
    """The order the worker generates, and this process loads, the tables of `plan`.

    While foreign keys are checked row by row, parents must be loaded first: the plan's order.
    When none is (`Loader.any_order`: the loader re-creates them once every table is complete),
    the server's work bounds the seed, and the server waits whenever the worker is behind. So
    the largest tables go first: their rows are mostly keys, quick to make, so the server starts
    sooner, and their COPY and index builds keep it busy while the worker makes the smaller,
    slower tables (names, text) ahead of it. A table still follows every parent whose generated
    key values it copies (`KeyStore`: keys the seeder does not number itself). Values do not
    depend on the order: every draw is keyed by table, column and row."""
    seeds = list(plan)
    if not any_order:
        return seeds
    needs: dict[str, set[str]] = {}
    for seed in seeds:
        # As `sizing.keep` decides what is kept: every link (a composite unique's members and
        # group included) is in `seed.links`.
        needs[seed.key] = {
            link.parent
            for link in seed.links
            if link.parent != seed.key
            and any(c not in plan.tables[link.parent].sequences for c in link.fk.referred_columns)
        }
    position = {seed.key: index for index, seed in enumerate(seeds)}
    order: list[TableSeed] = []
    done: set[str] = set()
    while len(order) < len(seeds):
        # Never empty: the plan's order is a valid one, so its first table not yet placed has
        # every parent placed.
        ready = [s for s in seeds if s.key not in done and needs[s.key] <= done]
        chosen = max(ready, key=lambda s: (s.hi - s.lo, -position[s.key]))
        order.append(chosen)
        done.add(chosen.key)
    return order


def _produce(
    plan: SeedPlan,
    order: list[TableSeed],
    render: Render,
    out: Connection,
    formats_in: Connection,
    parent: int,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    try:
        store = KeyStore(plan)
        formats: dict[str, Any] | None = None
        for seed in order:
            for chunk in generate_table(plan, seed, store):
                if formats is None:
                    # The loading process reads the tables' column types once connected; the
                    # first chunk is generated meanwhile.
                    formats = formats_in.recv()
                data = render(seed, chunk.columns, formats.get(seed.key))
                out.send((chunk.start, chunk.count))
                out.send_bytes(data)
            out.send((_END, seed.key))
    except (BrokenPipeError, ConnectionResetError, EOFError):
        os._exit(1)
    except FixturekitError as exc:
        out.send((_ERROR, (exc.message, exc.hint)))
    except BaseException:
        out.send((_ERROR, (traceback.format_exc().strip().splitlines()[-1], None)))
    finally:
        out.close()


class Producer:
    """The worker, and a reader thread that keeps up to READ_AHEAD of its chunks in memory, so
    the worker keeps generating while the server is busy with something else (building the keys
    of the table just loaded). A context manager that always reaps both."""

    def __init__(self, plan: SeedPlan, render: Render, any_order: bool = False) -> None:
        context = multiprocessing.get_context("fork")
        self.any_order = any_order
        self.order = load_order(plan, any_order)
        self._incoming, outgoing = context.Pipe(duplex=False)
        formats_in, self._formats_out = context.Pipe(duplex=False)
        self.formats: dict[str, Any] | None = None  # sent to the worker by send_formats
        self._process = context.Process(
            target=_produce,
            args=(plan, self.order, render, outgoing, formats_in, os.getpid()),
            name="fixturekit-seed-worker",
            daemon=True,
        )
        self._process.start()  # before the thread: a fork copies only the calling thread
        outgoing.close()  # the worker holds the only writing end: EOF means it is gone
        formats_in.close()
        self._queue: queue.Queue[tuple[Any, Any, bytes]] = queue.Queue(READ_AHEAD)
        self._stopping = threading.Event()
        self._reader = threading.Thread(target=self._read, name="fixturekit-seed-reader")
        self._reader.daemon = True
        self._reader.start()

    def _put(self, item: tuple[Any, Any, bytes]) -> bool:
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        while True:
            try:
                first, second = self._incoming.recv()
                data = self._incoming.recv_bytes() if first not in (_END, _ERROR) else b""
            except (EOFError, OSError):
                self._put((_GONE, None, b""))
                return
            if not self._put((first, second, data)) or first == _ERROR:
                return

    def chunks(self, seed: TableSeed) -> Iterator[tuple[int, int, bytes]]:
        """(first row, row count, rendered bytes) of each chunk of `seed`, in order."""
        while True:
            first, second, data = self._queue.get()
            if first == _END:
                return
            if first == _ERROR:
                message, hint = second
                raise FixturekitError(message, hint=hint)
            if first == _GONE:
                raise FixturekitError(
                    f"Generating {seed.key}: the worker process stopped unexpectedly.",
                    hint="Nothing was written: the whole load was rolled back.",
                )
            yield first, second, data

    def has_rows_waiting(self) -> bool:
        """Are chunks already generated and waiting to be loaded?"""
        return not self._queue.empty()

    def send_formats(self, formats: dict[str, Any]) -> None:
        """Tell the worker how to render each table: {table key: wire types} for a binary
        COPY; tables left out are rendered as COPY text."""
        self.formats = formats
        with contextlib.suppress(BrokenPipeError, OSError):  # gone: its chunks will say so
            self._formats_out.send(formats)

    def close(self) -> None:
        self._stopping.set()
        self._formats_out.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._reader.join()
        self._incoming.close()

    def __enter__(self) -> Producer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def plan_applies(plan: SeedPlan) -> bool:
    """Is `plan` worth a worker (large enough) and can one generate all of it (no foreign-key
    cycle, whose second pass needs the keys generated in this process)?"""
    return plan.total_rows >= MIN_ROWS and enabled() and not any(seed.deferred for seed in plan)


def applies(loader: Loader, plan: SeedPlan) -> bool:
    """Generate in a worker process while this one loads? Only where it pays and applies: a
    loader that takes rendered chunks, and a plan that `plan_applies` to."""
    return hasattr(loader, "load_rendered") and plan_applies(plan)


def start_early(plan: SeedPlan, any_order: bool) -> Producer:
    """A worker rendering PostgreSQL COPY chunks, started before this process connects: it
    generates the first chunks while this one imports the driver, connects, checks the tables
    are empty and drops their keys (start-up the server would otherwise wait through).
    `any_order`: the loader will drop every foreign key (`Loader.any_order`), as the caller
    foresees it; `load_overlapped` checks the foresight."""
    from fixturekit.seed.encode_binary import render_chunk

    return Producer(plan, render_chunk, any_order)


def load_overlapped(
    loader: Any,
    plan: SeedPlan,
    progress: Progress | None,
    on_chunk: Callable[[Chunk], None] | None,
    producer: Producer | None = None,
) -> dict[str, int]:
    """Load every table of `plan`, generated by a worker (`producer`, started early, or one
    started now): rows written per table. The caller closes a producer it passed in."""
    rows: dict[str, int] = {}
    owned = Producer(plan, loader.render, loader.any_order) if producer is None else None
    with owned if owned is not None else contextlib.nullcontext(producer) as producer:
        if producer.any_order and not loader.any_order:
            # Children would reach checked foreign keys before their parents' rows.
            raise FixturekitError(
                "Internal error: the seed's worker chose a load order the loader cannot take.",
                hint="Seed again with FIXTUREKIT_SEED_WORKER=0, and report this.",
            )
        if producer.formats is None:
            producer.send_formats(loader.copy_formats(plan))
        formats = producer.formats or {}
        for seed in producer.order:
            if progress is not None:
                progress.start(seed.key, seed.hi - seed.lo)
            rows[seed.key] = 0

            def buffers(seed: TableSeed = seed) -> Iterator[bytes]:
                for start, count, data in producer.chunks(seed):
                    yield data
                    rows[seed.key] += count
                    if progress is not None:
                        progress.advance(seed.key, count)
                    if on_chunk is not None:
                        on_chunk(Chunk(seed, start, count, {}))

            columns = [seed.table.column(c) for c in seed.columns]
            binary = formats.get(seed.key) is not None
            loader.load_rendered(TableLoad(seed.table, columns), buffers(), binary=binary)
            if seed.hi - seed.lo == seed.rows:  # the whole table, not one shard's slice
                loader.loaded(seed.table, producer.has_rows_waiting)
            if progress is not None:
                progress.done(seed.key)
    return rows
