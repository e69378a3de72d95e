"""Where a batch's rows go: a mapped class (ORM objects back) or a Core table (TableRow back).

Both insert all rows in one executemany INSERT ... RETURNING, which SQLAlchemy's
insertmanyvalues turns into a few multi-row statements, and return the rows in the order they
were given (`sort_by_parameter_order`). A dialect that cannot return rows in order gets the ORM's
unit of work (one flush for all rows) instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import MANYTOONE

from fixturekit.construct import construct
from fixturekit.factory_copy import copy_rows, copy_target, load_back
from fixturekit.factory_fields import FactoryFields


class Unbatchable(Exception):
    """This call has to go through factory_boy one row at a time."""


def _returning(session: Any, table: Table) -> str | None:
    """How this INSERT gets its rows back in order: "sorted" (SQLAlchemy orders RETURNING by
    the parameters), "by key" (sort by the key afterwards), or None (it cannot).

    SQLAlchemy cannot prove RETURNING order for an integer key SQLite assigns, and falls back to
    one statement per row. But SQLite gives a rowid key `max + 1` to each row in turn, so the
    keys are in insertion order: one multi-row INSERT, then a sort by key, is exact."""
    dialect = session.connection().dialect
    if dialect.name == "sqlite" and dialect.insert_executemany_returning:
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].autoincrement is not False and _is_integer(key[0]):
            return "by key"
    if getattr(dialect, "insert_executemany_returning_sort_by_parameter_order", False):
        return "sorted"
    return None


def _is_integer(column: Any) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def _written(fields: FactoryFields, extra: list[str]) -> list[str]:
    names = list(dict.fromkeys(fields.columns + extra))
    return [n for n in names if n not in fields.parameters and n not in fields.parents]


def _rows(keys: list[str], lists: list[list[Any]], count: int) -> list[dict[str, Any]]:
    if not keys:
        return [{} for _ in range(count)]
    return [dict(zip(keys, values, strict=True)) for values in zip(*lists, strict=True)]


class MappedTarget:
    """Rows of a mapped class; SubFactory relationships become their foreign-key columns."""

    def __init__(self, factory_class: Any, fields: FactoryFields, extra: list[str]) -> None:
        self.model = factory_class._meta.model
        self.mapper = sa_inspect(self.model)
        if _untyped(self.mapper.local_table):
            # a multi-row INSERT casts its parameters, and a type SQLAlchemy cannot name
            # (a reflected tsquery) cannot be cast: such rows go one by one
            raise Unbatchable(f"{self.model.__name__} has a column of a type SQLAlchemy lacks")
        rename = factory_class._meta.rename or {}
        self.names = _written(fields, extra)
        self.keys = [rename.get(n, n) for n in self.names]
        columns = set(self.mapper.column_attrs.keys())
        for name, key in zip(self.names, self.keys, strict=True):
            if key not in columns:
                raise Unbatchable(f"{name} is not a column of {self.model.__name__}")
        self.links: list[tuple[str, list[tuple[str, Any]]]] = []
        for name in fields.parents:
            if name in fields.parameters:
                continue
            relationship = self.mapper.relationships.get(name)
            if relationship is None or relationship.direction is not MANYTOONE:
                raise Unbatchable(f"{name} is not a many-to-one relationship")
            pairs = [
                (self.mapper.get_property_by_column(local).key, remote)
                for local, remote in relationship.local_remote_pairs
            ]
            self.links.append((name, pairs))
        manager = self.mapper.class_manager
        self.plain_init = (
            getattr(manager, "original_init", None) is self.mapper.registry.constructor
        )
        # COPY and INSERT ... RETURNING skip the mapper's insert events: a class that listens
        # to them (an audit column set in before_insert) goes through the unit of work
        dispatch = self.mapper.dispatch
        self.direct = self.plain_init and not (dispatch.before_insert or dispatch.after_insert)

    def _key_lists(self, columns: dict[str, list[Any]], parents: dict[str, list[Any]]):
        keys = list(self.keys)
        lists = [columns[name] for name in self.names]
        for name, pairs in self.links:
            for local, remote in pairs:
                keys.append(local)
                lists.append([_parent_value(p, remote) for p in parents[name]])
        return keys, lists

    def insert(
        self,
        session: Any,
        columns: dict[str, list[Any]],
        parents: dict[str, list[Any]],
        count: int,
    ) -> list[Any]:
        keys, lists = self._key_lists(columns, parents)
        # COPY bypasses the ORM: not for a class the ORM has to fill in (a discriminator)
        if self.direct and not self.mapper.inherits and self.mapper.polymorphic_on is None:
            copied = self._copy(session, keys, lists, count)
            if copied is not None:
                return copied
        rows = _rows(keys, lists, count)
        how = _returning(session, self.mapper.local_table) if keys and self.direct else None
        if how is not None and not self.mapper.inherits:
            statement = insert(self.model).returning(
                self.model, sort_by_parameter_order=how == "sorted"
            )
            # unique(): a class with a joined eager-loaded collection (`lazy="joined"`) has
            # SQLAlchemy ask for it; each returned row is a distinct new object anyway
            objs = list(session.scalars(statement, rows).unique())
            if how == "by key":
                key = self.mapper.get_property_by_column(self.mapper.primary_key[0]).key
                objs.sort(key=lambda obj: getattr(obj, key))
            return objs
        objs = [construct(self.model, **row) for row in rows]
        session.add_all(objs)
        session.flush()
        return objs

    def _copy(self, session: Any, keys: list[str], lists: list[list[Any]], count: int):
        """The rows through PostgreSQL's COPY, when the table allows it (None otherwise)."""
        table = self.mapper.local_table
        if not copy_target(session, table, count):
            return None
        column_keys = [self.mapper.columns[key].key for key in keys]
        values = copy_rows(session, table, column_keys, lists, count)
        if values is None:
            return None
        key = table.primary_key.columns[0]
        return load_back(session, self.model, key, values[key.key])

    def build(
        self, columns: dict[str, list[Any]], parents: dict[str, list[Any]], count: int
    ) -> list[Any]:
        keys = list(self.keys) + [name for name, _ in self.links]
        lists = [columns[name] for name in self.names] + [parents[name] for name, _ in self.links]
        return [construct(self.model, **row) for row in _rows(keys, lists, count)]


class TableTarget:
    """Rows of a Core table with no mapped class, returned as TableRow objects."""

    def __init__(self, factory_class: Any, fields: FactoryFields, extra: list[str]) -> None:
        self.table: Table = factory_class._meta.model
        rename = factory_class._meta.rename or {}
        self.names = _written(fields, extra)
        self.keys = [rename.get(n, n) for n in self.names]
        for name, key in zip(self.names, self.keys, strict=True):
            if key not in self.table.c:
                raise Unbatchable(f"{name} is not a column of {self.table.fullname}")
        for name in fields.parents:
            if name not in fields.parameters:
                raise Unbatchable(f"{name}: a Core table has no relationships")

    def insert(
        self,
        session: Any,
        columns: dict[str, list[Any]],
        parents: dict[str, list[Any]],
        count: int,
    ) -> list[Any]:
        from fixturekit.factories import TableRow

        rows = _rows(self.keys, [columns[n] for n in self.names], count)
        table = self.table
        how = _returning(session, table) if self.keys else None
        if how is not None:
            statement = insert(table).returning(*table.c, sort_by_parameter_order=how == "sorted")
            names = [c.key for c in table.c]
            found = [
                TableRow(**dict(zip(names, row, strict=True)))
                for row in session.execute(statement, rows)
            ]
            if how == "by key":
                key = table.primary_key.columns[0].key
                found.sort(key=lambda row: getattr(row, key))
            return found
        return [_insert_one(session, table, row) for row in rows]

    def build(
        self, columns: dict[str, list[Any]], parents: dict[str, list[Any]], count: int
    ) -> list[Any]:
        from fixturekit.factories import TableRow

        rows = _rows(self.keys, [columns[n] for n in self.names], count)
        return [TableRow(**row) for row in rows]


def _insert_one(session: Any, table: Table, row: dict[str, Any]) -> Any:
    from fixturekit.factories import TableRow

    result = session.execute(insert(table), row)  # as parameters: see TableFactory._save
    keys = [column.key for column in table.primary_key.columns]
    values = dict(row)
    values.update(zip(keys, result.inserted_primary_key or (), strict=False))
    return TableRow(**values)


_REMOTE_KEYS: dict[tuple[type, Any], str] = {}


def _parent_value(parent: Any, remote: Any) -> Any:
    if parent is None:
        return None
    slot = (type(parent), remote)
    key = _REMOTE_KEYS.get(slot)
    if key is None:
        key = _REMOTE_KEYS[slot] = sa_inspect(type(parent)).get_property_by_column(remote).key
    return getattr(parent, key)


def _untyped(table: Any) -> bool:
    """Columns SQLAlchemy has no type for (a reflected tsquery or point)."""
    from sqlalchemy.types import NullType

    return any(isinstance(column.type, NullType) for column in table.columns)
