"""Document factories at run time: `fixturekit.document_factory(schema)`.

The factories are built by executing the module `fixturekit generate --mongo` would write for
the same schema, so a generated factory and a runtime one cannot disagree.
"""

from __future__ import annotations

import itertools
import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fixturekit.codegen.mongo import render_module
from fixturekit.errors import FixturekitError
from fixturekit.nosql.documents import DocumentFactory
from fixturekit.nosql.documents import document_factories as _factories_in
from fixturekit.nosql.plan import plan_documents
from fixturekit.nosql.sources import load_schemas
from fixturekit.schema.jsonschema import DocumentSchema

_counter = itertools.count()


def document_factories(
    schema: Any,
    *,
    database: Any = None,
    root: Path | None = None,
    counts: Mapping[str, tuple[int, int]] | None = None,
) -> dict[str, type[DocumentFactory]]:
    """A factory per collection `schema` describes, by collection name.

    `database` fixes where `create()` inserts; without it the factories use the database the
    `mongo_db` fixture (or `bind_database`) binds. `counts` sets array sizes by field path.
    """
    schemas = schema if _are_schemas(schema) else load_schemas(schema, root=root)
    plans = plan_documents(schemas, counts)
    source = render_module(plans, source=schemas[0].source)
    name = f"fixturekit_documents_{next(_counter)}"
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    code = compile(source, module.__file__, "exec")
    # Registered while executing so classes defined in it have an importable module; dropped
    # afterwards to keep sys.modules from growing with every call.
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    finally:
        sys.modules.pop(name, None)
    factories = _factories_in(module.__dict__)
    if database is not None:
        for factory_class in factories.values():
            factory_class._meta.database = database
    return factories


def _are_schemas(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], DocumentSchema)


def document_factory(
    schema: Any,
    *,
    collection: str | None = None,
    database: Any = None,
    root: Path | None = None,
) -> type[DocumentFactory]:
    """The factory for one collection's documents.

    `schema` is a `$jsonSchema` dict or file, a pydantic model, TypedDict or dataclass, or a
    `module:Name` naming one. When it describes several collections, `collection` picks one.
    """
    factories = document_factories(schema, database=database, root=root)
    if collection is not None:
        if collection not in factories:
            raise FixturekitError(
                f"no collection {collection!r} in the schema; it describes "
                + ", ".join(sorted(factories))
            )
        return factories[collection]
    if len(factories) != 1:
        raise FixturekitError(
            "the schema describes several collections (" + ", ".join(sorted(factories)) + "); "
            "pass collection=... or use document_factories()"
        )
    return next(iter(factories.values()))
