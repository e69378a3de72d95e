from __future__ import annotations

import pytest
from gen_helpers import ROOT


@pytest.fixture(autouse=True)
def _project_root_on_path(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
