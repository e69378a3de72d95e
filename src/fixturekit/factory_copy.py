"""Large batches on PostgreSQL go in with COPY, keys assigned up front.

A multi-row INSERT ... RETURNING is parsed again by psycopg for every page of rows (statements
that long are not cached), which costs more than generating the values. COPY sends the rows as
one stream: the integer keys are taken from the table's sequence first (`nextval` n times in
one query, so sequences continue exactly as inserts would move them), Python-side column
defaults are computed here, and columns with a server default the batch does not set are left
to the database. The objects are then loaded back with one SELECT by key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Table, any_, cast, exc, func, literal, select, text
from sqlalchemy import inspect as sa_inspect

COPY_FROM_ROWS = 200  # below this, INSERT ... RETURNING is as fast and simpler


def copy_target(session: Any, table: Table, count: int) -> bool:
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg" or count < COPY_FROM_ROWS:
        return False
    key = list(table.primary_key.columns)
    return len(key) == 1 and all(c.computed is None and c.identity is None for c in table.columns)


def _sequence_values(connection: Any, table: Table, column: Any, count: int) -> list[Any] | None:
    preparer = connection.dialect.identifier_preparer
    name = preparer.format_table(table)
    sequence = connection.scalar(select(func.pg_get_serial_sequence(name, column.name)))
    if sequence is None:
        return None
    query = text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :n)")
    return list(connection.scalars(query, {"sequence": sequence, "n": count}))


class _NoDefault(Exception):
    """A column default only an INSERT can apply (an SQL expression, a context function)."""


def _python_default(column: Any, count: int) -> list[Any] | None:
    """The values an INSERT would give the column from its Python-side default (None when it
    has none)."""
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return [default.arg] * count
    if default.is_callable:
        try:
            return [default.arg(None) for _ in range(count)]
        except Exception:  # it wants the execution context
            raise _NoDefault(column.key) from None
    raise _NoDefault(column.key)


def copy_rows(
    session: Any, table: Table, keys: list[str], lists: list[list[Any]], count: int
) -> dict[str, list[Any]] | None:
    """COPY the rows into `table`; every written column's values by key (keys included), or
    None when a key cannot be known up front (the caller inserts instead)."""
    connection = session.connection()
    columns = {c.key: c for c in table.columns}
    values = dict(zip(keys, lists, strict=True))
    for column in table.columns:
        if column.key in values:
            continue
        try:
            if column.primary_key and column.autoincrement is not False and column.default is None:
                drawn = _sequence_values(connection, table, column, count)
            else:
                drawn = _python_default(column, count)
        except _NoDefault:
            return None
        if drawn is None:
            if column.primary_key:
                return None
            continue  # a server default or NULL, as an INSERT without the column gives
        values[column.key] = drawn
    dialect = connection.dialect
    names = list(values)
    processed = []
    for name in names:
        processor = columns[name].type._cached_bind_processor(dialect)
        column_values = values[name]
        processed.append(
            column_values if processor is None else list(map(processor, column_values))
        )
    preparer = dialect.identifier_preparer
    target = preparer.format_table(table)
    quoted = ", ".join(preparer.quote(columns[name].name) for name in names)
    statement = f"COPY {target} ({quoted}) FROM STDIN"
    raw = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in zip(*processed, strict=True):
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as error:
        raise exc.DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from None
    return values


def load_back(session: Any, model: Any, key: Any, ids: list[Any]) -> list[Any]:
    """The copied rows as persistent objects, in the order of `ids`: one SELECT through the
    ORM's loader (much cheaper than building and attaching objects one by one), which also
    brings the values the database filled in."""
    array = cast(literal(list(ids), ARRAY(key.type)), ARRAY(key.type))
    # unique(): required when the class eager-joins a collection (`lazy="joined"`)
    found = session.scalars(select(model).where(key == any_(array))).unique().all()
    attribute = sa_inspect(model).get_property_by_column(key).key
    by_key = {getattr(obj, attribute): obj for obj in found}
    return [by_key[i] for i in ids]
