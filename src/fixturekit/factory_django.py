"""Django factories whose `create_batch` and `build_batch` run at bulk speed.

`fixturekit generate --django` writes factories on `DjangoModelFactory` from this module: a
factory_boy `DjangoModelFactory` (everything per row is factory_boy's, pytest-django's `db`
still isolates it) whose batches go through `fixturekit.factory_batch`, the path SQLAlchemy
factories use: the same declaration analysis, the same bulk renderings, the same parents made
as batches. Only the last step differs: rows go in with Django's `bulk_create`
(`fixturekit.factory_django_target`), inside `transaction.atomic`.

The plan a batch compares declarations with is inferred again from the Django models with the
default options, once per process, as for a generated SQLAlchemy factory.
"""

from __future__ import annotations

from typing import Any

import factory.django

_PLANS: dict[int, Any] = {}


class DjangoSession:
    """What the batch path calls a session, for Django: a database alias.

    Django writes through its own connection; objects need no attaching, and nothing is
    pending between statements (every write has been sent when its call returns)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias


def django_plan(model: Any) -> Any:
    """The inference plan of `model`'s table, from every installed model (cached per process)."""
    from django.apps import apps

    cached = _PLANS.get(id(apps))
    if cached is None:
        from fixturekit.infer.tables import plan_schema
        from fixturekit.schema.django import read_models

        models = [
            m
            for m in apps.get_models(include_auto_created=True)
            if not m._meta.proxy and m._meta.managed
        ]
        cached = _PLANS[id(apps)] = plan_schema(read_models(models))
    return cached.tables.get(model._meta.concrete_model._meta.db_table)


class DjangoModelFactory(factory.django.DjangoModelFactory):
    """A factory_boy `DjangoModelFactory` whose batches are drawn and inserted in bulk.

    `create_batch(n, **overrides)` returns what n calls of `create(**overrides)` would (same
    overrides on every row, one parent per row unless one is passed in, sequences continuing,
    `django_get_or_create` finding existing rows), through `bulk_create`. `build_batch` draws
    the same values without saving. What a batch cannot do in bulk runs per row: see
    docs/generate.md, "Batches".
    """

    class Meta:
        abstract = True

    _fixturekit_batches = True  # the batch path knows this factory's declarations

    @classmethod
    def _fixturekit_find_plan(cls) -> Any:
        model = cls._meta.get_model_class()
        return None if model is None else django_plan(model)

    @classmethod
    def _session(cls) -> DjangoSession:
        return DjangoSession(cls._meta.database)

    @classmethod
    def _declared_names(cls, params: dict[str, Any]) -> dict[str, Any]:
        """A caller's model names (`_secret=`) for renamed declarations, as `_generate` maps
        them on the per-row path of a factory with `Meta.rename`."""
        rename = cls._meta.rename or {}
        if not rename:
            return params
        declared = {model: name for name, model in rename.items()}
        return {declared.get(key, key): value for key, value in params.items()}

    @classmethod
    def create_batch(cls, size: int, **kwargs: Any) -> list[Any]:
        from fixturekit.factory_batch import create_batch

        return create_batch(cls, size, cls._declared_names(kwargs))

    @classmethod
    def build_batch(cls, size: int, **kwargs: Any) -> list[Any]:
        from fixturekit.factory_batch import build_batch

        return build_batch(cls, size, cls._declared_names(kwargs))

    @classmethod
    def _batch_python_type(cls, name: str) -> type | None:
        from fixturekit.factory_django_target import python_type

        model = cls._meta.get_model_class()
        return python_type(model, (cls._meta.rename or {}).get(name, name))

    @classmethod
    def _batch_target(cls, fields: Any, extra: list[str]) -> Any:
        from fixturekit.factory_django_target import DjangoTarget

        return DjangoTarget(cls, fields, extra)

    @classmethod
    def _batch_savepoint(cls, session: DjangoSession) -> Any:
        from django.db import transaction

        return transaction.atomic(using=session.alias)

    @classmethod
    def _batch_forget(cls, session: DjangoSession, created: list[Any]) -> None:
        """A failed batch's rows are rolled back: its objects are unsaved again."""
        for obj in created:
            state = getattr(obj, "_state", None)
            if state is not None:
                state.adding = True
                obj.pk = None

    @classmethod
    def _batch_after_hooks(cls, session: DjangoSession, objs: list[Any]) -> None:
        """After post_generation hooks, factory_boy saves each instance again (unless
        `skip_postgeneration_save`): the hooks may have changed it. So does a batch."""
        if cls._meta.skip_postgeneration_save:
            return
        for obj in objs:
            obj.save(using=session.alias)
