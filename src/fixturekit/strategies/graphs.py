"""Rows, unsaved instances and object graphs, drawn as one Hypothesis example each.

Parents come from their own tables' strategies inside the same example, so a minimal failing
example is a minimal graph: nullable parents shrink away to None, children to the least count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as hs

from fixturekit.errors import FixturekitError
from fixturekit.infer.plan import ParentLink, TablePlan
from fixturekit.schema.model import RelationKind
from fixturekit.strategies.plans import ModelPlan
from fixturekit.strategies.rows import Draw, Drawn, FieldValues, draw_values, table_fields

# Attribute on a built instance: parents it needs saved first, with the key columns to copy.
PENDING = "_fixturekit_pending"


class BadChildren(FixturekitError):
    """`graphs(children=...)` names something that is not a one-to-many relationship."""


@dataclass
class Pending:
    """Rows to save before (parents) and after (children) an instance."""

    parents: list[tuple[Any, list[tuple[str, str]]]] = field(default_factory=list)
    children: list[Any] = field(default_factory=list)
    attached: list[Any] = field(default_factory=list)  # parents set through a relationship


class Builder:
    """Builds instances of a model plan's tables inside one example."""

    def __init__(self, model_plan: ModelPlan) -> None:
        self.model_plan = model_plan
        self._fields: dict[str, list[FieldValues]] = {}
        self._keys: dict[str, dict[str, str]] = {}

    def fields(self, key: str) -> list[FieldValues]:
        if key not in self._fields:
            self._fields[key] = table_fields(self.model_plan.table_plan(key))
        return self._fields[key]

    def column_keys(self, key: str) -> dict[str, str]:
        """Declaration name -> the attribute the model's constructor takes."""
        if key not in self._keys:
            fields = self.model_plan.table_plan(key).factory_fields
            self._keys[key] = {f.attribute: f.column.key for f in fields}
        return self._keys[key]

    def values(
        self, draw: Draw, key: str, drawn: Drawn, overrides: Mapping[str, Any]
    ) -> dict[str, Any]:
        plan = self.model_plan.table_plan(key)
        return draw_values(draw, plan, self.fields(key), drawn, overrides)

    def instance(
        self,
        draw: Draw,
        key: str,
        drawn: Drawn,
        overrides: Mapping[str, Any],
        skip: ParentLink | None = None,
    ) -> Any:
        plan = self.model_plan.table_plan(key)
        cls = self.model_plan.classes.get(key)
        if cls is None:
            raise FixturekitError(
                f"{key} is a table without a model class: objects() builds model instances.",
                hint="Use rows(table) for Core tables.",
            )
        values = self.values(draw, key, drawn, overrides)
        keys = self.column_keys(key)
        kwargs = {keys.get(name, name): value for name, value in values.items()}
        pending = Pending()
        relations: dict[str, Any] = {}
        for link in plan.factory_parents:
            if link.empty or link is skip or _link_overridden(link, plan, overrides):
                continue
            parent = self.parent(draw, link, drawn)
            if parent is None:
                continue
            if link.relationship:
                relations[link.relationship] = parent
                pending.attached.append(parent)
            else:
                parent_table = self.model_plan.plan.schema.table(link.parent)
                pairs = [
                    (_column(plan, c).key, parent_table.column(r).key)
                    for c, r in zip(link.fk.columns, link.fk.referred_columns, strict=True)
                ]
                pending.parents.append((parent, pairs))
        for name, value in overrides.items():
            if name not in kwargs and not _is_field(plan, name):
                kwargs[name] = draw(value) if isinstance(value, hs.SearchStrategy) else value
        obj = cls(**kwargs)
        for name, parent in relations.items():
            setattr(obj, name, parent)
        object.__setattr__(obj, PENDING, pending)
        return obj

    def parent(self, draw: Draw, link: ParentLink, drawn: Drawn) -> Any:
        """A parent for `link`: NULL allowed where the key is nullable (it shrinks to None)."""
        if link.nullable and draw(hs.booleans()) is False:
            return None
        if link.parent not in self.model_plan.classes:
            return _CoreRow(
                self.model_plan.tables.get(link.parent),
                self.values(draw, link.parent, drawn, {}),
                self.model_plan.table_plan(link.parent),
            )
        return self.instance(draw, link.parent, drawn, {})


@dataclass
class _CoreRow:
    """A parent row of a Core-only table: inserted with `insert()` before its child."""

    table: Any
    values: dict[str, Any]
    plan: TablePlan


def _column(plan: TablePlan, name: str):
    """A column of the table or of a table it inherits from (joined inheritance)."""
    while plan is not None:
        if plan.table.has_column(name):
            return plan.table.column(name)
        plan = plan.inherited
    raise KeyError(f"no column {name!r} in the tables of this model")


def _is_field(plan: TablePlan, name: str) -> bool:
    return any(name in (f.attribute, f.column.key, f.column.name) for f in plan.factory_fields)


def _link_overridden(link: ParentLink, plan: TablePlan, overrides: Mapping[str, Any]) -> bool:
    if link.relationship and link.relationship in overrides:
        return True
    keys = {_column(plan, c).key for c in link.fk.columns}
    return bool(keys & set(overrides)) or link.name in overrides


def one_to_many(model_plan: ModelPlan, key: str, name: str) -> tuple[str, ParentLink]:
    """The child table of relationship `name` and the child's link back to the parent."""
    table = model_plan.plan.schema.table(key)
    for rel in table.relationships:
        if rel.name != name:
            continue
        if rel.kind is not RelationKind.ONE_TO_MANY:
            break
        child_plan = model_plan.table_plan(rel.target)
        for link in child_plan.factory_parents:
            if link.parent == key and set(link.fk.columns) == set(rel.remote_columns):
                return rel.target, link
        break
    names = [r.name for r in table.relationships if r.kind is RelationKind.ONE_TO_MANY]
    raise BadChildren(
        f"{table.display_name}.{name} is not a one-to-many relationship.",
        hint=f"Children can be made through: {', '.join(names) or 'none'}.",
    )


def rows_strategy(model_plan: ModelPlan, key: str, fks: Mapping[str, Any]) -> hs.SearchStrategy:
    builder = Builder(model_plan)
    plan = model_plan.table_plan(key)
    builder.fields(key)  # build now: a column with no strategy fails here, not in a test

    names = {f.attribute: f.column.name for f in plan.factory_fields}

    @hs.composite
    def rows(draw: Draw) -> dict[str, Any]:
        values = builder.values(draw, key, Drawn(), {})
        row = {names.get(name, name): value for name, value in values.items()}
        for name, value in fks.items():
            row[name] = draw(value) if isinstance(value, hs.SearchStrategy) else value
        return row

    return rows()


def objects_strategy(
    model_plan: ModelPlan, key: str, overrides: Mapping[str, Any]
) -> hs.SearchStrategy:
    builder = Builder(model_plan)
    _check_buildable(builder, key, set())

    @hs.composite
    def objects(draw: Draw) -> Any:
        return builder.instance(draw, key, Drawn(), overrides)

    return objects()


def graphs_strategy(
    model_plan: ModelPlan,
    key: str,
    children: Mapping[str, tuple[int, int] | int],
    overrides: Mapping[str, Any],
) -> hs.SearchStrategy:
    builder = Builder(model_plan)
    _check_buildable(builder, key, set())
    wanted = []
    for name, count in children.items():
        low, high = (count, count) if isinstance(count, int) else count
        child, link = one_to_many(model_plan, key, name)
        _check_buildable(builder, child, set())
        wanted.append((name, child, link, low, high))

    @hs.composite
    def graphs(draw: Draw) -> Any:
        drawn = Drawn()
        parent = builder.instance(draw, key, drawn, overrides)
        for name, child, link, low, high in wanted:
            count = draw(hs.integers(low, high))
            made = [builder.instance(draw, child, drawn, {}, skip=link) for _ in range(count)]
            attach_children(model_plan, parent, name, link, made)
        return parent

    return graphs()


def attach_children(model_plan: ModelPlan, parent: Any, name: str, link: ParentLink, made: list):
    if model_plan.django:
        for child in made:
            setattr(child, link.relationship or link.name, parent)
        getattr(parent, PENDING).children.extend(made)
        return
    getattr(parent, name).extend(made)


def _check_buildable(builder: Builder, key: str, seen: set[str]) -> None:
    """Build every table's renderings a graph may reach now, so errors name their column."""
    if key in seen:
        return
    seen.add(key)
    builder.fields(key)
    for link in builder.model_plan.table_plan(key).factory_parents:
        if not link.empty:
            _check_buildable(builder, link.parent, seen)
