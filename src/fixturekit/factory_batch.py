"""`create_batch` and `build_batch` at bulk speed, with the result of the per-row path.

A batch of n rows: the SubFactory parents first (n of each, as factory_boy makes them, again as
batches), then every generated column drawn with its strategy's bulk rendering, the few
declarations that cannot be drawn in bulk evaluated row by row, one multi-row INSERT ... RETURNING
per table, and finally the children and post-generation hooks. Sequences are reserved from the
factory's own counter, so `factory.Sequence` values continue where single rows left off.

What runs row by row (for that field only): a declaration that is not the one fixturekit
generated for its column (a user's LazyAttribute, Iterator, Faker...), an override given as a
declaration, and a generated column computed from one of those. post_generation hooks and
`link_many` run once per created row; RelatedFactory children are created as one batch.
What makes the whole batch fall back to factory_boy's per-row `create`: get-or-create factories,
overriding a Params parameter or Trait, a post-declaration kind not listed above, a declaration
for an attribute that is not a column, and factories that are not fixturekit's.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import factory
from factory.declarations import BaseDeclaration, PostGenerationContext, RelatedFactory

from fixturekit.factory_fields import FactoryFields, analyse, demote_dependents
from fixturekit.factory_targets import Unbatchable as _Unbatchable
from fixturekit.infer.strategies import PersonDerived
from fixturekit.values.batch import as_bulk, batch_seed, draw, to_python
from fixturekit.values.bulk import BulkError
from fixturekit.values.people import claim_unique
from fixturekit.values.pools import object_array

_FIELDS: dict[type, FactoryFields] = {}


def fields_of(factory_class: type) -> FactoryFields:
    fields = _FIELDS.get(factory_class)
    if fields is None:
        fields = _FIELDS[factory_class] = analyse(factory_class)
    return fields


def _is_batchable(factory_class: Any) -> bool:
    return isinstance(factory_class, type) and hasattr(factory_class, "_fixturekit_batches")


@dataclass
class _Call:
    """One call's overrides, sorted by what they apply to."""

    constants: dict[str, Any] = field(default_factory=dict)
    declared: dict[str, Any] = field(default_factory=dict)
    parents: dict[str, Any] = field(default_factory=dict)
    parent_kwargs: dict[str, dict[str, Any]] = field(default_factory=dict)
    post_values: dict[str, Any] = field(default_factory=dict)
    post_extra: dict[str, dict[str, Any]] = field(default_factory=dict)


def _sort_overrides(fields: FactoryFields, overrides: dict[str, Any]) -> _Call:
    call = _Call()
    for key, value in overrides.items():
        head, deep, rest = key.partition("__")
        if deep and head in fields.parents:
            call.parent_kwargs.setdefault(head, {})[rest] = value
        elif deep and head in fields.post:
            call.post_extra.setdefault(head, {})[rest] = value
        elif deep:
            raise _Unbatchable(f"{key} reaches into a declaration a batch does not draw")
        elif key in fields.parents:
            if isinstance(value, BaseDeclaration):
                raise _Unbatchable(f"{key} is overridden with a declaration")
            call.parents[key] = value
        elif key in fields.post:
            call.post_values[key] = value
        elif key in fields.parameters:
            raise _Unbatchable(f"{key} is a Params parameter")
        elif isinstance(value, BaseDeclaration):
            call.declared[key] = value
        else:
            call.constants[key] = value
    return call


def _reserve_sequence(factory_class: Any, count: int) -> int:
    meta = factory_class._meta
    meta._initialize_counter()
    first = meta._counter.seq
    meta._counter.seq += count
    return first


def _follow(obj: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


# --- values -----------------------------------------------------------------------------------


def draw_values(
    factory_class: Any,
    fields: FactoryFields,
    call: _Call,
    count: int,
    parents: dict[str, list[Any]],
    per_row: dict[str, list[Any]],
    first: int,
) -> dict[str, list[Any]]:
    """Every column's n Python values: constants, copies from parents, bulk draws, then the
    declarations evaluated row by row."""
    columns: dict[str, list[Any]] = {}
    given = {**{k: [v] * count for k, v in call.constants.items()}, **per_row}
    for name, value in fields.constants.items():
        columns[name] = [value] * count
    columns.update(given)
    for copy in fields.copies:
        if copy.name not in given:
            columns[copy.name] = [_follow(p, copy.path) for p in parents[copy.parent]]
    declared = {**fields.per_row, **call.declared}
    for name in given:
        declared.pop(name, None)
    bulk = [f for f in fields.bulk if f.name not in given and f.name not in call.declared]
    scratch = FactoryFields(factory_class, bulk=list(bulk), per_row=declared)
    demote_dependents(scratch, set(declared))
    table = fields.table_plan.table.key if fields.table_plan is not None else ""
    columns_by_field = {f.name: f.column for f in fields.bulk}
    earlier: dict[str, Any] = {}
    for name, values in given.items():
        column = columns_by_field.get(name)
        if column is not None:
            earlier[name] = earlier[column.name] = as_bulk(values, column)
    seed = batch_seed()
    pending = list(scratch.bulk)
    while pending:
        progressed = False
        for bulk_field in list(pending):
            if any(o not in earlier and o in columns_by_field for o in bulk_field.depends_on):
                continue  # drawn later in this loop
            try:
                values = draw(
                    bulk_field.strategy,
                    bulk_field.column,
                    count,
                    table=table,
                    first_sequence=first,
                    seed=seed,
                    earlier=earlier,
                )
            except BulkError:  # beyond what the bulk rendering can give: row by row
                pending.remove(bulk_field)
                scratch.per_row[bulk_field.name] = bulk_field.strategy.declaration()
                progressed = True
                continue
            strategy = bulk_field.strategy
            if isinstance(strategy, PersonDerived) and strategy.is_unique:
                # the same memory as `fv.person(unique=...)`: per-row and batch rows never clash
                values = object_array(
                    claim_unique(strategy.key, strategy.part, strategy.max_length, values)
                )
            earlier[bulk_field.name] = earlier[bulk_field.column.name] = values
            columns[bulk_field.name] = to_python(
                values, bulk_field.column, _python_type(factory_class, bulk_field.name)
            )
            pending.remove(bulk_field)
            progressed = True
        if not progressed:  # a dependency on a column nobody draws: let factory_boy say so
            for bulk_field in pending:
                scratch.per_row[bulk_field.name] = bulk_field.strategy.declaration()
            break
    if scratch.per_row:
        _evaluate_per_row(scratch.per_row, columns, parents, count, first)
    return columns


def _evaluate_per_row(
    declarations: dict[str, Any],
    columns: dict[str, list[Any]],
    parents: dict[str, list[Any]],
    count: int,
    first: int,
) -> None:
    """The declarations a batch cannot vectorise, through factory_boy, one row at a time; each
    sees the row's other values (and its parents) as factory_boy would show them."""
    row_factory = type("BatchRow", (factory.DictFactory,), dict(declarations))
    known = {**columns, **parents}
    names = list(known)
    results: dict[str, list[Any]] = {name: [] for name in declarations}
    for i, values in enumerate(zip(*known.values(), strict=True) if names else [()] * count):
        row = row_factory(__sequence=first + i, **dict(zip(names, values, strict=True)))
        for name in declarations:
            results[name].append(row[name])
    columns.update(results)


def _python_type(factory_class: Any, name: str) -> type | None:
    own = getattr(factory_class, "_batch_python_type", None)
    if own is not None:  # not a SQLAlchemy model (Django)
        return own(name)
    model = factory_class._meta.model
    try:
        from sqlalchemy import Table
        from sqlalchemy import inspect as sa_inspect

        if isinstance(model, Table):
            column = model.c[name]
        else:
            column = sa_inspect(model).columns[_renamed(factory_class, name)]
        return column.type.python_type
    except (KeyError, NotImplementedError, AttributeError, TypeError):
        return None


def _renamed(factory_class: Any, name: str) -> str:
    return (factory_class._meta.rename or {}).get(name, name)


# --- creating ---------------------------------------------------------------------------------


def create_batch(factory_class: Any, count: int, overrides: dict[str, Any]) -> list[Any]:
    """`count` rows in the factory's session, in creation order, keys populated."""
    if count <= 0:
        return []
    session = factory_class._session()
    created: list[Any] = []
    try:
        with factory_class._batch_savepoint(session):
            return _create(factory_class, count, overrides, {}, session, created)
    except Exception:
        factory_class._batch_forget(session, created)
        raise


def forget(session: Any, created: list[Any]) -> None:
    """A failed batch's objects leave the session: their rows are gone with the savepoint."""
    for obj in created:
        if obj in session:
            session.expunge(obj)


def _savepoint(session: Any) -> Any:
    """A savepoint around the batch, so a failed batch leaves the session usable.

    Not on SQLite outside a transaction: pysqlite would take the SAVEPOINT for the start of a
    transaction and commit it at RELEASE (the plugin's sessions always run inside one)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        driver = getattr(connection.connection, "driver_connection", None)
        if not getattr(driver, "in_transaction", False):
            return nullcontext()
    return session.begin_nested()


def _prepare(
    factory_class: Any, fields: FactoryFields, overrides: dict[str, Any], per_row: dict[str, Any]
) -> tuple[_Call, Any]:
    if fields.unbatchable:
        raise _Unbatchable(fields.unbatchable)
    call = _sort_overrides(fields, overrides)
    extra = [*call.constants, *call.declared, *(k for k in per_row if k not in fields.parents)]
    return call, factory_class._batch_target(fields, extra)


def _per_row_create(
    factory_class: Any, count: int, overrides: dict[str, Any], per_row: dict[str, list[Any]]
) -> list[Any]:
    return [
        factory_class.create(**overrides, **{k: v[i] for k, v in per_row.items()})
        for i in range(count)
    ]


def _create(
    factory_class: Any,
    count: int,
    overrides: dict[str, Any],
    per_row: dict[str, list[Any]],
    session: Any,
    created: list[Any],
) -> list[Any]:
    if not _is_batchable(factory_class):
        objs = _per_row_create(factory_class, count, overrides, per_row)
        created.extend(objs)
        return objs
    fields = fields_of(factory_class)
    try:
        call, target = _prepare(factory_class, fields, overrides, per_row)
    except _Unbatchable:
        objs = _per_row_create(factory_class, count, overrides, per_row)
        created.extend(objs)
        return objs
    first = _reserve_sequence(factory_class, count)
    parents: dict[str, list[Any]] = {}
    for name, sub in fields.parents.items():
        if name in per_row:
            parents[name] = per_row[name]
        elif name in call.parents:
            parents[name] = [call.parents[name]] * count
        else:
            kwargs = {**sub._defaults, **call.parent_kwargs.get(name, {})}
            parents[name] = _create(sub.get_factory(), count, kwargs, {}, session, created)
    values = {k: v for k, v in per_row.items() if k not in fields.parents}
    columns = draw_values(factory_class, fields, call, count, parents, values, first)
    objs = target.insert(session, columns, parents, count)
    created.extend(objs)
    _post_generation(fields, call, objs, session, created, create=True)
    return objs


_CREATE_STEP = SimpleNamespace(builder=SimpleNamespace(strategy=factory.enums.CREATE_STRATEGY))
_BUILD_STEP = SimpleNamespace(builder=SimpleNamespace(strategy=factory.enums.BUILD_STRATEGY))


def _post_generation(
    fields: FactoryFields,
    call: _Call,
    objs: list[Any],
    session: Any,
    created: list[Any],
    *,
    create: bool,
) -> None:
    hooks_ran = False
    for name, declaration in fields.post.items():
        provided = name in call.post_values
        extra = call.post_extra.get(name, {})
        if isinstance(declaration, RelatedFactory):
            if provided:
                continue
            size = getattr(declaration, "size", 1)
            sizes = [size if isinstance(size, int) else size() for _ in objs]
            children = [obj for obj, n in zip(objs, sizes, strict=True) for _ in range(n)]
            kwargs = {**declaration.defaults, **extra}
            per_row = {declaration.name: children} if declaration.name else {}
            if create:
                _create(declaration.get_factory(), len(children), kwargs, per_row, session, created)
            else:
                build_batch(declaration.get_factory(), len(children), kwargs, per_row)
            continue
        context = PostGenerationContext(provided, call.post_values.get(name), extra)
        for obj in objs:
            declaration.call(obj, _CREATE_STEP if create else _BUILD_STEP, context)
        hooks_ran = True
    if hooks_ran and create:
        fields.factory._batch_after_hooks(session, objs)


# --- building ---------------------------------------------------------------------------------


def build_batch(
    factory_class: Any,
    count: int,
    overrides: dict[str, Any],
    per_row: dict[str, list[Any]] | None = None,
) -> list[Any]:
    """`count` unsaved objects with the values `create_batch` would draw; parents are built too
    and set on the relationship, as factory_boy's build does."""
    per_row = per_row or {}
    if count <= 0:
        return []
    if _is_batchable(factory_class):
        fields = fields_of(factory_class)
        try:
            call, target = _prepare(factory_class, fields, overrides, per_row)
        except _Unbatchable:
            pass
        else:
            first = _reserve_sequence(factory_class, count)
            parents: dict[str, list[Any]] = {}
            for name, sub in fields.parents.items():
                if name in per_row:
                    parents[name] = per_row[name]
                elif name in call.parents:
                    parents[name] = [call.parents[name]] * count
                else:
                    kwargs = {**sub._defaults, **call.parent_kwargs.get(name, {})}
                    parents[name] = build_batch(sub.get_factory(), count, kwargs)
            values = {k: v for k, v in per_row.items() if k not in fields.parents}
            columns = draw_values(factory_class, fields, call, count, parents, values, first)
            objs = target.build(columns, parents, count)
            _post_generation(fields, call, objs, None, [], create=False)
            return objs
    return [
        factory_class.build(**overrides, **{k: v[i] for k, v in per_row.items()})
        for i in range(count)
    ]
