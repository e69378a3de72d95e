"""Which inference plan a model's strategies come from: the one factories use.

SQLAlchemy models and Core tables share the runtime factories' plan (`factory_for` and
`fixturekit generate` read the same one), so a strategy and a factory cannot disagree about a
column. Django models are read with the Django reader and planned the same way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer.plan import SchemaPlan, TablePlan


class NotAModel(FixturekitError):
    """What was passed is neither a mapped class, a Core Table nor a Django model."""


@dataclass(frozen=True)
class ModelPlan:
    """A schema plan plus how to build an instance of each of its tables."""

    plan: SchemaPlan
    classes: dict[str, Any]  # Table.key -> model class; Core-only tables are absent
    tables: dict[str, Any]  # Table.key -> the ORM's table object (SQLAlchemy Core rows)
    django: bool = False

    def table_plan(self, key: str) -> TablePlan:
        return self.plan.table(key)


def _is_django_model(model: Any) -> bool:
    meta = getattr(model, "_meta", None)
    return isinstance(model, type) and meta is not None and hasattr(meta, "concrete_fields")


def model_plan(model: Any, related: tuple[str, ...] = ()) -> tuple[ModelPlan, str]:
    """The plan that covers `model` and the key of its table in it.

    `related` names relations whose models the plan must cover too (a graph's children): a
    Django plan is read from the model and what it references, not from every app.
    """
    if _is_django_model(model):
        labels = [model._meta.label]
        for name in related:
            try:
                labels.append(model._meta.get_field(name).related_model._meta.label)
            except Exception:  # an unknown name: graphs() says which relations exist
                continue
        return _django_plan(tuple(labels)), _django_key(model)
    from sqlalchemy import Table
    from sqlalchemy import inspect as sa_inspect

    if isinstance(model, Table):
        return _core_plan(model.metadata), model.fullname
    mapper = sa_inspect(model, raiseerr=False) if isinstance(model, type) else None
    if mapper is None or not hasattr(mapper, "registry"):
        raise NotAModel(
            f"{model!r} is not a mapped SQLAlchemy class, a Core Table or a Django model.",
            hint="Pass the model class itself, e.g. rows(User) or objects(Order).",
        )
    classes = tuple(m.class_ for m in mapper.registry.mappers)
    return _sqlalchemy_plan(mapper.local_table.metadata, classes), mapper.local_table.fullname


def _sqlalchemy_plan(metadata: Any, classes: tuple[type, ...]) -> ModelPlan:
    from fixturekit.runtime import factories_for_metadata

    runtime = factories_for_metadata(metadata, list(classes))
    return ModelPlan(
        plan=runtime.plan,
        classes=dict(runtime.classes),
        tables={t.fullname: t for t in metadata.sorted_tables},
    )


_CORE_PLANS: dict[int, tuple[Any, ModelPlan]] = {}


def _core_plan(metadata: Any) -> ModelPlan:
    """Rows of Core tables need no classes: every table of the metadata is planned as a table."""
    cached = _CORE_PLANS.get(id(metadata))
    if cached is None or cached[0] is not metadata:
        from fixturekit.infer.tables import plan_schema
        from fixturekit.schema.sqlalchemy import read_metadata

        plan = plan_schema(read_metadata(metadata, []))
        tables = {t.fullname: t for t in metadata.sorted_tables}
        cached = (metadata, ModelPlan(plan=plan, classes={}, tables=tables))
        _CORE_PLANS[id(metadata)] = cached
    return cached[1]


def _django_key(model: Any) -> str:
    from fixturekit.schema.django import read_model

    return read_model(model._meta.concrete_model).key


@functools.lru_cache(maxsize=64)
def _django_plan(labels: tuple[str, ...]) -> ModelPlan:
    from django.apps import apps

    from fixturekit.infer.tables import plan_schema
    from fixturekit.schema.django import read_models

    schema = read_models([apps.get_model(label) for label in labels])
    plan = plan_schema(schema)
    classes = {}
    for table in schema:
        if table.model is not None:
            from fixturekit.infer.strategies import resolve_ref

            classes[table.key] = resolve_ref(table.model)
    return ModelPlan(plan=plan, classes=classes, tables={}, django=True)
