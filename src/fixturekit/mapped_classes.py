"""Reach mapped classes that are not attributes of their module.

Some applications build mapped classes at run time: `type(name, (Base,), {...})` in a loop and
kept in a dict (jupyterhub's role maps), inside a function (`<locals>` in the qualname), or by
an extension when the mappers are configured (SQLAlchemy-Continuum's `*Version` classes).
`from module import Name` fails for them, so generated code asks the mapper registries instead:
`mapped_class("module", "Name", "table")`.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any


def is_module_attribute(cls: type) -> bool:
    """True when `from cls.__module__ import <qualname>` gives back this very class."""
    if "<" in cls.__qualname__:
        return False
    try:
        obj: Any = importlib.import_module(cls.__module__)
        for part in cls.__qualname__.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return False
    return obj is cls


def mapped_class(module: str, qualname: str, table: str | None = None) -> type:
    """The mapped class named `module:qualname` (or mapping `table`), from the registries."""
    from sqlalchemy.orm import configure_mappers
    from sqlalchemy.orm.mapper import _all_registries

    # an extension's module may not import alone: its classes exist once the models configure
    with contextlib.suppress(ImportError):
        importlib.import_module(module)
    configure_mappers()
    by_table = []
    for registry in list(_all_registries()):
        for mapper in registry.mappers:
            cls = mapper.class_
            if cls.__module__ == module and cls.__qualname__ == qualname:
                return cls
            local = mapper.local_table
            if table is not None and not mapper.single and getattr(local, "fullname", 0) == table:
                by_table.append(cls)
    if len(by_table) == 1:
        return by_table[0]
    raise LookupError(
        f"no mapped class {module}:{qualname}"
        + (f" (table {table})" if table else "")
        + ": import the module that defines your models before using these factories."
    )
