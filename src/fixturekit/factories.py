"""Runtime building blocks shared by generated factory modules and `factory_for`."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import factory.alchemy
from sqlalchemy import insert


class TableRow(SimpleNamespace):
    """A row inserted into a Core table: its values as attributes, primary key included."""


class TableFactory(factory.alchemy.SQLAlchemyModelFactory):
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
