"""Where a Django factory's batch goes: model instances, saved with `bulk_create`.

The values and parents come from `fixturekit.factory_batch` like a SQLAlchemy batch's; this
module turns them into the keyword arguments factory_boy would pass (`_adjust_kwargs`,
`Meta.exclude`, `Meta.rename` applied per row, as `prepare_arguments` does), builds the
instances, and saves them:

- in bulk with `bulk_create`, a few multi-row INSERTs. Where the backend cannot return the new
  keys (MySQL, SQLite before 3.35), integer keys are assigned up front from the table's
  current maximum, read under the batch's transaction (`FOR UPDATE` on MySQL), so every
  returned object has its primary key;
- one `save(force_insert=True)` per row, as `Manager.create` does, when bulk_create would skip
  something the model relies on: a `save()` of its own, `pre_save`/`post_save` receivers, or a
  multi-table-inheritance parent (bulk_create refuses those). The values and parents are still
  drawn in bulk.

`django_get_or_create` is honoured for the whole batch: existing rows with the batch's keys are
looked up (a few `IN` queries), rows that repeat a key within the batch are one row, the rest
are created. If the database still refuses the insert (a key it compares differently, such as
a case-insensitive collation), those rows go through `get_or_create` one by one.
"""

from __future__ import annotations

import uuid
from typing import Any

from fixturekit.factory_django import DjangoSession
from fixturekit.factory_django_insert import Rows, assign_keys, insert_objects, instances
from fixturekit.factory_targets import Unbatchable, _written

_ROWS_PER_STATEMENT = 2000  # a statement's size, bounded for memory (rows x columns)
_LOOKUP_CHUNK = 1000
# save() overrides that do nothing a freshly built row needs: AbstractBaseUser.save only
# reports a password set with set_password(), which a factory's hashed value never is.
_HARMLESS_SAVES = {"django.contrib.auth.base_user.AbstractBaseUser"}


def _overridden(factory_class: Any, name: str) -> bool:
    from factory.django import DjangoModelFactory

    mine = getattr(factory_class, name).__func__
    return mine is not getattr(DjangoModelFactory, name).__func__


def per_row_save_reason(model: Any) -> str | None:
    """Why `bulk_create` would not do what `save()` does for `model` (None: it would)."""
    from django.db import models
    from django.db.models import signals

    opts = model._meta
    if any(link is not None for link in opts.concrete_model._meta.parents.values()):
        return "it inherits from a concrete model (bulk_create cannot save multi-table rows)"
    for klass in model.__mro__:
        if klass is models.Model:
            break
        if "save" in vars(klass) and f"{klass.__module__}.{klass.__qualname__}" not in (
            _HARMLESS_SAVES
        ):
            return f"{klass.__qualname__} overrides save()"
    for signal in (signals.pre_save, signals.post_save):
        if signal.has_listeners(model):
            return "it has pre_save/post_save receivers"
    return None


def _plain_bulk_create(manager: Any) -> bool:
    """Django's own bulk_create: a manager or queryset of the project's may add to it."""
    from django.db.models import QuerySet

    for klass in type(manager).__mro__:
        own = vars(klass).get("bulk_create")  # a manager's copy of a queryset method wraps it
        if own is not None and getattr(own, "__wrapped__", own) is not QuerySet.bulk_create:
            return False
    queryset = getattr(manager, "_queryset_class", QuerySet)
    return queryset.bulk_create is QuerySet.bulk_create


def python_type(model: Any, name: str) -> type | None:
    """The Python type Django gives a field's values where it is not the bulk draw's own."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return uuid.UUID if field.get_internal_type() == "UUIDField" else None


class DjangoTarget:
    """Instances of one Django model; SubFactory parents are set on their foreign keys."""

    def __init__(self, factory_class: Any, fields: Any, extra: list[str]) -> None:
        for hook in ("_create", "_get_or_create", "_build"):
            if _overridden(factory_class, hook):
                raise Unbatchable(f"{factory_class.__name__} has its own {hook}")
        meta = factory_class._meta
        self.factory = factory_class
        self.model = meta.get_model_class()
        self.manager = factory_class._get_manager(self.model)
        self.names = _written(fields, extra)
        self.parents = [n for n in fields.parents if n not in fields.parameters]
        self.hidden = set(meta.exclude) | set(meta.parameters)
        self.rename = dict(meta.rename or {})
        self.adjust = _overridden(factory_class, "_adjust_kwargs")
        self.lookup = tuple(meta.django_get_or_create or ())
        known = {self.rename.get(n, n) for n in [*self.names, *self.parents]}
        if self.adjust:
            known = None  # _adjust_kwargs may add the key fields itself: checked per row
        if known is not None and any(name not in known for name in self.lookup):
            raise Unbatchable("a django_get_or_create field has no value")  # per row says so
        self.per_row_reason = per_row_save_reason(self.model)
        self.plain_bulk_create = _plain_bulk_create(self.manager)

    # --- the keyword arguments factory_boy would pass ---------------------------------------

    def kwargs(
        self, columns: dict[str, list[Any]], parents: dict[str, list[Any]], count: int
    ) -> Rows:
        hidden, rename = self.hidden, self.rename
        names = [n for n in self.names if n not in hidden or self.adjust]
        lists = {n: columns[n] for n in names} | {n: parents[n] for n in self.parents}
        if not self.adjust:
            return Rows({rename.get(k, k): v for k, v in lists.items() if k not in hidden}, count)
        keys = list(lists)
        dicts = [dict(zip(keys, vals, strict=True)) for vals in zip(*lists.values(), strict=True)]
        if not keys:
            dicts = [{} for _ in range(count)]
        dicts = [self.factory._adjust_kwargs(**row) for row in dicts]
        return Rows.of(
            [{rename.get(k, k): v for k, v in row.items() if k not in hidden} for row in dicts]
        )

    def build(
        self, columns: dict[str, list[Any]], parents: dict[str, list[Any]], count: int
    ) -> list[Any]:
        return instances(self.model, self.kwargs(columns, parents, count))

    # --- saving ---------------------------------------------------------------------------------

    def insert(
        self,
        session: DjangoSession,
        columns: dict[str, list[Any]],
        parents: dict[str, list[Any]],
        count: int,
    ) -> list[Any]:
        rows = self.kwargs(columns, parents, count)
        objs = instances(self.model, rows)
        if self.lookup:
            return self._get_or_create(session.alias, objs, rows)
        self._save(session.alias, objs)
        return objs

    def _save(self, alias: str, objs: list[Any]) -> None:
        if not objs:
            return
        if self.per_row_reason is not None:
            for obj in objs:  # what Manager.create does, row by row
                obj.save(force_insert=True, using=alias)
            return
        from django.db import connections

        connection = connections[alias]
        if not connection.features.can_return_rows_from_bulk_insert:
            assign_keys(connection, self.model, objs)
        if self.plain_bulk_create and insert_objects(connection, self.model, objs):
            return
        self.manager.db_manager(alias).bulk_create(objs, batch_size=_ROWS_PER_STATEMENT)

    def _get_or_create(self, alias: str, objs: list[Any], rows: Rows) -> list[Any]:
        from django.db import IntegrityError, transaction

        fields = [self.model._meta.get_field(name) for name in self.lookup]
        keys = [tuple(getattr(obj, f.attname) for f in fields) for obj in objs]
        found = self._existing(alias, fields, keys)
        chosen: dict[tuple[Any, ...], Any] = {}
        new: list[tuple[Any, int]] = []
        result = []
        for index, (obj, key) in enumerate(zip(objs, keys, strict=True)):
            same = chosen.get(key)
            if same is None:
                same = found.get(key)
                if same is None:
                    same = obj
                    new.append((obj, index))
                chosen[key] = same
            result.append(same)
        try:
            with transaction.atomic(using=alias):
                self._save(alias, [obj for obj, _ in new])
        except IntegrityError:
            # a key the database compares differently from Python: get_or_create decides
            manager = self.manager.db_manager(alias)
            by_obj = {}
            for obj, index in new:
                row = rows.row(index)
                lookup = {name: row[name] for name in self.lookup}
                defaults = {k: v for k, v in row.items() if k not in lookup}
                by_obj[id(obj)] = manager.get_or_create(**lookup, defaults=defaults)[0]
            result = [by_obj.get(id(obj), obj) for obj in result]
        return result

    def _existing(
        self, alias: str, fields: list[Any], keys: list[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], Any]:
        """Rows already in the table with one of `keys`, looked up by the first key field.

        First only that column, in plain SQL (compiling 10,000 `IN` parameters through the ORM
        costs more than the query); the objects are loaded for the values found, usually
        none."""
        from django.db import connections

        firsts = sorted({k[0] for k in keys if k[0] is not None}, key=repr)
        connection = connections[alias]
        quote = connection.ops.quote_name
        column = quote(fields[0].column)
        # a multi-table child's inherited field is in its parent's table
        table = quote(fields[0].model._meta.db_table)
        prep = fields[0].get_db_prep_value
        present: list[Any] = []
        with connection.cursor() as cursor:
            for start in range(0, len(firsts), _LOOKUP_CHUNK):
                chunk = [prep(v, connection) for v in firsts[start : start + _LOOKUP_CHUNK]]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", chunk)
                present += [row[0] for row in cursor.fetchall()]
        manager = self.manager.db_manager(alias)
        found: dict[tuple[Any, ...], Any] = {}
        first = fields[0].attname
        for start in range(0, len(present), _LOOKUP_CHUNK):
            chunk = present[start : start + _LOOKUP_CHUNK]
            for obj in manager.filter(**{f"{first}__in": chunk}):
                found.setdefault(tuple(getattr(obj, f.attname) for f in fields), obj)
        return found
