"""Names: Python identifiers for database names, and the names factories and classes get.

Below codegen and runtime alike (both import from here), and free of ORM imports: the schema
model, the reflection reader, generated modules and `factory_for` all name things the same way.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fixturekit.schema.model import Schema, Table

# Names a declarative class cannot use for a mapped attribute.
RESERVED_ATTRIBUTES = frozenset({"metadata", "registry", "query"})


def python_identifier(name: str) -> str:
    """A usable Python identifier for a database name: spaces, punctuation and keywords fixed.

    `First Name` -> `First_Name`, `class` -> `class_`, `2nd` -> `c_2nd`, `__x` -> `x`.
    """
    ident = re.sub(r"\W+", "_", name).strip("_") if not name.isidentifier() else name
    if not ident:
        ident = "column"
    if ident[0].isdigit():
        ident = f"c_{ident}"
    if ident.startswith("__"):  # class-private name mangling would rename it in a class body
        ident = ident.lstrip("_") or "column"
    if ident.startswith("_sa_"):
        ident = f"c{ident}"
    if keyword.iskeyword(ident) or keyword.issoftkeyword(ident) or ident in RESERVED_ATTRIBUTES:
        ident = f"{ident}_"
    return ident


# Names a factory class already uses: a declaration with one of these names would replace
# factory_boy's own classmethod (`create = ...` breaks `Factory.create()`) or its options.
FACTORY_ATTRIBUTES = frozenset(
    {"Meta", "Params", "AssociatedClassError", "UnknownStrategy", "UnsupportedStrategy"}
    | {"build", "build_batch", "create", "create_batch", "stub", "stub_batch"}
    | {"generate", "generate_batch", "simple_generate", "simple_generate_batch"}
    | {"reset_sequence"}
)


def declaration_name(name: str) -> str:
    """A name a factory can declare for a model attribute (the factory renames it back).

    factory_boy ignores plain values and `Params` whose names start with an underscore, and a
    declaration named like one of its classmethods (`create`, `build`) would replace it:
    `_token` -> `token_`, `create` -> `create_`, `Meta` -> `Meta_`.
    """
    ident = python_identifier(name)
    if ident.startswith("_"):
        ident = ident.lstrip("_") + "_"
    if ident in FACTORY_ATTRIBUTES:
        ident += "_"
    return ident


def relationship_declaration(name: str) -> str:
    """The declaration name of a relationship: its own, unless factory_boy uses that name.

    `_server` stays `_server`: a SubFactory is a declaration whatever its name, and a caller's
    `_server=` then overrides it by that same name.
    """
    return f"{name}_" if name in FACTORY_ATTRIBUTES or keyword.iskeyword(name) else name


def attribute_names(column_names: Iterable[str]) -> dict[str, str]:
    """Column name -> attribute name, unique within the table."""
    names = list(column_names)
    taken = set(names)
    result: dict[str, str] = {}
    for name in names:
        ident = python_identifier(name)
        if ident != name:
            base, n = ident, 2
            while ident in taken:
                ident, n = f"{base}_{n}", n + 1
            taken.add(ident)
        result[name] = ident
    return result


def _camel(name: str) -> str:
    parts = [p for p in re.split(r"[\W_]+", name) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)


def class_names(table_keys: Iterable[str]) -> dict[str, str]:
    """Table key -> a class name: CamelCase of the table name, schema-prefixed on a clash."""
    keys = list(table_keys)
    bare = {key: _camel(key.rsplit(".", 1)[-1]) or "Table" for key in keys}
    counts: dict[str, int] = {}
    for name in bare.values():
        counts[name] = counts.get(name, 0) + 1
    result: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        name = bare[key]
        if counts[name] > 1 and "." in key:
            name = _camel(key.rsplit(".", 1)[0]) + name
        if name[0].isdigit():
            name = f"T{name}"
        if keyword.iskeyword(name):
            name = f"{name}_"
        base, n = name, 2
        while name in used:
            name, n = f"{base}{n}", n + 1
        used.add(name)
        result[key] = name
    return result


def _base_factory_name(table: Table) -> str:
    if table.model is not None:
        return f"{table.model.name}Factory"
    words = re.split(r"[^0-9a-zA-Z]+", table.name)
    name = "".join(w[:1].upper() + w[1:] for w in words if w) + "Factory"
    return name if name[0].isalpha() else f"T{name}"


def factory_names(schema: Schema) -> dict[str, str]:
    """Table key -> factory class name; tables whose names collide get a number, in key order."""
    names: dict[str, str] = {}
    used: dict[str, int] = {}
    for key in sorted(schema.tables):
        base = _base_factory_name(schema.table(key))
        used[base] = used.get(base, 0) + 1
        names[key] = base if used[base] == 1 else f"{base[: -len('Factory')]}{used[base]}Factory"
    return names


def factory_name(table: Table, schema: Schema | None = None) -> str:
    return factory_names(schema)[table.key] if schema is not None else _base_factory_name(table)


def renamed_columns(table: Table) -> dict[str, str]:
    """Declaration name -> constructor keyword, for attributes whose name is not declarable.

    Columns (`token_` for `_token`) and relationships (`create_` for a relationship `create`).
    """
    renames = {
        c.python_name: c.key for c in table.columns if c.python_name != c.key and not c.setter
    }
    for rel in table.relationships:
        declared = relationship_declaration(rel.name)
        if declared != rel.name:
            renames[declared] = rel.name
    return renames


def factory_key(table: Table) -> str:
    """The FACTORIES key: the model class name, or the table name for a Core table."""
    return table.model.name if table.model is not None else table.key
