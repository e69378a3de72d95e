"""A factory's default object: the model's own defaults, and an ordinary usable row.

Factories give a column what the model would give it (model_bakery's rule): a scalar default is
written as that constant, a callable or SQL default is left to the ORM or the database. So tests
see the model's own `published=False` and `uuid4()` keys rather than random values.

One exception, whatever the model's default: a factory's object is a usable one, as a
hand-written factory makes it. Flags that gate whether a row can be used at all are on
(`is_active`), privilege flags are off (`is_admin`), and so are flags that take a row out of use
(`is_banned`). The tables below are that rule, as data.

`fill_defaults` (all columns, or a list of them) draws values instead. Seeding turns the whole
module off (`InferenceOptions.factory_object`): a seeded table keeps its drawn distributions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fixturekit.infer import strategies as st
from fixturekit.infer.constraints import coerce
from fixturekit.infer.names import normalise
from fixturekit.infer.plan import FieldPlan
from fixturekit.schema.defaults import PLAIN_VALUES
from fixturekit.schema.model import STRING_KINDS, Column, DefaultForm, Kind, Table


@dataclass(frozen=True)
class FlagRule:
    pattern: re.Pattern[str]
    value: bool
    reason: str


def _flag(pattern: str, value: bool, reason: str) -> FlagRule:
    return FlagRule(re.compile(pattern), value, reason)


# Boolean names, normalised (`isActive` -> `is_active`), matched whole.
USABLE_OBJECT_FLAGS: tuple[FlagRule, ...] = (
    _flag(
        r"^(is_)?(active|enabled|usable)$",
        True,
        "a usable object: the flag that lets the row be used is on",
    ),
    _flag(
        r"^(is_|has_)?(email_)?(verified|confirmed)$",
        True,
        "a usable object: verified, as a user who can log in",
    ),
    _flag(
        r"^(is_|has_)?(super_?user|super_?admin|admin|staff|moderator|root|system)$",
        False,
        "a privilege flag: an ordinary object has no privileges",
    ),
    _flag(
        r"^(is_)?(inactive|disabled|deleted|archived|banned|blocked|locked|suspended)$",
        False,
        "a usable object: not taken out of use",
    ),
)


def usable_object_flag(column: Column) -> FlagRule | None:
    if column.kind is not Kind.BOOLEAN:
        return None
    name = normalise(column.key)
    return next((rule for rule in USABLE_OBJECT_FLAGS if rule.pattern.search(name)), None)


def column_keys(column: Column, table: Table | None) -> list[str]:
    """The names configuration may use for a column: `table.column`, `Model.attribute`."""
    if table is None:
        return [column.name]
    keys = [f"{table.key}.{column.name}", f"{table.name}.{column.name}"]
    if table.model is not None:
        keys.append(f"{table.model.name}.{column.key}")
    return keys


def _in_unique_set(column: Column, table: Table | None, alone: bool) -> bool:
    if table is None:
        return column.unique
    sets = table.unique_sets() + [u.columns for u in table.uniques if u.where]
    return any(column.name in s and (len(s) == 1) is alone for s in sets)


def _scalar_literal(column: Column, value) -> st.Literal | None:
    """The default as a literal the factory writes, or None to leave it to the ORM."""
    if not isinstance(value, PLAIN_VALUES):  # an object only the ORM knows how to apply
        return None
    if column.kind is Kind.ENUM:  # labels versus members: the ORM knows which it maps
        return None
    value = coerce(value, column)
    if column.kind in STRING_KINDS and not isinstance(value, str):
        return None
    length = column.type.length
    if isinstance(value, str) and length is not None and len(value) > length:
        return None
    return st.Literal(value)


def factory_default(
    column: Column, table: Table | None, fill: bool, unique: bool
) -> FieldPlan | None:
    """The field plan a factory's default object gives `column`, or None to infer a value.

    `fill` is the `fill_defaults` setting for this column; `unique` says whether the column's
    values must be distinct on their own.
    """
    rule = usable_object_flag(column)
    if rule is not None and not unique:
        return FieldPlan(column, st.Literal(rule.value), f"{rule.reason} ({rule.value})")
    default = column.default
    if default is None or fill or column.primary_key:
        return None
    if default.form is DefaultForm.SCALAR:
        # A constant repeats: a column whose values must differ gets drawn ones.
        if unique or _in_unique_set(column, table, alone=False):
            return None
        if not default.by_database:
            literal = _scalar_literal(column, default.value)
            if literal is not None:
                return FieldPlan(column, literal, default.describe())
    elif _in_unique_set(column, table, alone=False):
        return None  # one clock reading or one function per row may still collide in a set
    who = "database" if default.by_database else "ORM"
    return FieldPlan(column, None, f"{default.describe()}: left to the {who}")
