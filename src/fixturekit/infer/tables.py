"""Inference for whole tables: fields, parent links, children, many-to-many, table flags.

What the table's unique keys need is in fixturekit.infer.table_uniques, generic and polymorphic
references in fixturekit.infer.generic_references; this module puts each table's plan together.
"""

from __future__ import annotations

import dataclasses
import re

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.infer.entities import cohere_addresses, cohere_companies
from fixturekit.infer.generic_references import generic_target, plan_generic, polymorphic_key
from fixturekit.infer.people import cohere_people
from fixturekit.infer.plan import (
    ChildrenPlan,
    FieldPlan,
    ManyToManyPlan,
    ParentLink,
    SchemaPlan,
    TablePlan,
)
from fixturekit.infer.rules import InferenceOptions, infer_column, is_soft_delete
from fixturekit.infer.table_uniques import (
    SMALL_KEY_DOMAIN,
    false_unless_given,
    share_small_natural_key,
    singleton_key,
    unique_capacity,
    unique_sets_needing_help,
)
from fixturekit.naming import declaration_name, relationship_declaration
from fixturekit.schema.graph import InsertPlan, fk_is_nullable, insert_plan
from fixturekit.schema.model import (
    INTEGER_KINDS,
    STRING_KINDS,
    ForeignKey,
    RelationKind,
    Schema,
    Table,
)

# The planners, and the names other modules import from here that now live in table_uniques
# and generic_references.
__all__ = [
    "SMALL_KEY_DOMAIN",
    "generic_target",
    "plan_schema",
    "plan_table",
    "unique_capacity",
]


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("ses", "xes", "zes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _link_name(table: Table, fk: ForeignKey, parent: Table, taken: set[str]) -> str:
    """A declaration name for a parent without a relationship: `author_id` -> `author`."""
    if len(fk.columns) == 1:
        base = re.sub(r"_?(id|fk|key|code|no|num)$", "", fk.columns[0], flags=re.I) or parent.name
    else:
        base = _singular(parent.name)
    # A Params entry must not start with an underscore (factory_boy skips those): `_server_id`
    # gives `server_`.
    name = declaration_name(base)
    while name in taken:
        name = f"{name}_row"
    return name


def _relationship_for(table: Table, fk: ForeignKey) -> str | None:
    for rel in table.relationships:
        if rel.viewonly or rel.kind not in (RelationKind.MANY_TO_ONE, RelationKind.ONE_TO_ONE):
            continue
        if rel.target == fk.referred_table and set(rel.local_columns) == set(fk.columns):
            return rel.name
    return None


def _inheritance_fk(table: Table) -> ForeignKey | None:
    if table.inherits is None:
        return None
    for fk in table.foreign_keys:
        if fk.referred_table == table.inherits and set(fk.columns) <= set(table.primary_key):
            return fk
    return None


def _make_one_unique(plan: TablePlan, table: Table, columns, own, schema, options) -> bool:
    """Make the member of a composite unique set with the most distinct values unique alone."""
    best = None
    for name in columns:
        column = table.column(name)
        if name not in own or column.kind not in STRING_KINDS | INTEGER_KINDS:
            continue
        index = next(i for i, f in enumerate(plan.fields) if f.column is column)
        current = plan.fields[index]
        if current.strategy is None or current.strategy.unique:
            return True
        try:
            candidate = _field_for(table, column, schema, options, unique=True)
        except FixturekitError:
            continue
        capacity = unique_capacity(candidate.strategy)
        if best is None or capacity > best[0]:
            best = (capacity, index, candidate)
    if best is None:
        return False
    _, index, candidate = best
    plan.fields[index] = FieldPlan(
        candidate.column,
        candidate.strategy,
        candidate.reason + f" (unique together with {', '.join(columns)})",
        candidate.flags,
    )
    return True


def _field_for(table: Table, column, schema, options, unique=None) -> FieldPlan:
    if is_soft_delete(column) and column.nullable:
        return FieldPlan(column, st.NullValue(), "soft-delete marker: rows are live by default")
    return infer_column(column, table, schema, options=options, unique=unique)


def _draw_what_others_follow(plan: TablePlan, table: Table, schema, options) -> None:
    """A column left to its default that another column is placed after gets a drawn value.

    A factory can only place `ends_at` after `starts_at` when it declares `starts_at` itself.
    """
    followed = {
        f.strategy.other: f.attribute for f in plan.fields if isinstance(f.strategy, st.Relative)
    }
    drawn = dataclasses.replace(options, fill_defaults=True)
    for index, field in enumerate(plan.fields):
        if field.strategy is not None or field.column.default is None:
            continue
        if field.attribute not in followed:
            continue
        redone = _field_for(table, field.column, schema, drawn)
        plan.fields[index] = FieldPlan(
            field.column,
            redone.strategy,
            f"{redone.reason}; drawn, not left to its default: {followed[field.attribute]} "
            "is placed after it",
            redone.flags,
        )


def plan_table(
    table: Table, schema: Schema, insert: InsertPlan, options: InferenceOptions | None = None
) -> TablePlan:
    options = options or InferenceOptions()
    plan = TablePlan(table)
    inherited = None
    if table.inherits is not None and table.inherits in schema.tables:
        inherited = plan_table(schema.table(table.inherits), schema, insert, options)
        plan.inherited = inherited
    inheritance_fk = _inheritance_fk(table)
    taken = {c.python_name for c in table.columns} | {r.name for r in table.relationships}
    taken |= {f.attribute for f in plan.factory_fields} | {p.name for p in plan.factory_parents}

    linked_columns: set[str] = set()
    for fk in table.foreign_keys:
        if fk is inheritance_fk:
            continue
        parent = schema.tables.get(fk.referred_table)
        if parent is None:
            continue  # left to the fields below, flagged
        nullable = fk_is_nullable(table, fk)
        relationship = _relationship_for(table, fk)
        if relationship:
            name = relationship_declaration(relationship)
        else:
            name = _link_name(table, fk, parent, taken)
        taken.add(name)
        linked_columns.update(fk.columns)
        if fk.referred_table == table.key:
            reason = "self-reference: left empty (pass a parent to build a tree)"
            flags = () if nullable else ("NOT NULL self-reference: pass an existing row",)
            plan.parents.append(
                ParentLink(fk, parent.key, relationship, True, reason, nullable, flags, name)
            )
        elif insert.is_deferred(table.key, fk):
            reason = "closes a foreign-key cycle: left empty"
            flags = () if nullable else ("NOT NULL key in a cycle: pass an existing row",)
            if (table.key, fk) in insert.forced:
                cycle = f"{table.key} -> {fk.referred_table}"
                flags = (
                    f"the cycle through {cycle} has no nullable or deferrable key, so no row "
                    "can be inserted first: pass an existing row, or make a key in the cycle "
                    "nullable or DEFERRABLE",
                )
            plan.parents.append(
                ParentLink(fk, parent.key, relationship, True, reason, nullable, flags, name)
            )
        else:
            via = f"relationship {relationship}" if relationship else f"{', '.join(fk.columns)}"
            plan.parents.append(
                ParentLink(
                    fk,
                    parent.key,
                    relationship,
                    False,
                    f"a new {parent.display_name} ({via})",
                    nullable,
                    (),
                    name,
                )
            )

    fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
    inherited_keys = (
        {f.attribute for f in plan.inherited.factory_fields} if plan.inherited else set()
    )
    for column in table.columns:
        if column.name in linked_columns:
            continue
        if inheritance_fk is not None and column.name in inheritance_fk.columns:
            continue  # the ORM writes the parent row and shares its key
        if column.python_name in inherited_keys:
            continue
        if table.tree is not None and column.name in table.tree.columns:
            reason = f"the tree's own: {table.tree.create_root}() and add_child() write it"
            plan.fields.append(FieldPlan(column, None, reason))
            continue
        field = _field_for(table, column, schema, options)
        if column.name in fk_columns:
            target = next(
                fk.referred_table for fk in table.foreign_keys if column.name in fk.columns
            )
            field = FieldPlan(
                column,
                field.strategy,
                field.reason,
                (
                    *field.flags,
                    f"references {target}, not among the models: set it to an existing key",
                ),
            )
        plan.fields.append(field)

    _draw_what_others_follow(plan, table, schema, options)
    plan.fields = cohere_people(plan.fields, table, options.count_name_pairs)
    plan.fields = cohere_addresses(plan.fields, table)
    plan.fields = cohere_companies(plan.fields, table)
    own = {f.column.name for f in plan.fields if f.column in table.columns}
    for columns in unique_sets_needing_help(table, fk_columns):
        helped = _make_one_unique(plan, table, columns, own, schema, options)
        if not helped:
            plan.flags.append(f"UNIQUE ({', '.join(columns)}) is not guaranteed: values are random")

    for rel in table.relationships:
        if rel.kind is RelationKind.GENERIC and not polymorphic_key(plan, rel, schema, options):
            plan_generic(plan, rel, generic_target(table, rel, schema, insert), schema)
    if not singleton_key(plan, table):
        share_small_natural_key(plan, table)

    for check in table.checks:
        parsed = check.parsed
        for fragment in parsed.unparsed:
            plan.flags.append(f"CHECK not understood, values may violate it: {fragment}")
    held_false = false_unless_given(plan, table)
    for unique in table.uniques:
        if unique.where and unique not in held_false:
            plan.flags.append(
                f"partial UNIQUE ({', '.join(unique.columns)}) WHERE {unique.where}: "
                "treated as unique"
            )

    for rel in table.relationships:
        if rel.viewonly:
            continue
        if rel.kind is RelationKind.MANY_TO_MANY and rel.target in schema.tables:
            plan.many_to_many.append(ManyToManyPlan(rel, rel.target, rel.secondary))
        elif rel.kind in (RelationKind.ONE_TO_MANY, RelationKind.ONE_TO_ONE):
            count = _children_count(table, rel.name, options)
            if count is None or rel.target not in schema.tables:
                continue
            child = schema.table(rel.target)
            fk = next(
                (
                    f
                    for f in child.foreign_keys
                    if f.referred_table == table.key and set(f.columns) == set(rel.remote_columns)
                ),
                None,
            )
            if fk is None:
                continue
            back = _relationship_for(child, fk)
            plan.children.append(ChildrenPlan(rel, child.key, fk, count[0], count[1], back))
    return plan


def _children_count(table: Table, relationship: str, options: InferenceOptions):
    keys = [f"{table.key}.{relationship}", f"{table.name}.{relationship}"]
    if table.model is not None:
        keys.append(f"{table.model.name}.{relationship}")
    for key in keys:
        if key in options.children:
            low, high = options.children[key]
            return int(low), int(high)
    return None


def _with_back_reference(children: ChildrenPlan, child: TablePlan) -> ChildrenPlan:
    if children.parent_attribute is not None:
        return children
    name = next((p.name for p in child.factory_parents if p.fk == children.fk), None)
    return dataclasses.replace(children, parent_attribute=name)


def plan_schema(
    schema: Schema, options: InferenceOptions | None = None, strict_cycles: bool = False
) -> SchemaPlan:
    """Infer every table of the schema. Raises FixturekitError for unsatisfiable columns.

    With `strict_cycles` (seeding, which inserts every table), a foreign-key cycle that no
    insert order can satisfy is an error; factories get the key flagged instead.
    """
    options = options or InferenceOptions()
    insert = insert_plan(schema, strict=strict_cycles)
    tables = {key: plan_table(schema.table(key), schema, insert, options) for key in insert.order}
    for plan in tables.values():
        plan.children = [_with_back_reference(c, tables[c.child]) for c in plan.children]
    return SchemaPlan(schema=schema, tables=tables, insert=insert)
