"""Saving a drawn graph, and rolling every example back on its own.

`objects()` returns unsaved instances. Parents reached through a relationship are saved by the
ORM's cascade; parents linked only by key columns (no relationship on the model), Core-table
parents and Django's reverse children are remembered on the instance and saved here, parents
first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fixturekit.strategies.graphs import PENDING, Pending, _CoreRow


def save(obj: Any, session: Any = None) -> Any:
    """Insert `obj` with every parent and child it was drawn with; returns `obj`.

    SQLAlchemy instances go into `session` (flushed, not committed); Django instances are saved
    through Django's ORM and take no session.
    """
    if _is_django(obj):
        _save_django(obj)
        return obj
    if session is None:
        raise TypeError("save(obj, session): SQLAlchemy objects need the session to add them to")
    _save_parents(obj, session, set())
    session.add(obj)
    session.flush()
    return obj


def _pending(obj: Any) -> Pending:
    return getattr(obj, PENDING, None) or Pending()


def _save_parents(obj: Any, session: Any, done: set[int]) -> None:
    if id(obj) in done:
        return
    done.add(id(obj))
    pending = _pending(obj)
    for parent in pending.attached:
        _save_parents(parent, session, done)
    for child in pending.children:
        _save_parents(child, session, done)
    for parent, pairs in pending.parents:
        if isinstance(parent, _CoreRow):
            keys = _insert_core(parent, session)
            for child_key, parent_key in pairs:
                setattr(obj, child_key, keys[parent_key])
            continue
        _save_parents(parent, session, done)
        session.add(parent)
        session.flush()
        for child_key, parent_key in pairs:
            setattr(obj, child_key, getattr(parent, parent_key))
    for relationship in _children_of(obj):
        _save_parents(relationship, session, done)


def _children_of(obj: Any) -> list[Any]:
    from sqlalchemy import inspect as sa_inspect

    state = sa_inspect(obj, raiseerr=False)
    if state is None:
        return []
    out: list[Any] = []
    for rel in state.mapper.relationships:
        if rel.direction.name != "ONETOMANY":
            continue
        value = state.dict.get(rel.key)
        if value:
            out.extend(value)
    return out


def _insert_core(row: _CoreRow, session: Any) -> dict[str, Any]:
    from sqlalchemy import insert

    table = row.table
    values = {}
    for field_plan in row.plan.factory_fields:
        if field_plan.attribute in row.values:
            values[field_plan.column.name] = row.values[field_plan.attribute]
    result = session.execute(insert(table).values(**values).returning(*table.primary_key.columns))
    keys = dict(result.one()._mapping)
    return {**values, **keys}


def _is_django(obj: Any) -> bool:
    meta = getattr(type(obj), "_meta", None)
    return meta is not None and hasattr(meta, "concrete_fields")


def _save_django(obj: Any) -> None:
    pending = _pending(obj)
    for field in obj._meta.concrete_fields:
        if not field.is_relation or field.many_to_many:
            continue
        parent = field.get_cached_value(obj, default=None)
        if (parent is not None and parent.pk is None) or (
            parent is not None and parent._state.adding
        ):
            _save_django(parent)
            setattr(obj, field.name, parent)  # refresh the key column from the saved parent
    obj.save()
    for child in pending.children:
        _save_django(child)


@contextmanager
def savepoint(session: Any) -> Iterator[Any]:
    """Run one Hypothesis example in a savepoint of `session`, rolled back afterwards.

    `db_session` is function-scoped, so Hypothesis runs every example of a test in the same
    session: without this, the rows of one example would still be there in the next.
    """
    nested = session.begin_nested()
    try:
        yield session
    finally:
        if nested.is_active:
            nested.rollback()
        session.expunge_all()


@contextmanager
def django_savepoint() -> Iterator[None]:
    """The same for Django: an atomic block rolled back after the example."""
    from django.db import transaction

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass
