"""These tests import small projects' packages (`blog`, `app`, ...) in this process: forget them
after each test, so that the next project's package of the same name is its own."""

from __future__ import annotations

import sys
from collections.abc import Iterator

# Loaded here, before any test: an in-process pytest run inside a test restores sys.modules
# afterwards, and a package it imported first would come back as a second copy (numpy cannot
# load twice; Flask's second copy keeps its own application-context variable, so a context
# pushed through one copy is invisible to models that imported the other).
import flask  # noqa: F401
import flask_sqlalchemy  # noqa: F401
import numpy  # noqa: F401
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
