"""MongoDB documents and Redis keys for tests: factories, fixtures and seeding.

Names are exported lazily so that `import fixturekit.nosql` (the pytest plugin imports it on
every run) loads neither factory_boy's document machinery nor a database driver.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DocumentFactory": "fixturekit.nosql.documents",
    "MISSING": "fixturekit.nosql.documents",
    "bind_database": "fixturekit.nosql.documents",
    "document_factory": "fixturekit.nosql.runtime",
    "document_factories": "fixturekit.nosql.runtime",
    "validate_document": "fixturekit.nosql.validate",
    "document_errors": "fixturekit.nosql.validate",
    "seed_redis": "fixturekit.nosql.redis_seed",
    "seed_redis_async": "fixturekit.nosql.redis_seed",
    "key": "fixturekit.nosql.redis_seed",
    "from_factory": "fixturekit.nosql.redis_seed",
    "seed_collections": "fixturekit.nosql.seed",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fixturekit.nosql' has no attribute {name!r}")
    # Looked up in sys.modules each time rather than cached here, so a module re-imported
    # (pytester's in-process runs do that) is the one every caller sees.
    return getattr(import_module(module), name)
