"""A throwaway PostgreSQL cluster for one test run, started from the installed binaries.

The cluster lives in a temp directory, listens only on a unix socket inside it, and is tuned for
tests: fsync, synchronous_commit and full_page_writes are off (a crash loses nothing that
matters). Autovacuum stays on: every rolled-back test leaves dead rows, and the leak check's
`EXISTS` probes would slow down as they pile up. `initdb` refuses to run as root, so as root
the cluster runs as an unprivileged user (`postgres` when it exists, else `nobody`) that owns
the directory.

With a cache folder (opt-in, `--fixturekit-server-cache DIR`) the data directory lives there
instead and survives the run: the next run starts the same cluster, with a kept template in it,
instead of running initdb. The folder is reused only when its fingerprint (server binaries and
version, fixturekit version, server options) matches; otherwise it is initialised again. One run
uses it at a time (a file lock); a second concurrent run gets a throwaway cluster as usual.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError

PREFIX = "fixturekit-pg-"
PORT = 5432  # only names the socket file; nothing listens on TCP
_SERVER_OPTIONS = (
    "-c listen_addresses='' -F -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c log_min_messages=warning"
)


class EphemeralServerError(FixturekitError):
    """The throwaway PostgreSQL server could not be started."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: FIXTUREKIT_PG_BINDIR, Debian's layout, PATH."""
    candidates: list[Path] = []
    if os.environ.get("FIXTUREKIT_PG_BINDIR"):
        candidates.append(Path(os.environ["FIXTUREKIT_PG_BINDIR"]))
    for pattern in (
        "/usr/lib/postgresql/*/bin",
        "/usr/pgsql-*/bin",
        "/opt/homebrew/opt/postgresql*/bin",
    ):
        candidates.extend(
            sorted((Path(p) for p in glob.glob(pattern)), key=_version_key, reverse=True)
        )
    which = shutil.which("pg_ctl")
    if which:
        candidates.append(Path(which).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _run_as() -> pwd.struct_passwd | None:
    """The account to run the server under: None unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise EphemeralServerError(
        "Running as root, and neither a 'postgres' nor a 'nobody' account exists to run "
        "PostgreSQL (initdb refuses to run as root)."
    )


def _base_dir(for_account: bool) -> str | None:
    """Where clusters go: RAM (/dev/shm) when there is room, so that no other process's disk
    traffic slows down CREATE DATABASE, else /tmp (reachable by the server account as root)."""
    if os.environ.get("FIXTUREKIT_EPHEMERAL_DIR"):
        return os.environ["FIXTUREKIT_EPHEMERAL_DIR"]
    try:
        stats = os.statvfs("/dev/shm")
        if stats.f_bavail * stats.f_frsize >= 1 << 30 and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
    except OSError:
        pass
    return "/tmp" if for_account else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


CACHE_MARK = "fixturekit-cache"  # the cache fingerprint file inside a cached data directory


def cache_fingerprint(bindir: Path) -> str:
    from fixturekit import __version__

    version = subprocess.run(
        [str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    text = "\0".join([str(bindir.resolve()), version, __version__, _SERVER_OPTIONS])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class EphemeralPostgres:
    """A running throwaway cluster; `url` reaches its `postgres` database over the socket."""

    bindir: Path
    root: Path
    account: pwd.struct_passwd | None
    cached_data: Path | None = None  # the data directory in the cache folder, when kept
    _cache_lock: Any = None  # the open lock file while this run owns the cache
    _cache_expected: str = ""  # the cache fingerprint this run writes

    @property
    def data(self) -> Path:
        return self.cached_data or self.root / "data"

    @property
    def url(self) -> Any:
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username="postgres",
            database="postgres",
            query={"host": str(self.root), "port": str(PORT)},
        )

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self.account is not None:
            kwargs.update(user=self.account.pw_uid, group=self.account.pw_gid, extra_groups=[])
        return subprocess.run(
            [str(a) for a in args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C", "TZ": "UTC"},
            check=False,
            **kwargs,
        )

    @classmethod
    def start(
        cls, bindir: Path | None = None, cache: Path | None = None, notice: Any = None
    ) -> EphemeralPostgres:
        reap_orphans()
        bindir = bindir or find_bindir()
        if bindir is None:
            raise EphemeralServerError(
                "--fixturekit-server=ephemeral needs the PostgreSQL server binaries (initdb, "
                "pg_ctl), and none were found under /usr/lib/postgresql/*/bin or on PATH.",
                hint="Install the PostgreSQL server package, or set FIXTUREKIT_PG_BINDIR to the "
                "directory holding initdb and pg_ctl.",
            )
        account = _run_as()
        root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=_base_dir(account is not None)))
        (root / "owner").write_text(str(os.getpid()))
        if account is not None:
            os.chown(root, account.pw_uid, account.pw_gid)
        server = cls(bindir=bindir, root=root, account=account)
        try:
            if cache is not None:
                server._use_cache(cache, notice or (lambda text: None))
            server._init_and_start()
        except BaseException:
            server.stop()
            raise
        return server

    def _use_cache(self, cache: Path, notice: Any) -> None:
        """Keep the data directory in `cache`, unless another run is using it right now."""
        cache.mkdir(parents=True, exist_ok=True)
        handle = open(cache / "lock", "a")  # noqa: SIM115 - held until stop()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            notice(
                f"fixturekit: the server cache {cache} is in use by another run; this run uses "
                "a throwaway cluster."
            )
            return
        self._cache_lock = handle
        data = cache / f"pg-{self.bindir.parent.name or 'server'}"
        expected = cache_fingerprint(self.bindir)
        mark = data / CACHE_MARK
        if (data / "postmaster.pid").exists():
            # A run that was killed left its server running on the cached directory.
            self._run(self.bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        if data.exists() and (not mark.is_file() or mark.read_text().strip() != expected):
            shutil.rmtree(data)
        if self.account is not None:
            os.chown(cache, self.account.pw_uid, self.account.pw_gid)
        self.cached_data = data
        self._cache_expected = expected

    def _init_and_start(self) -> None:
        if self.cached_data is not None and (self.cached_data / "PG_VERSION").exists():
            self._start()
            return
        self._initdb()
        self._start()
        if self.cached_data is not None:
            # Written once the cluster is complete and running: a half-made one is never kept.
            (self.cached_data / CACHE_MARK).write_text(self._cache_expected)

    def _initdb(self) -> None:
        result = self._run(
            self.bindir / "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if result.returncode != 0:
            raise EphemeralServerError(
                f"initdb failed in {self.data}: {(result.stderr or result.stdout).strip()[-500:]}"
            )

    def _start(self) -> None:
        options = f"{_SERVER_OPTIONS} -k {self.root} -p {PORT}"
        result = self._run(
            self.bindir / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.root / "server.log",
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise EphemeralServerError(
                f"PostgreSQL did not start from {self.bindir}: {result.stderr.strip()} {tail}"
            )

    def stop(self) -> None:
        """Stop the server and delete its directory; a cached data directory is kept, shut
        down cleanly so that the next start needs no recovery."""
        if (self.data / "postmaster.pid").exists():
            mode = "fast" if self.cached_data is not None else "immediate"
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        if self._cache_lock is not None:
            self._cache_lock.close()  # releases the flock
            self._cache_lock = None


def reap_orphans(
    tmp_dirs: tuple[str, ...] = ("/dev/shm", "/tmp", tempfile.gettempdir()),
) -> list[Path]:
    """Stop and delete clusters whose owning process died without cleaning up (e.g. SIGKILL)."""
    reaped: list[Path] = []
    folders = [*tmp_dirs, os.environ.get("FIXTUREKIT_EPHEMERAL_DIR", "")]
    for folder in dict.fromkeys(f for f in folders if f):
        for owner_file in glob.glob(os.path.join(folder, PREFIX + "*", "owner")):
            root = Path(owner_file).parent
            try:
                pid = int(Path(owner_file).read_text().strip() or 0)
            except (OSError, ValueError):
                continue
            if pid and _pid_alive(pid):
                continue
            bindir = find_bindir()
            pid_file = root / "data" / "postmaster.pid"
            if bindir is not None and pid_file.exists():
                stat = root.stat()
                account = None
                if os.geteuid() == 0 and stat.st_uid != 0:
                    account = pwd.getpwuid(stat.st_uid)
                EphemeralPostgres(bindir=bindir, root=root, account=account).stop()
            else:
                shutil.rmtree(root, ignore_errors=True)
            reaped.append(root)
    return reaped


def wait_until_ready(url: Any, timeout: float = 10.0) -> None:
    """Block until the server accepts a connection (pg_ctl -w normally makes this instant)."""
    from sqlalchemy import create_engine

    deadline = time.monotonic() + timeout
    engine = create_engine(url)
    try:
        while True:
            try:
                with engine.connect():
                    return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        engine.dispose()
