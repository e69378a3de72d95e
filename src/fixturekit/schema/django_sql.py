"""SQL text from Django expressions: CHECK and conditional UNIQUE conditions, defaults.

Django's own query compiler writes the SQL for the connection's backend; parameters are inlined
as that backend would, and the spellings that changed between Django versions are made one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID


def sql_literal(value: Any, vendor: str) -> str:
    """A parameter as an SQL literal, the way each backend would inline it."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("true" if value else "false") if vendor == "postgresql" else str(int(value))
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, timedelta):  # stored as microseconds except on PostgreSQL
        if vendor == "postgresql":
            return f"'{value.total_seconds()} seconds'::interval"
        return str(value // timedelta(microseconds=1))
    if isinstance(value, datetime | date | time):
        value = value.isoformat()
    elif isinstance(value, UUID):
        value = str(value) if vendor == "postgresql" else value.hex
    text = str(value).replace("'", "''")
    return f"'{text}'"


def compile_condition(model: type, condition: Any, connection: Any) -> str:
    """A Q object as the WHERE/CHECK SQL Django emits for `connection`, columns unqualified."""
    from django.db.models.sql.query import Query

    query = Query(model=model, alias_cols=False)
    where = query.build_where(condition)
    compiler = query.get_compiler(connection=connection)
    sql, params = where.as_sql(compiler, connection)
    return _bare_booleans(model, sql % tuple(sql_literal(p, connection.vendor) for p in params))


def _bare_booleans(model: type, sql: str) -> str:
    """`"is_primary" = 1` (Django 6) as `"is_primary"` (Django 4 and 5), `= 0` as `NOT ...`.

    Django's compilation of a boolean lookup changed between versions; one spelling keeps the
    schema (and so the generated file) the same whichever Django reads it.
    """
    columns = [
        f.column
        for f in model._meta.concrete_fields
        if f.get_internal_type() in ("BooleanField", "NullBooleanField")
    ]
    for column in columns:
        quoted = rf'(?:"{re.escape(column)}"|`{re.escape(column)}`)'
        sql = re.sub(rf"({quoted})\s*=\s*(?:1|true)\b", r"\1", sql, flags=re.IGNORECASE)
        sql = re.sub(rf"({quoted})\s*=\s*(?:0|false)\b", r"NOT \1", sql, flags=re.IGNORECASE)
    return sql
