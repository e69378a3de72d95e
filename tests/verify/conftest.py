from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_project(tmp_path: Path, monkeypatch):
    """Each test is a project of its own: its folder is the working directory and on sys.path,
    and no database setting leaks in from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
