"""Runtime factories: `factory_for(Model)` builds the factory `fixturekit generate` would write.

Both read the same TablePlan and the same strategies; the runtime side puts each strategy's
`declaration()` on a class built with `type()` where the generated side writes `source()`.
Factories for one model graph live in a synthetic module registered in `sys.modules`, so they
can refer to each other lazily by dotted path, exactly as generated modules do.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import factory
import factory.alchemy

from fixturekit.factories import ModelFactory, OriginalNames, TableFactory, link_many
from fixturekit.factory_generic import polymorphic_key
from fixturekit.infer.plan import SchemaPlan, TablePlan
from fixturekit.infer.rules import InferenceOptions
from fixturekit.infer.strategies import PolymorphicKey
from fixturekit.naming import (
    factory_key,
    factory_names,
    relationship_declaration,
)
from fixturekit.schema.model import Schema

_SETS: dict[tuple[int, str], RuntimeFactories] = {}
_session: Any = None


def _current_session():
    if _session is None:
        raise RuntimeError(
            "No session is bound to runtime factories: call fixturekit.runtime.bind_session("
            "session) or pass session= to factory_for (the pytest plugin binds db_session)."
        )
    return _session


def bind_session(session: Any) -> None:
    """Create the rows of every runtime factory in `session` (None unbinds)."""
    global _session
    _session = session


class RuntimeFactories:
    """All factories for one MetaData, built once and kept in a module of their own."""

    def __init__(
        self, plan: SchemaPlan, module_name: str, metadata: Any, classes: list[type] = ()
    ) -> None:
        self.plan = plan
        self.metadata = metadata
        # the classes themselves: a class defined inside a function cannot be imported by name
        self.classes = {_table_of(cls): cls for cls in classes}
        self.schema: Schema = plan.schema
        self.module = types.ModuleType(module_name)
        sys.modules[module_name] = self.module
        self.factories: dict[str, type] = {}
        self.names = factory_names(self.schema)
        for table_plan in plan:
            cls = self._build(table_plan)
            setattr(self.module, cls.__name__, cls)
            self.factories[factory_key(table_plan.table)] = cls
        self.module.FACTORIES = self.factories

    def _path(self, table_key: str) -> str:
        return f"{self.module.__name__}.{self.names[table_key]}"

    def _build(self, plan: TablePlan) -> type:
        table = plan.table
        # the plan the declarations come from: batches draw these fields in bulk
        attrs: dict[str, Any] = {"__module__": self.module.__name__, "_fixturekit_plan": plan}
        params: dict[str, Any] = {}
        if table.model is not None:
            from fixturekit.infer.strategies import resolve_ref

            model = self.classes.get(table.key) or resolve_ref(table.model)
            base: type = ModelFactory
        else:
            model = self.metadata.tables[table.key]
            base = TableFactory
        meta = {
            "model": model,
            "sqlalchemy_session_factory": _current_session,
            "sqlalchemy_session_persistence": "flush",
        }
        if plan.renames:
            meta["rename"] = plan.renames
        if plan.get_or_create and table.model is not None:
            meta["sqlalchemy_get_or_create"] = plan.get_or_create
        attrs["Meta"] = type("Meta", (), meta)
        for field in plan.factory_fields:
            if isinstance(field.strategy, PolymorphicKey):  # names this module's factories
                attrs[field.attribute] = polymorphic_key(
                    field.strategy.selector,
                    {
                        value: (f"{self.module.__name__}.{name}", key)
                        for value, name, key in field.strategy.choices
                    },
                )
            elif field.strategy is not None:
                attrs[field.attribute] = field.strategy.declaration()
        for link in plan.factory_parents:
            if link.empty:
                continue
            sub = factory.SubFactory(self._path(link.parent))
            if link.relationship:
                attrs[link.name] = sub
                continue
            params[link.name] = sub
            parent = self.schema.table(link.parent)
            for column, referred in zip(link.fk.columns, link.fk.referred_columns, strict=True):
                attrs[table.column(column).python_name] = factory.SelfAttribute(
                    f"{link.name}.{parent.column(referred).key}"
                )
        for children in plan.children:
            low, high = children.min_count, children.max_count
            size: Any = low if low == high else _size_between(low, high)
            declared = relationship_declaration(children.relationship.name)
            attrs[declared] = factory.RelatedFactoryList(
                self._path(children.child),
                factory_related_name=children.parent_attribute,
                size=size,
            )
        for m2m in plan.factory_many_to_many:
            declared = relationship_declaration(m2m.relationship.name)
            attrs[declared] = link_many(m2m.relationship.name, self._path(m2m.target))
        if params:
            attrs["Params"] = type("Params", (), params)
        bases = (OriginalNames, base) if plan.renames else (base,)
        return type(self.names[table.key], bases, attrs)


def _table_of(cls: type) -> str:
    from sqlalchemy import inspect as sa_inspect

    return sa_inspect(cls).local_table.fullname


def _size_between(low: int, high: int):
    from fixturekit import values as fv

    return lambda: fv.integer(low, high)


def factories_for_metadata(
    metadata: Any, classes: list[type], source: str = "", options: InferenceOptions | None = None
) -> RuntimeFactories:
    """The runtime factory set for a MetaData (built on first use, then cached)."""
    # The set holds the metadata itself, so its id cannot be reused while cached.
    key = (id(metadata), repr(options))
    if key not in _SETS:
        from fixturekit.infer.tables import plan_schema
        from fixturekit.schema.sqlalchemy import read_metadata

        schema = read_metadata(metadata, classes, source=source)
        _SETS[key] = RuntimeFactories(
            plan_schema(schema, options),
            f"fixturekit._runtime_factories_{len(_SETS)}",
            metadata,
            classes,
        )
    return _SETS[key]


def factory_for(model: Any, session: Any = None, options: InferenceOptions | None = None):
    """A factory_boy factory for a mapped class (or a Core Table), inferred at run time.

    The factory is the one `fixturekit generate` writes for the model: same strategies, same
    parents, flush persistence. Passing `session` binds every runtime factory to it (as
    `fixturekit.runtime.bind_session` does; the pytest plugin binds `db_session`).
    """
    from sqlalchemy import Table
    from sqlalchemy import inspect as sa_inspect

    if isinstance(model, Table):
        metadata, classes, key = model.metadata, [], model.fullname
    else:
        mapper = sa_inspect(model, raiseerr=False)
        if mapper is None or not hasattr(mapper, "registry"):
            raise TypeError(f"{model!r} is not a mapped SQLAlchemy class or a Table")
        metadata = mapper.local_table.metadata
        # the asked-for class writes its table, even where a subclass maps more of its columns
        classes = [model] + [
            m.class_ for m in mapper.registry.mappers if m.local_table is not mapper.local_table
        ]
        key = model.__name__
    runtime = factories_for_metadata(
        metadata, classes, source=getattr(model, "__module__", ""), options=options
    )
    built = runtime.factories.get(key)
    if built is None:
        raise LookupError(f"no factory for {key!r}: it is not part of its MetaData's tables")
    if session is not None:
        bind_session(session)
    return built
