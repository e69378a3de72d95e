"""The throwaway PostgreSQL server: tuned for tests, private, and never left running."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from fixturekit.plugin.ephemeral import EphemeralPostgres, find_bindir, reap_orphans

pytestmark = pytest.mark.skipif(find_bindir() is None, reason="no PostgreSQL server binaries")


def test_start_settings_and_orphan_reaping() -> None:
    server = EphemeralPostgres.start()
    try:
        engine = create_engine(server.url, poolclass=NullPool)
        with engine.connect() as conn:
            settings = dict(
                conn.execute(
                    text(
                        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', "
                        "'synchronous_commit', 'full_page_writes', 'listen_addresses')"
                    )
                ).all()
            )
        engine.dispose()
        assert settings == {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "listen_addresses": "",
        }
        assert server.url.query["host"] == str(server.root)
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to another account
            assert server.root.stat().st_uid != 0
        # The run that started it dies without cleaning up: the next start reaps it.
        finished = subprocess.Popen(["true"])
        finished.wait()
        (server.root / "owner").write_text(str(finished.pid))
        assert server.root in reap_orphans()
        assert not server.root.exists()
    finally:
        server.stop()


def test_live_owners_are_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "fixturekit-pg-live"
    folder.mkdir()
    (folder / "owner").write_text(str(os.getpid()))
    assert reap_orphans((str(tmp_path),)) == []
    assert folder.exists()


def _databases(server: EphemeralPostgres) -> set[str]:
    engine = create_engine(server.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        engine.dispose()


def _create(server: EphemeralPostgres, name: str) -> None:
    engine = create_engine(server.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def test_cached_data_directory() -> None:
    import shutil
    import tempfile

    # Under /tmp, not pytest's private temp folder: as root the server runs as another account.
    cache = Path(tempfile.mkdtemp(prefix="fk-cache-test-", dir="/tmp"))
    cache.chmod(0o755)
    try:
        first = EphemeralPostgres.start(cache=cache)
        try:
            assert first.cached_data is not None and first.cached_data.parent == cache
            _create(first, "kept_between_runs")
            notices: list[str] = []
            # A second run while the first holds the cache gets a throwaway cluster.
            second = EphemeralPostgres.start(cache=cache, notice=notices.append)
            try:
                assert second.cached_data is None
                assert "kept_between_runs" not in _databases(second)
                assert "in use by another run" in notices[0]
            finally:
                second.stop()
        finally:
            first.stop()
        assert not first.root.exists() and first.data.exists()
        again = EphemeralPostgres.start(cache=cache)
        try:
            assert "kept_between_runs" in _databases(again)  # no initdb: the same cluster
        finally:
            again.stop()
        # Another fingerprint (other binaries, another fixturekit version): initialised again.
        (again.data / "fixturekit-cache").write_text("0" * 32)
        fresh = EphemeralPostgres.start(cache=cache)
        try:
            assert "kept_between_runs" not in _databases(fresh)
        finally:
            fresh.stop()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
