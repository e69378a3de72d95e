"""Passwords and other secrets: columns written through a setter, Django's password hashes.

A column behind a property setter (`_password` behind `password`) is set through the property,
so the application's own hashing runs; Django's `AbstractBaseUser.password` gets a real hash;
any other secret-like column is flagged, because its factory value is stored as is.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from fixturekit.infer import strategies as st
from fixturekit.infer.plan import FieldPlan
from fixturekit.schema.model import STRING_KINDS, Column, Kind

if TYPE_CHECKING:
    from fixturekit.infer.rules import InferenceOptions

SECRET_FLAG = (
    "secret-like column with no property setter: factories store the generated text as is; "
    "if the application hashes it, override the column to do the same"
)
_SECRET = re.compile(
    r"(^|_)(password|passwd|pwd|passphrase|secret)(_?(hash|hashed|digest|encrypted))?$"
    r"|(^|_)pin_?hash$|^(hashed|encrypted)_?(password|secret|pin)$",
    re.IGNORECASE,
)


def is_secret(column: Column) -> bool:
    """A column that holds a password or secret, usually written through hashing."""
    return column.kind in STRING_KINDS | {Kind.BINARY} and bool(
        _SECRET.search(column.key.lstrip("_"))
    )


def secret_plan(column: Column, options: InferenceOptions) -> FieldPlan | None:
    """The plan of a column set through a setter, or of Django's password; else None."""
    if column.setter is not None:
        return _through_setter(column, options)
    if column.semantic == "django_password":
        reason = "a hash of 'password', as set_password stores it"
        return FieldPlan(column, st.DjangoPassword(), reason)
    return None


def secret_flags(column: Column) -> list[str]:
    return [SECRET_FLAG] if is_secret(column) and column.semantic != "django_password" else []


def _through_setter(column: Column, options: InferenceOptions) -> FieldPlan:
    """A column behind a property setter (`_password` behind `password`): the factory sets the
    property, so the value is inferred for the public name and the model transforms it."""
    public = dataclasses.replace(column, name=column.setter, attribute=None, setter=None)
    from fixturekit.infer.rules import infer_column

    inner = infer_column(public, None, options=options, unique=False)
    reason = f"set through the {column.setter} property setter: {inner.reason}"
    flags = tuple(flag for flag in inner.flags if flag != SECRET_FLAG)
    return FieldPlan(column, inner.strategy, reason, flags)
