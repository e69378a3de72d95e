"""These tests import small projects' packages (`blog`, `app`, ...) in this process: forget them
after each test, so that the next project's package of the same name is its own."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy  # noqa: F401  (loaded here: a pytest run inside a test cannot load it twice)
import pytest

import fixturekit.values  # noqa: F401

PROJECT_PACKAGES = {"blog", "app", "heroes", "typed_app", "emptyapp", "factories"}


@pytest.fixture(autouse=True)
def _forget_project_packages() -> Iterator[None]:
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.split(".")[0] in PROJECT_PACKAGES:
            del sys.modules[name]
