"""Multi-row INSERTs of Django instances, what `bulk_create` sends, without its per-value cost.

`bulk_create` compiles every value through the SQL compiler (expression checks, placeholders,
pre_save and prep for each of them): for a batch of plain values that is most of its time. Here
each column is prepared once per value with the field's own `pre_save`/`get_db_prep_save`, the
statement text is built once per chunk size, and the keys come back with `RETURNING` (in row
order, as bulk_create relies on too) or were assigned up front by the caller.

Anything the compiler would have to handle (a value that is an expression, `db_default`, a
field with its own placeholder, a composite key) returns False: the caller uses bulk_create.
"""

from __future__ import annotations

from typing import Any

_MAX_ROWS = 1000  # rows per statement: large enough to amortise, small enough for memory
_UNNEST_ROWS = 5000  # PostgreSQL's statement has one parameter per column: it can be larger


def _plain_pre_save(field: Any) -> bool:
    from django.db.models import Field

    return type(field).pre_save is Field.pre_save


# Django's own fields whose database form of a value of these exact types is the value itself
# (their prep is `str(value)`, `int(value)`, `bool(value)`): preparing 10,000 of them one call
# at a time is a tenth of a batch's time.
_SAME_VALUE = {
    "CharField": str,
    "TextField": str,
    "EmailField": str,
    "SlugField": str,
    "URLField": str,
    "IntegerField": int,
    "BigIntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveBigIntegerField": int,
    "PositiveSmallIntegerField": int,
    "AutoField": int,
    "BigAutoField": int,
    "SmallAutoField": int,
    "BooleanField": bool,
}


def _passes_through(field: Any, values: list[Any]) -> bool:
    target = field.target_field if field.is_relation else field
    if not type(target).__module__.startswith("django.db.models.fields"):
        return False  # a project's own field class prepares values its own way
    if field.is_relation and not type(field).__module__.startswith("django.db.models.fields"):
        return False
    kind = _SAME_VALUE.get(type(target).__name__)
    return kind is not None and all(type(v) is kind or v is None for v in values)


class Rows:
    """A batch's keyword arguments, a list per keyword (`ragged`: row dicts whose keys differ,
    as a project's `_adjust_kwargs` may leave them)."""

    def __init__(self, columns: dict[str, list[Any]], count: int) -> None:
        self.columns = columns
        self.count = count
        self.ragged: list[dict[str, Any]] | None = None

    @classmethod
    def of(cls, dicts: list[dict[str, Any]]) -> Rows:
        keys = list(dicts[0]) if dicts else []
        if all(len(row) == len(keys) and all(k in row for k in keys) for row in dicts):
            return cls({k: [row[k] for row in dicts] for k in keys}, len(dicts))
        rows = cls({}, len(dicts))
        rows.ragged = dicts
        return rows

    def row(self, index: int) -> dict[str, Any]:
        if self.ragged is not None:
            return self.ragged[index]
        return {k: values[index] for k, values in self.columns.items()}

    def dicts(self) -> list[dict[str, Any]]:
        return [self.row(i) for i in range(self.count)]


def instances(model: Any, rows: Rows) -> list[Any]:
    """`model(**row)` for each row, through the positional form of `Model.__init__` (the one
    Django uses for rows it loads) when every keyword names a concrete field: a third of the
    cost, and built column by column.

    The result is the same: defaults for the fields the rows leave out, a parent object's key
    in the foreign-key column and the parent in the relation's cache. Anything else (another
    keyword, a parent of the wrong class, a model with its own __init__ or a multi-table
    parent) goes through `model(**row)`, which also raises the errors Django raises."""
    from django.db import models

    opts = model._meta
    fields = list(opts.concrete_fields)
    by_key = {f.attname: f for f in fields} | {f.name: f for f in fields}
    keys = set(rows.columns)
    above = model.__mro__[: model.__mro__.index(models.Model)]
    if (
        rows.ragged is not None
        or any("__init__" in vars(klass) for klass in above)
        or opts.parents
        or any(k not in by_key for k in keys)
        or any(f.name != f.attname and f.name in keys and f.attname in keys for f in fields)
    ):
        return [model(**row) for row in rows.dicts()]
    count = rows.count
    arguments: list[list[Any]] = []
    cached: list[tuple[Any, list[Any]]] = []
    for field in fields:
        if field.attname in keys:
            arguments.append(rows.columns[field.attname])
        elif field.is_relation and field.name in keys:
            parents = rows.columns[field.name]
            related = field.related_model
            if any(p is not None and not isinstance(p, related) for p in parents):
                return [model(**row) for row in rows.dicts()]  # Django says what is wrong
            target = field.target_field.attname
            arguments.append([None if p is None else getattr(p, target) for p in parents])
            cached.append((field, parents))
        else:
            arguments.append([field.get_default() for _ in range(count)])
    objs = [model(*values) for values in zip(*arguments, strict=True)]
    for field, parents in cached:
        for obj, parent in zip(objs, parents, strict=True):
            field.set_cached_value(obj, parent)
    return objs


def insert_objects(connection: Any, model: Any, objs: list[Any]) -> bool:
    """INSERT `objs` (all new, of one concrete model) through `connection`; False when the
    batch needs bulk_create's compiler instead (nothing has been written then)."""
    from django.db.models import AutoField
    from django.db.models.fields import NOT_PROVIDED

    opts = model._meta
    pk = opts.pk
    if getattr(opts, "pk_fields", [pk]) != [pk] or not objs:
        return False
    fields = [f for f in opts.concrete_fields if not getattr(f, "generated", False)]
    if any(getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED for f in fields):
        return False
    if any(hasattr(f, "get_placeholder") for f in fields):  # e.g. a geometry's SQL function
        return False
    with_key = [obj.pk is not None for obj in objs]
    if any(with_key) and not all(with_key):
        return False
    if not all(with_key):
        if not isinstance(pk, AutoField):
            return False
        fields = [f for f in fields if f is not pk]
    relations = [f for f in fields if f.is_relation]
    for obj in objs:  # what bulk_create checks: no unsaved parent, parents' keys copied
        if any(getattr(obj, f.attname) is None and f.is_cached(obj) for f in relations):
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
    columns = []
    for field in fields:
        if _plain_pre_save(field):
            values = [getattr(obj, field.attname) for obj in objs]
        else:
            values = [field.pre_save(obj, True) for obj in objs]
        if any(hasattr(v, "resolve_expression") for v in values):
            return False
        if _passes_through(field, values):
            columns.append(values)
        else:
            prep = field.get_db_prep_save
            columns.append([prep(v, connection) for v in values])
    returning = list(opts.db_returning_fields) if not all(with_key) else []
    if returning and not connection.features.can_return_rows_from_bulk_insert:
        return False
    _execute(connection, opts.db_table, fields, columns, returning, objs)
    return True


def _execute(
    connection: Any,
    table: str,
    fields: list[Any],
    columns: list[list[Any]],
    returning: list[Any],
    objs: list[Any],
) -> None:
    quote = connection.ops.quote_name
    types = [f.db_type(connection) for f in fields]
    if connection.vendor == "postgresql" and fields and None not in types:
        _unnest(connection, table, fields, types, columns, returning, objs)
        return
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    if not fields:
        head = f"INSERT INTO {quote(table)} DEFAULT VALUES"
    tail, tail_params = ("", ())
    if returning:
        tail, tail_params = _returning_clause(connection, returning)
    size = max(1, min(_MAX_ROWS, connection.ops.bulk_batch_size(fields, objs)))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    rows = list(zip(*columns, strict=True)) if fields else [()] * len(objs)
    texts: dict[int, str] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = rows[start : start + size]
            if not fields:  # one statement per row: DEFAULT VALUES takes no list
                for offset in range(len(chunk)):
                    cursor.execute(f"{head} {tail}", tail_params)
                    one = objs[start + offset : start + offset + 1]
                    _returned(one, returning, cursor, connection)
                continue
            sql = texts.get(len(chunk))
            if sql is None:
                sql = texts[len(chunk)] = f"{head}{', '.join([row] * len(chunk))} {tail}"
            cursor.execute(sql, [v for values in chunk for v in values] + list(tail_params))
            _returned(objs[start : start + len(chunk)], returning, cursor, connection)
    _saved(connection, objs)


def _saved(connection: Any, objs: list[Any]) -> None:
    alias = connection.alias
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


def _unnest(
    connection: Any,
    table: str,
    fields: list[Any],
    types: list[str],
    columns: list[list[Any]],
    returning: list[Any],
    objs: list[Any],
) -> None:
    """PostgreSQL: one array per column, `INSERT ... SELECT * FROM UNNEST(...)`. The statement
    text stays short (psycopg parses a long VALUES list again for every statement) and does
    not grow with the rows; RETURNING gives the keys in row order, as for VALUES."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    tail, tail_params = ("", ())
    if returning:
        tail, tail_params = _returning_clause(connection, returning)
    sql = f"INSERT INTO {quote(table)} ({names}) SELECT * FROM UNNEST({arrays}) {tail}"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), _UNNEST_ROWS):
            chunk = [column[start : start + _UNNEST_ROWS] for column in columns]
            cursor.execute(sql, [*chunk, *tail_params])
            _returned(objs[start : start + _UNNEST_ROWS], returning, cursor, connection)
    _saved(connection, objs)


def _returned(objs: list[Any], returning: list[Any], cursor: Any, connection: Any) -> None:
    if not returning:
        return
    found = cursor.fetchall()
    if len(found) != len(objs):
        raise RuntimeError(f"INSERT returned {len(found)} rows for {len(objs)}")
    for obj, values in zip(objs, found, strict=True):
        for field, value in zip(returning, values, strict=True):
            for converter in field.get_db_converters(connection):
                value = converter(value, field, connection)
            setattr(obj, field.attname, value)


def assign_keys(connection: Any, model: Any, objs: list[Any]) -> None:
    """Integer keys for new rows, before they are inserted: on PostgreSQL from the key's
    sequence (`nextval` n times in one query, so it moves as n inserts would move it);
    elsewhere the table's maximum + 1, ..., read under the batch's transaction (`FOR UPDATE`
    on MySQL keeps another writer from taking the same numbers meanwhile)."""
    from django.db.models.fields import AutoFieldMixin

    pk = model._meta.pk
    missing = [obj for obj in objs if obj.pk is None]
    if not missing or not isinstance(pk, AutoFieldMixin):
        return
    quote = connection.ops.quote_name
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), pk.column, len(missing)],
            )
            for obj, (number,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = number
        return
    sql = f"SELECT MAX({quote(pk.column)}) FROM {quote(table)}"
    if connection.vendor == "mysql":
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        top = cursor.fetchone()[0] or 0
    given = [obj.pk for obj in objs if obj.pk is not None]
    top = max([top, *given])
    for number, obj in enumerate(missing, start=top + 1):
        obj.pk = number


def _returning_clause(connection: Any, fields: list[Any]) -> tuple[str, Any]:
    """`RETURNING ...` for these fields: Django 6 renamed `return_insert_columns` to
    `returning_columns`."""
    ops = connection.ops
    method = getattr(ops, "return_insert_columns", None) or ops.returning_columns
    return method(fields)
