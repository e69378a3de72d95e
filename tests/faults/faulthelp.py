"""Helpers for the fault tests: run the CLI as a real process, find its workers, take a
fingerprint of the tables (row counts and checksums) before and after."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

HERE = Path(__file__).resolve().parent
MODELS = f"{HERE / 'fault_models.py'}:Base"
TABLES = ("users", "orders")


def quote(url: URL, name: str) -> str:
    return f"`{name}`" if url.get_backend_name() in ("mysql", "mariadb") else f'"{name}"'


def create_schema(url: URL, models: str = MODELS) -> None:
    from fixturekit.schema.loading import load_models

    engine = create_engine(url)
    try:
        for metadata in load_models(models).metadatas:
            metadata.create_all(engine)
    finally:
        engine.dispose()


def fingerprint(url: URL, tables: tuple[str, ...] = TABLES) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row (in key order) of each table."""
    engine = create_engine(url)
    out = {}
    try:
        with engine.connect() as conn:
            for table in tables:
                rows = conn.execute(text(f"SELECT * FROM {quote(url, table)} ORDER BY 1")).all()
                digest = hashlib.sha256()
                for row in rows:
                    digest.update(repr(tuple(row)).encode() + b"\n")
                out[table] = (len(rows), digest.hexdigest())
    finally:
        engine.dispose()
    return out


def execute(url: URL, *statements: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def query(url: URL, statement: str, **params: Any) -> list[tuple]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(statement), params)]
    finally:
        engine.dispose()


def fixturekit_backends(admin: URL, database: str) -> list[tuple]:
    """fixturekit's connections to `database` (found by their application_name)."""
    return query(
        admin,
        "SELECT pid, application_name, state FROM pg_stat_activity "
        "WHERE datname = :db AND application_name LIKE 'fixturekit%'",
        db=database,
    )


class CLI:
    """`fixturekit ...` as a process of its own (own process group: a terminal's Ctrl-C is a
    SIGINT to the group), its output collected line by line."""

    def __init__(self, *args: str, cwd: Path | None = None, env: dict | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fixturekit", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", **(env or {})},
            start_new_session=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._threads = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.err), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _read(stream: Any, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait(self, timeout: float = 180) -> int:
        code = self.process.wait(timeout)
        for thread in self._threads:
            thread.join(5)
        return code

    @property
    def stderr(self) -> str:
        return "\n".join(self.err)

    @property
    def stdout(self) -> str:
        return "\n".join(self.out)

    def kill_group(self) -> None:
        """Leave nothing behind whatever happened (test cleanup)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, 9)


def children(pid: int) -> list[int]:
    """Child processes of `pid` that are shard workers (not multiprocessing's helpers)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    workers = []
    for child in found:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"resource_tracker" not in cmdline:
            workers.append(child)
    return workers


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be read


def wait_until(condition: Callable[[], Any], timeout: float = 120, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


def no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative name -> content), and the folder's mode."""
    out = {".mode": oct(folder.stat().st_mode).encode()}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(folder))] = path.read_bytes()
    return out


def cli_runner() -> Any:
    from click.testing import CliRunner

    from fixturekit.cli import _register

    _register()
    return CliRunner()


def run_cli(*args: str) -> Any:
    """In-process `fixturekit ...` (no kill needed): exit code, stdout and stderr apart."""
    from fixturekit.cli import cli

    return cli_runner().invoke(cli, list(args), catch_exceptions=False)


def error_lines(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]
