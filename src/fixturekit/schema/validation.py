"""Constraints a model declares for validation only (SQLModel / pydantic fields), as schema facts.

`Field(ge=0, le=120)` never reaches the database, yet values outside it are invalid for the
application. They become CHECK predicates of the neutral schema (as if the table declared them),
so inference keeps values inside them; `max_length`, `max_digits` and `decimal_places` fill a
column type that does not say them (a `sa_type=Text` column, say).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fixturekit.schema.model import Check, ColumnType

_COMPARISONS = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))


def _facts(field_info: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for item in getattr(field_info, "metadata", ()) or ():
        for name in (
            "ge",
            "gt",
            "le",
            "lt",
            "min_length",
            "max_length",
            "max_digits",
            "decimal_places",
        ):
            value = getattr(item, name, None)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                facts.setdefault(name, value)
    return facts


def field_constraints(
    model_class: Any, attribute: str, column: str, column_type: ColumnType
) -> tuple[ColumnType, list[Check]]:
    """The column's type completed from its field, and the field's bounds as CHECKs."""
    fields = getattr(model_class, "model_fields", None)
    field_info = fields.get(attribute) if isinstance(fields, dict) else None
    if field_info is None:
        return column_type, []
    facts = _facts(field_info)
    checks = [
        Check(f"{column} {op} {facts[key]}", f"{column}_{key}")
        for key, op in _COMPARISONS
        if key in facts
    ]
    if "min_length" in facts and facts["min_length"] > 0:
        checks.append(Check(f"char_length({column}) >= {facts['min_length']}", f"{column}_min"))
    changes: dict[str, Any] = {}
    if "max_length" in facts and column_type.length is None:
        changes["length"] = int(facts["max_length"])
    if "max_digits" in facts and column_type.precision is None:
        changes["precision"] = int(facts["max_digits"])
    if "decimal_places" in facts and column_type.scale is None:
        changes["scale"] = int(facts["decimal_places"])
    if changes:
        column_type = dataclasses.replace(column_type, **changes)
    return column_type, checks
