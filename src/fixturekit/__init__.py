"""fixturekit: from ORM models to realistic, isolated database test fixtures."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "document_factories", "document_factory", "factory_for"]


def factory_for(model: Any, session: Any = None, options: Any = None):
    """A factory_boy factory for a mapped class or Core Table, inferred at run time."""
    from fixturekit.runtime import factory_for as build

    return build(model, session=session, options=options)


def __getattr__(name: str) -> Any:
    # Document factories load lazily: importing fixturekit must not pull in bson or pymongo.
    if name in ("document_factory", "document_factories"):
        from importlib import import_module

        return getattr(import_module("fixturekit.nosql.runtime"), name)
    raise AttributeError(f"module 'fixturekit' has no attribute {name!r}")
