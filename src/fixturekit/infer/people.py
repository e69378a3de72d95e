"""Columns that describe one person are drawn together: a row's names, display name, login and
email belong to the same person (`Jane Doe`, `Jane D.`, `jane.doe`, `jane.doe@gmail.com`).

A pass over a table's field plans after each column got its own strategy: the person's names
stay the anchors, the other person columns are rebuilt from them. Factories, runtime factories,
seeding and Hypothesis strategies all read the result, so they agree.
"""

from __future__ import annotations

import dataclasses

from fixturekit.infer import strategies as st
from fixturekit.infer.numbering import NAMES_RUN_OUT, numbering
from fixturekit.infer.plan import FieldPlan
from fixturekit.schema.model import Table

_PARTS = {
    "first_name": "first",
    "last_name": "last",
    "name": "full",
    "user_name": "username",
    "email": "email",
    "free_email": "email",
    "safe_email": "email",
    "ascii_email": "email",
    "ascii_free_email": "email",
    "ascii_safe_email": "email",
}
_ANCHORS = ("first", "last", "full")


def _part(field: FieldPlan) -> str | None:
    strategy = field.strategy
    if isinstance(strategy, st.UniqueText):
        strategy = strategy.base
    if not isinstance(strategy, st.FakerValue):  # UniqueFakerValue is one
        return None
    part = _PARTS.get(strategy.provider)
    if part == "full" and "display" in field.column.name.lower():
        return "display"
    if part == "full" and field.column.name.lower() in ("name", "title"):
        return None  # a bare `name` names the row's thing as often as a person
    return part


def cohere_people(
    fields: list[FieldPlan], table: Table, count_pairs: bool = True
) -> list[FieldPlan]:
    """The fields with the table's person columns drawn as one person (unchanged when the
    table has no names to build the others from, or nothing to build)."""
    parts: dict[str, FieldPlan] = {}
    for field in fields:
        part = _part(field)
        if part is not None and part not in parts and field.column.writable:
            parts[part] = field
    has_pair = "first" in parts and "last" in parts
    if not has_pair and "full" not in parts:
        return fields
    derived = [p for p in ("display", "username", "email") if p in parts]
    if has_pair and "full" in parts:
        derived.insert(0, "full")
    if not derived:
        return fields
    anchors = ("first", "last") if has_pair else ("full",)
    names = {p: parts[p].attribute for p in anchors}
    unique = any(_is_unique(parts[p], table) for p in derived)
    replaced: dict[str, FieldPlan] = {}
    for part in anchors:
        field = parts[part]
        strategy = st.PersonName(part, pairs=unique, max_length=field.column.type.length)
        replaced[field.attribute] = dataclasses.replace(
            field, strategy=strategy, reason=f"{field.reason}; the row's person"
        )
    source_names = ", ".join(parts[p].column.name for p in anchors)
    for part in derived:
        field = parts[part]
        is_unique = _is_unique(field, table)
        strategy = st.PersonDerived(
            part,
            first=names.get("first"),
            last=names.get("last"),
            full=names.get("full"),
            max_length=field.column.type.length,
            is_unique=is_unique,
            key=f"{table.key}.{field.column.name}",
        )
        reason = f"{part} of the row's person (from {source_names})"
        if is_unique:
            reason += f"; {numbering(strategy) if count_pairs else NAMES_RUN_OUT}"
        replaced[field.attribute] = dataclasses.replace(field, strategy=strategy, reason=reason)
    return [replaced.get(f.attribute, f) for f in fields]


def _is_unique(field: FieldPlan, table: Table) -> bool:
    return bool(getattr(field.strategy, "unique", False)) or table.is_unique_alone(
        field.column.name
    )
