"""A throwaway PostgreSQL cluster for one test run, started from the installed binaries.

The cluster lives in a temp directory, listens only on a unix socket inside it, and is tuned for
tests: fsync, synchronous_commit and full_page_writes are off (a crash loses nothing that
matters). Autovacuum stays on: every rolled-back test leaves dead rows, and the leak check's
`EXISTS` probes would slow down as they pile up. `initdb` refuses to run as root, so as root
the cluster runs as an unprivileged user (`postgres` when it exists, else `nobody`) that owns
the directory.
"""

from __future__ import annotations

import contextlib
import glob
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


@dataclass
class EphemeralPostgres:
    """A running throwaway cluster; `url` reaches its `postgres` database over the socket."""

    bindir: Path
    root: Path
    account: pwd.struct_passwd | None

    @property
    def data(self) -> Path:
        return self.root / "data"

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
    def start(cls, bindir: Path | None = None) -> EphemeralPostgres:
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
            server._init_and_start()
        except BaseException:
            server.stop()
            raise
        return server

    def _init_and_start(self) -> None:
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
                f"initdb failed in {self.root}: {(result.stderr or result.stdout).strip()[-500:]}"
            )
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
        """Stop the server without a shutdown checkpoint and delete its directory."""
        if (self.data / "postmaster.pid").exists():
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


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
