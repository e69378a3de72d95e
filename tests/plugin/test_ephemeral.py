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
