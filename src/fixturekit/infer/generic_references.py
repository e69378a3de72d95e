"""Generic and polymorphic references: a type column and an id column that name a row of some
table, with no foreign key. With a target the factory makes that row (the content type's own
table, or the polymorphic association's selected one); without one, the id is flagged.
"""

from __future__ import annotations

from fixturekit.infer import strategies as st
from fixturekit.infer.plan import FieldPlan, TablePlan
from fixturekit.naming import factory_names
from fixturekit.schema.graph import InsertPlan
from fixturekit.schema.model import INTEGER_KINDS, STRING_KINDS, Schema, Table


def generic_target(table: Table, rel, schema: Schema, insert: InsertPlan) -> str | None:
    """The table whose rows a generic reference gets by default: the content type table itself
    when its key fits the id column (always there, no parents of its own), else the first table
    inserted before this one whose one-column key has the id column's kind."""
    id_kind = table.column(rel.local_columns[1]).kind
    order = list(insert.order)
    earlier = order[: order.index(table.key)] if table.key in order else []
    for key in [rel.target, *earlier]:
        candidate = schema.tables.get(key)
        if candidate is None or candidate.model is None or len(candidate.primary_key) != 1:
            continue
        if candidate.model.qualname.endswith(".through") or key == table.key:
            continue  # an auto-created link table has no factory of its own to point at
        pk_kind = candidate.column(candidate.primary_key[0]).kind
        if (
            id_kind in STRING_KINDS
            or pk_kind == id_kind
            or (id_kind in INTEGER_KINDS and pk_kind in INTEGER_KINDS)
        ):
            return key
    return None


def plan_generic(plan: TablePlan, rel, target: str | None, schema: Schema) -> None:
    """A generic reference's id column names a row of any table. With a target, the factory
    makes one and the type and id columns follow it; without, the values are not real keys."""
    id_columns = set(rel.local_columns[1:])
    if target is not None:
        plan.generic[rel.name] = target
    for index, field in enumerate(plan.fields):
        if field.column.name not in id_columns:
            continue
        if target is not None:
            name = schema.table(target).display_name
            reason = f"the key of {rel.name}: a new {name} unless given"
            plan.fields[index] = FieldPlan(field.column, field.strategy, reason)
            continue
        plan.fields[index] = FieldPlan(
            field.column,
            field.strategy,
            field.reason,
            (*field.flags, f"generic reference {rel.name}: set it to a real row's key"),
        )


def polymorphic_key(plan: TablePlan, rel, schema: Schema, options) -> bool:
    """A polymorphic association whose every target is in the models: the factory draws the
    discriminator from the mapped values and makes the id a new row of the selected table
    (`fv.polymorphic_key`). Seeding, which writes no objects, keeps the flagged generic form."""
    if not options.factory_object or not rel.choices or len(rel.local_columns) != 2:
        return False
    if any(target not in schema.tables for _, target, _ in rel.choices):
        return False
    selector, id_column = rel.local_columns
    kind_index = next((i for i, f in enumerate(plan.fields) if f.column.name == selector), None)
    id_index = next((i for i, f in enumerate(plan.fields) if f.column.name == id_column), None)
    if kind_index is None or id_index is None:
        return False
    kind_field, id_field = plan.fields[kind_index], plan.fields[id_index]
    if isinstance(id_field.strategy, st.Custom) or isinstance(kind_field.strategy, st.Custom):
        return False  # the user's configuration wins
    names = factory_names(schema)
    choices = tuple(
        (value, names[target], schema.table(target).column(remote).key)
        for value, target, remote in rel.choices
    )
    values = tuple(value for value, _, _ in rel.choices)
    plan.fields[kind_index] = FieldPlan(
        kind_field.column,
        st.Choice(values),
        "discriminator of a polymorphic reference: one of the tables its relationships map",
        tuple(f for f in kind_field.flags if not f.startswith("no rule for this name")),
    )
    plan.fields[id_index] = FieldPlan(
        id_field.column,
        st.PolymorphicKey(kind_field.attribute, choices),
        f"the key of a new row of the table {selector} selects ({rel.name})",
        (),
    )
    return True
