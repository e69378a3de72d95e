"""Runtime building blocks shared by generated factory modules and `factory_for`.

`ModelFactory` is the base of every fixturekit factory for SQLAlchemy: factory_boy's
SQLAlchemyModelFactory with `create_batch`/`build_batch` at bulk speed
(`fixturekit.factory_batch`) and `create_async`/`create_batch_async` for an AsyncSession
(`fixturekit.factory_async`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import factory.alchemy
from sqlalchemy import insert

from fixturekit.construct import construct
from fixturekit.factory_async import (
    AsyncFactoryError,
    bind_async_session,
    current_sync_session,
    refuse_sync_in_async,
    run_async,
)

__all__ = [
    "AsyncFactoryError",
    "ModelFactory",
    "TableFactory",
    "TableRow",
    "bind_async_session",
    "link_many",
]


class TableRow(SimpleNamespace):
    """A row inserted into a Core table: its values as attributes, primary key included."""


class ModelFactory(factory.alchemy.SQLAlchemyModelFactory):
    """A SQLAlchemy model factory whose batches are drawn and inserted in bulk.

    `create_batch(n, **overrides)` returns what n calls of `create(**overrides)` would: the
    same overrides on every row, parents made per row unless one is passed in, unique values
    continuing the factory's sequence; only much faster. `build_batch` draws the same values
    without inserting. `await create_async(...)`/`create_batch_async(n, ...)` create through
    the bound AsyncSession.
    """

    class Meta:
        abstract = True

    _fixturekit_batches = True  # the batch path knows this factory's declarations

    @classmethod
    def _session(cls) -> Any:
        session = current_sync_session()
        if session is not None:
            return session
        refuse_sync_in_async(cls)
        meta = cls._meta
        if meta.sqlalchemy_session_factory is not None:
            return meta.sqlalchemy_session_factory()
        if meta.sqlalchemy_session is None:
            raise RuntimeError(f"No session is bound to {cls.__name__}.")
        return meta.sqlalchemy_session

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        session = cls._session()
        if cls._meta.sqlalchemy_get_or_create:
            return cls._get_or_create(model_class, session, args, kwargs)
        return cls._save(model_class, session, args, kwargs)

    @classmethod
    def _build(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        return construct(model_class, *args, **kwargs)

    @classmethod
    def _save(cls, model_class: Any, session: Any, args: Any, kwargs: Any) -> Any:
        obj = construct(model_class, *args, **kwargs)
        session.add(obj)
        if cls._meta.sqlalchemy_session_persistence == "commit":
            session.commit()
        elif cls._meta.sqlalchemy_session_persistence == "flush":
            session.flush()
        return obj

    @classmethod
    def create_batch(cls, size: int, **kwargs: Any) -> list[Any]:
        from fixturekit.factory_batch import create_batch

        return create_batch(cls, size, kwargs)

    @classmethod
    def build_batch(cls, size: int, **kwargs: Any) -> list[Any]:
        from fixturekit.factory_batch import build_batch

        return build_batch(cls, size, kwargs)

    @classmethod
    async def create_async(cls, **kwargs: Any) -> Any:
        return await run_async(cls, lambda: cls.create(**kwargs))

    @classmethod
    async def create_batch_async(cls, size: int, **kwargs: Any) -> list[Any]:
        return await run_async(cls, lambda: cls.create_batch(size, **kwargs))

    @classmethod
    def _batch_savepoint(cls, session: Any) -> Any:
        from fixturekit.factory_batch import _savepoint

        return _savepoint(session)

    @classmethod
    def _batch_forget(cls, session: Any, created: list[Any]) -> None:
        from fixturekit.factory_batch import forget

        forget(session, created)

    @classmethod
    def _batch_after_hooks(cls, session: Any, objs: list[Any]) -> None:
        session.flush()  # what the hooks changed goes out, as one flush

    @classmethod
    def _batch_target(cls, fields: Any, extra: list[str]) -> Any:
        from fixturekit.factory_targets import MappedTarget

        return MappedTarget(cls, fields, extra)


class TableFactory(ModelFactory):
    """A factory for a Core `Table` with no mapped class: rows go in with INSERT.

    `Meta.model` is the Table. The session comes from the same session factory as the model
    factories, so rows vanish with the test's transaction like everything else.
    """

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class, *args: Any, **kwargs: Any) -> TableRow:
        return TableRow(**kwargs)

    @classmethod
    def _batch_target(cls, fields: Any, extra: list[str]) -> Any:
        from fixturekit.factory_targets import TableTarget

        return TableTarget(cls, fields, extra)

    @classmethod
    def _save(cls, model_class, session, args, kwargs) -> TableRow:
        result = session.execute(insert(model_class).values(**kwargs))
        row = dict(kwargs)
        keys = [column.key for column in model_class.primary_key.columns]
        row.update(zip(keys, result.inserted_primary_key or (), strict=False))
        return TableRow(**row)


def link_many(attribute: str, target: str | type):
    """A post-generation hook for a many-to-many relationship.

    `attribute=[obj, ...]` links existing rows; `attribute=3` creates three with the target
    factory (a class or a dotted path, resolved when first used).
    """

    def hook(obj, create, extracted, **kwargs):
        if not create or not extracted:
            return
        if isinstance(extracted, int):
            target_factory = target
            if isinstance(target, str):
                module, _, name = target.rpartition(".")
                target_factory = factory.utils.import_object(module, name)
            extracted = target_factory.create_batch(extracted, **kwargs)
        collection = getattr(obj, attribute)
        add = getattr(collection, "append", None) or collection.add
        for item in extracted:
            add(item)

    return factory.PostGeneration(hook)


class OriginalNames:
    """Mixin for factories with renamed declarations (`Meta.rename`): the model's own names work.

    factory_boy cannot declare `_token` as a plain value or `create` at all, so such attributes
    are declared as `token_` and `create_` and renamed back; a caller's `_token=` or `create=`
    is mapped to the declaration before building, so it overrides the generated value.
    """

    @classmethod
    def _generate(cls, strategy, params):
        declared = {model: name for name, model in cls._meta.rename.items()}
        params = {declared.get(key, key): value for key, value in params.items()}
        return super()._generate(strategy, params)
