"""fixturekit: from ORM models to realistic, isolated database test fixtures."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "factory_for"]


def factory_for(model: Any, session: Any = None, options: Any = None):
    """A factory_boy factory for a mapped class or Core Table, inferred at run time."""
    from fixturekit.runtime import factory_for as build

    return build(model, session=session, options=options)
