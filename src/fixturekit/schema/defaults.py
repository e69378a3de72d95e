"""Column defaults read into the neutral model: a constant, a Python callable, or SQL.

Readers hand over what they know (SQLAlchemy's ColumnDefault, Django's `default` / `db_default`,
the catalog's default text); this module turns it into a `DefaultValue`. A server default's SQL
is parsed only as far as telling a literal (`0`, `'draft'::character varying`, `((1))`, `false`)
from an expression (`now()`, `nextval('seq')`, `gen_random_uuid()`).
"""

from __future__ import annotations

import datetime
import enum
import re
from decimal import Decimal
from typing import Any

from fixturekit.schema.model import DefaultForm, DefaultValue

_CAST = re.compile(r"\s*::\s*[\w\" ]+(\([\d, ]*\))?(\[\])*\s*$")
_STRING = re.compile(r"^[NEB]?'((?:[^']|'')*)'$", re.I | re.S)
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$")


def _unwrap(text: str) -> str:
    """Drop enclosing parentheses and trailing casts: `(('a')::text)` -> `'a'`."""
    while True:
        before = text
        text = text.strip()
        if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            text = text[1:-1]
        text = _CAST.sub("", text) if not _STRING.match(text) else text
        if text == before:
            return text


def _balanced(text: str) -> bool:
    depth = 0
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and not quoted


def sql_literal(sql: str) -> tuple[bool, Any]:
    """(True, value) when `sql` is a constant: a quoted string, a number, TRUE/FALSE, NULL."""
    text = _unwrap(sql)
    string = _STRING.match(text)
    if string and text[:1].upper() != "B":  # b'0' is a MySQL bit value, not text
        return True, string.group(1).replace("''", "'")
    if _INTEGER.match(text):
        return True, int(text)
    if _DECIMAL.match(text):
        return True, Decimal(text)
    lowered = text.lower()
    if lowered in ("true", "false"):
        return True, lowered == "true"
    if lowered == "null":
        return True, None
    return False, None


def server_default(sql: str | None) -> DefaultValue | None:
    """A server default's SQL text, described; None for no default or `DEFAULT NULL`."""
    if sql is None:
        return None
    is_literal, value = sql_literal(sql)
    if is_literal:
        if value is None:
            return None
        return DefaultValue(DefaultForm.SCALAR, True, value, sql.strip())
    return DefaultValue(DefaultForm.EXPRESSION, True, None, sql.strip())


def callable_name(function: Any) -> str:
    name = getattr(function, "__name__", None) or type(function).__name__
    return "a function" if name == "<lambda>" else f"{name}()"


# Values the neutral model keeps as they are: plain, picklable without the application.
PLAIN_VALUES = (bool, int, float, str, Decimal, datetime.date, datetime.time)


def python_default(value: Any) -> DefaultValue:
    """A client-side default given as a Python value or a callable.

    An enum member is kept as its value (what the database stores); any other object (a dict,
    an instance of an application class) only as text, so the ORM is left to apply it.
    """
    if callable(value):
        return DefaultValue(DefaultForm.CALLABLE, False, None, callable_name(value))
    text = repr(value)
    if isinstance(value, enum.Enum):
        text, value = f"{type(value).__name__}.{value.name}", value.value
    if isinstance(value, PLAIN_VALUES):
        return DefaultValue(DefaultForm.SCALAR, False, _plain(value), text)
    return DefaultValue(DefaultForm.SCALAR, False, None, text)


def _plain(value: Any) -> Any:
    """A str or int subclass (a Django TextChoices member) as the builtin it stands for."""
    if type(value) in PLAIN_VALUES:
        return value
    for builtin in (bool, int, str):
        if isinstance(value, builtin):
            return builtin(value)
    return value


def django_default(field: Any, server_sql: str | None) -> DefaultValue | None:
    """A Django field's `default`, `auto_now(_add)` or `db_default`, described."""
    if field.has_default():
        return python_default(field.default)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return DefaultValue(DefaultForm.CALLABLE, False, None, "now()")
    return server_default(server_sql)
