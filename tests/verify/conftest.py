from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_project(tmp_path: Path, monkeypatch):
    """Each test is a project of its own: its folder is the working directory and on sys.path,
    and no database setting leaks in from the environment."""
    monkeypatch.chdir(tmp_path)
    # Inference already leaves a column with a default to it; the repair to "the column's
    # default" is what verification does when values are drawn for it, as they are here.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fixturekit.generate]\nfill_defaults = ["gadgets.token", "gauges.unit"]\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
