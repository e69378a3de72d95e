"""`seed --jobs N`: N local processes, one shard each, committed together or not at all.

Each worker generates and loads its shard in a transaction of its own, then reports "ready"
and waits. The coordinator (the `fixturekit seed` process) sends "commit" to every worker only
once all of them are ready; if any shard fails, the coordinator is interrupted or a worker dies,
every worker is told to roll back, or rolls back on its own because its connection ends.

Workers die with their coordinator: on Linux the kernel kills them when it dies
(PR_SET_PDEATHSIG); everywhere, a watchdog thread reading the coordinator's pipe ends the worker
as soon as the pipe closes. Either way the worker's connection drops and the server rolls its
transaction back. Workers ignore SIGINT, so a Ctrl-C at the terminal reaches them only through
the coordinator, which answers it with the same message and exit code as a one-process seed.

The residual window, stated honestly: after the decision, each worker commits its own
transaction. The coordinator sends the N "commit" messages back to back (microseconds), and a
worker that has read "commit" no longer dies with the coordinator, so killing the coordinator
after the decision still commits every shard. What can split a seed is a worker's own COMMIT
failing after another's succeeded: the server crashing, its disk filling or the worker being
killed (kill -9 on the worker itself) in that instant. Deferred constraints cannot do it: a
worker checks them (SET CONSTRAINTS ALL IMMEDIATE) before it reports ready. The coordinator
then names the shards that did and did not commit. PostgreSQL's two-phase commit (PREPARE
TRANSACTION) would narrow it further, but it is off by default (max_prepared_transactions = 0)
and a prepared transaction orphaned by a crash keeps its locks until an operator resolves it by
hand, which is worse for a seed than the window it closes.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from fixturekit.errors import FixturekitError

if TYPE_CHECKING:
    from fixturekit.seed.run import SeedRequest

READY, COMMITTED, FAILED = "ready", "committed", "failed"
COMMIT, ABORT = "commit", "abort"
# How long aborted workers get to roll back and exit before they are killed.
ABORT_GRACE = 10.0
PR_SET_PDEATHSIG = 1


class PartialCommit(FixturekitError):
    """Some shards committed after the decision and others failed to: said as such, never as
    "nothing was written" (not even after a Ctrl-C)."""


class ShardAborted(Exception):
    """The coordinator said roll back (another shard failed, or Ctrl-C)."""


# --- the worker side ---------------------------------------------------------------------------


def set_parent_death_signal(sig: int) -> bool:
    """Ask Linux to send `sig` to this process when its parent dies (0 turns it off)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


class _Watchdog:
    """Reads the coordinator's pipe on a thread; ends this process when the pipe closes."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe
        self.inbox: queue.Queue[str] = queue.Queue()
        self.decided = threading.Event()
        self.waiting = threading.Event()  # the main thread waits for the decision
        threading.Thread(target=self._watch, name="fixturekit-watchdog", daemon=True).start()

    def _watch(self) -> None:
        while True:
            try:
                message = self.pipe.recv()
            except (EOFError, OSError):
                if self.decided.is_set():
                    return  # told to commit: finish the commit whatever happens to the parent
                os._exit(3)  # the connection drops; the server rolls the shard back
            if message == COMMIT:
                set_parent_death_signal(0)
                self.decided.set()
            elif message == ABORT and not self.waiting.is_set():
                os._exit(4)  # still loading: dropping the connection is the quickest rollback
            self.inbox.put(message)
            if message in (COMMIT, ABORT):
                return


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def worker_main(request: SeedRequest, pipe: Connection, parent: int) -> None:
    """One shard: load, report ready, commit only on the coordinator's go-ahead."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(3)
    watchdog = _Watchdog(pipe)

    def go_ahead(rows: dict[str, int]) -> None:
        watchdog.waiting.set()
        pipe.send((READY, rows))
        if watchdog.inbox.get() != COMMIT:
            raise ShardAborted

    from fixturekit.seed.load import parse_url, scrub
    from fixturekit.seed.run import run_seed

    try:
        result = run_seed(request, before_commit=go_ahead)
    except ShardAborted:
        pipe.send((FAILED, "rolled back"))
        return
    except FixturekitError as exc:
        pipe.send((FAILED, exc.message))
        return
    except BaseException as exc:  # reported by the coordinator as one line, never a traceback
        text = _first_line(exc)
        if request.url:
            text = scrub(text, parse_url(request.url))
        pipe.send((FAILED, f"{type(exc).__name__}: {text}"))
        return
    pipe.send((COMMITTED, result.rows))


# --- the coordinator side ----------------------------------------------------------------------


@dataclass
class _Shard:
    index: int
    process: Any
    pipe: Connection
    rows: dict[str, int] = field(default_factory=dict)
    state: str = "loading"  # loading, ready, committed, failed
    message: str = ""


def _exit_text(process: Any) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"the process was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"the process was killed by signal {-code}"
    return f"the process ended unexpectedly (exit code {code})"


class Coordinator:
    """Starts the shards, waits for all of them to be ready, then decides once."""

    def __init__(self, requests: list[SeedRequest], on_ready: Any = None) -> None:
        self.requests = requests
        self.on_ready = on_ready
        self.shards: list[_Shard] = []

    def start(self) -> None:
        context = get_context("spawn")  # fresh interpreters: no connection or lock is inherited
        # Started with SIGINT ignored, so that a Ctrl-C while a worker imports cannot print its
        # traceback: an ignored signal stays ignored across exec, and Python keeps it so.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for index, request in enumerate(self.requests):
                mine, theirs = context.Pipe()
                process = context.Process(
                    target=worker_main,
                    args=(request, theirs, os.getpid()),
                    name=f"fixturekit-shard-{index + 1}",
                    daemon=True,
                )
                process.start()
                theirs.close()
                self.shards.append(_Shard(index, process, mine))
        finally:
            signal.signal(signal.SIGINT, previous)

    def _receive(self, shard: _Shard) -> None:
        try:
            kind, payload = shard.pipe.recv()
        except (EOFError, OSError):
            shard.process.join(5)
            shard.state, shard.message = FAILED, _exit_text(shard.process)
            return
        if kind == FAILED:
            shard.state, shard.message = FAILED, payload
        else:
            shard.state, shard.rows = kind, payload
            if kind == READY and self.on_ready is not None:
                self.on_ready(shard.index, payload)

    def _wait_for(self, state: str) -> None:
        """Until every shard reached `state` or one failed."""
        while True:
            pending = [s for s in self.shards if s.state not in (state, FAILED)]
            if not pending or (state == READY and any(s.state == FAILED for s in self.shards)):
                return
            for pipe in wait([s.pipe for s in pending]):
                self._receive(next(s for s in pending if s.pipe is pipe))

    def run(self) -> dict[str, int]:
        try:
            self.start()
            self._wait_for(READY)
        except BaseException:
            self.abort()
            raise
        failed = [s for s in self.shards if s.state == FAILED]
        if failed:
            self.abort()
            raise self._failure(failed)
        # The decision: every shard is loaded and checked. Sent back to back, before anything
        # else can interrupt; from here on a worker commits even if this process dies.
        for shard in self.shards:
            with contextlib.suppress(OSError):
                shard.pipe.send(COMMIT)
        while True:
            try:
                self._wait_for(COMMITTED)
                break
            except KeyboardInterrupt:
                continue  # decided: let the commits finish, then report them
        self._join()
        failed = [s for s in self.shards if s.state != COMMITTED]
        if failed:
            done = [s for s in self.shards if s.state == COMMITTED]
            lines = "\n".join(
                f"  shard {s.index + 1}/{len(self.shards)}: {s.message}" for s in failed
            )
            raise PartialCommit(
                f"{len(failed)} of {len(self.shards)} shards failed to commit after every shard "
                f"was loaded and checked; shards {', '.join(str(s.index + 1) for s in done)} "
                f"are committed:\n{lines}",
                hint="Re-run the failed shards alone (same command with --shard I/N).",
            )
        totals: dict[str, int] = {}
        for shard in self.shards:
            for key, count in shard.rows.items():
                totals[key] = totals.get(key, 0) + count
        return totals

    def _failure(self, failed: list[_Shard]) -> FixturekitError:
        total = len(self.shards)
        first = [s for s in failed if s.message != "rolled back"] or failed
        lines = "\n".join(f"  shard {s.index + 1}/{total}: {s.message}" for s in first)
        return FixturekitError(
            f"{len(first)} of {total} shards failed; every shard was rolled back, nothing was "
            f"written:\n{lines}"
        )

    def abort(self) -> None:
        """Tell every worker to roll back, wait for them, kill those that do not end."""
        for shard in self.shards:
            with contextlib.suppress(OSError):
                shard.pipe.send(ABORT)
        self._join(ABORT_GRACE)

    def _join(self, grace: float = 30.0) -> None:
        for shard in self.shards:
            shard.process.join(grace)
            if shard.process.is_alive():
                shard.process.kill()
                shard.process.join(5)
            shard.pipe.close()


def run_jobs(request: SeedRequest, jobs: int, on_ready: Any = None) -> dict[str, int]:
    """Seed `request` with `jobs` processes, all-or-nothing. Returns rows per table."""
    from dataclasses import replace

    requests = [replace(request, shard=(i, jobs), checked_empty=True) for i in range(jobs)]
    return Coordinator(requests, on_ready).run()
