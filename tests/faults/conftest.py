"""Fixtures for the fault tests: real servers, real processes, real signals."""

from __future__ import annotations

import pytest
from faulthelp import create_schema
from sqlalchemy.engine import URL


@pytest.fixture
def pg_schema_url(pg_url: URL) -> URL:
    """A scratch PostgreSQL database with the fault schema, empty."""
    create_schema(pg_url)
    return pg_url


def _mount(target, *options: str) -> bool:
    import subprocess

    target.mkdir(parents=True, exist_ok=True)
    command = ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(target)]
    return subprocess.run(command, capture_output=True).returncode == 0


def _umount(target) -> None:
    import subprocess

    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KiB file system (tmpfs): writes beyond it fail with ENOSPC, as on a full disk."""
    disk = tmp_path / "disk"
    if not _mount(disk, "size=256k", "mode=755"):
        pytest.skip("cannot mount a tmpfs here (needs root): no real full disk to test on")
    yield disk
    _umount(disk)


@pytest.fixture
def read_only_disk(tmp_path):
    """A folder no write can reach: a read-only tmpfs (root ignores permission bits)."""
    import os

    disk = tmp_path / "ro"
    if os.geteuid() != 0:  # permission bits bind everyone but root
        disk.mkdir()
        disk.chmod(0o555)
        yield disk
        disk.chmod(0o755)
        return
    if not _mount(disk, "size=64k", "ro"):
        pytest.skip("cannot mount a read-only tmpfs here (needs root)")
    yield disk
    _umount(disk)
