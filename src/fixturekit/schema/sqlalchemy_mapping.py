"""What the mapped classes say about columns beyond their Table: read from the ORM mapping.

- `json_shape`: a `MutableList`/`MutableDict` JSON attribute takes only lists or only dicts.
- `mapper_for`, `metadata_ref`: which class writes a table, and how generated code reaches a
  MetaData no module attribute holds.
- `polymorphic_references`: a (discriminator, id) pair with no foreign key, spelled out in
  relationship primaryjoins, gives the discriminator its literals and marks a generic reference.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Mapper, RelationshipDirection, configure_mappers

from fixturekit.mapped_classes import is_module_attribute
from fixturekit.schema.loading import LoadedModels, is_flask_sqlalchemy
from fixturekit.schema.model import PythonRef, RelationKind, Relationship


def json_shape(mapper: Mapper | None, sa_column: Any) -> str | None:
    """The JSON shape a mapped attribute takes: lists only (`MutableList.as_mutable(JSON)`) are
    "json_array", dicts only (`MutableDict`) "json_object", anything else None.

    A Mutable type coerces on the attribute's set event, so the attribute of a fresh instance
    is offered an empty list and an empty dict: the one it refuses tells the shape.
    """
    if mapper is None:
        return None
    try:
        configure_mappers()  # Mutable types attach their listeners when the mappers configure
        key = mapper.get_property_by_column(sa_column).key
        obj = mapper.class_manager.new_instance()
    except Exception:
        return None
    accepted = {}
    for shape, value in (("json_object", {}), ("json_array", [])):
        try:
            setattr(obj, key, value)
            accepted[shape] = True
        except Exception:
            accepted[shape] = False
    if accepted["json_array"] != accepted["json_object"]:
        return "json_array" if accepted["json_array"] else "json_object"
    return None


def polymorphic_references(
    mapper: Mapper | None,
) -> tuple[dict[str, tuple[Any, ...]], list[Relationship]]:
    """A (discriminator, id) reference with no foreign key, read from relationship joins.

    `and_(Owner.kind == "crontab", foreign(Owner.object_id) == Crontab.id)` in one relationship
    per target table says that `kind` takes only those literals and that `object_id` is a key
    of the table the literal selects. Returns the literals per discriminator column, and one
    GENERIC relationship per (discriminator, id) pair, naming the tables it may point to.
    """
    from sqlalchemy.sql import operators
    from sqlalchemy.sql.elements import BinaryExpression, BindParameter
    from sqlalchemy.sql.visitors import iterate

    if mapper is None:
        return {}, []
    table = mapper.local_table
    literals: dict[str, list[Any]] = {}
    targets: dict[tuple[str, str], list[str]] = {}
    choices: dict[tuple[str, str], list[tuple[Any, str, str]]] = {}
    for rel in mapper.relationships:
        if rel.parent is not mapper or rel.direction is not RelationshipDirection.MANYTOONE:
            continue
        found: list[tuple[str, Any]] = []
        for element in iterate(rel.primaryjoin):
            if not isinstance(element, BinaryExpression) or element.operator is not operators.eq:
                continue
            for column, value in ((element.left, element.right), (element.right, element.left)):
                if (
                    getattr(column, "table", None) is table
                    and isinstance(value, BindParameter)
                    and value.value is not None
                    and not callable(value.value)
                ):
                    found.append((column.name, value.value))
        if len(found) != 1:
            continue
        name, value = found[0]
        ids = [
            c.name
            for c in rel.local_columns
            if c.table is table and c.name != name and not c.foreign_keys and not c.primary_key
        ]
        if len(ids) != 1:
            continue
        if value not in literals.setdefault(name, []):
            literals[name].append(value)
        target = rel.mapper.local_table.fullname
        targets.setdefault((name, ids[0]), []).append(target)
        remote = [r.name for local, r in rel.local_remote_pairs if local.name == ids[0]]
        if len(remote) == 1:
            choices.setdefault((name, ids[0]), []).append((value, target, remote[0]))
    relations = [
        Relationship(
            name=f"{kind}/{id_column} ({' | '.join(tables)})",
            kind=RelationKind.GENERIC,
            target=tables[0],
            local_columns=(kind, id_column),
            viewonly=True,
            choices=tuple(choices.get((kind, id_column), ())),
        )
        for (kind, id_column), tables in targets.items()
    ]
    return {name: tuple(values) for name, values in literals.items()}, relations


def mapper_for(table: Any, mappers: list[Mapper]) -> Mapper | None:
    """The mapper whose class writes this table: of several on the same table (a subclass that
    extends it with `extend_existing`, as celery's TaskExtended does), the one mapping the most
    of its columns, the first declared on a tie."""
    best, best_count = None, -1
    for mapper in mappers:
        if mapper.local_table is not table or mapper.single:
            continue
        mapped = set(mapper.columns.values())
        count = sum(1 for column in table.columns if column in mapped)
        if count > best_count:
            best, best_count = mapper, count
    return best


def _metadata_of(value: Any) -> Any:
    """`value.metadata`, or None: a module attribute may be a proxy that raises on any attribute
    (Flask's `current_app` outside an application context)."""
    try:
        return getattr(value, "metadata", None)
    except Exception:
        return None


def metadata_ref(loaded: LoadedModels) -> PythonRef | None:
    """How the models module exposes its MetaData: `metadata` itself or `Base.metadata`."""
    if not loaded.metadatas:
        return None
    wanted = loaded.metadatas[0]
    module = loaded.module.__name__
    for name, value in sorted(vars(loaded.module).items()):
        if value is wanted:
            return PythonRef(module, name)
    mapped = set(loaded.classes)
    holders = sorted(
        (name, value)
        for name, value in vars(loaded.module).items()
        if _metadata_of(value) is wanted
    )
    # a Flask-SQLAlchemy `db`, a declarative Base, any other holder, then a mapped class
    for name, value in holders:
        if is_flask_sqlalchemy(value):
            return PythonRef(module, f"{name}.metadata")
    for name, value in holders:
        if isinstance(value, type) and value not in mapped:
            return PythonRef(module, f"{name}.metadata")
    for name, value in holders:
        if not isinstance(value, type):
            return PythonRef(module, f"{name}.metadata")
    for name, value in holders:
        if value in mapped and is_module_attribute(value):
            return PythonRef(module, f"{name}.metadata")
    return None
