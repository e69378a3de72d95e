"""What a batch can draw in bulk: each declaration of a factory, sorted by how it gets values.

A declaration is drawn with the bulk rendering of its strategy only when it *is* the
declaration fixturekit generated for that column: same type, same arguments, same code. This is
checked by comparing it with the strategy's own `declaration()` (the runtime rendering of the
same source text), so a declaration the user rewrote in the keep region, or one generated with
other inference options, is never mistaken for the generated one: it is evaluated per row, for
that field only.
"""

from __future__ import annotations

import dis
import types
from dataclasses import dataclass, field
from typing import Any

import factory
from factory.declarations import (
    BaseDeclaration,
    PostGeneration,
    PostGenerationMethodCall,
    RelatedFactory,
    SelfAttribute,
    SubFactory,
)

from fixturekit.infer.plan import TablePlan
from fixturekit.infer.strategies import FromColumn, PersonDerived, Relative, Strategy
from fixturekit.schema.model import Column

# Per-row post-generation hooks a batch knows how to call (children it creates in bulk).
_POST_HOOKS = (PostGeneration, PostGenerationMethodCall, RelatedFactory)


@dataclass
class BulkField:
    """A column drawn with the bulk rendering of its strategy."""

    name: str
    strategy: Strategy
    column: Column

    @property
    def depends_on(self) -> tuple[str, ...]:
        """The fields whose values this one is computed from (a person's names, a relative)."""
        if isinstance(self.strategy, (Relative, FromColumn)):
            return (self.strategy.other,)
        if isinstance(self.strategy, PersonDerived):
            return self.strategy.sources
        return ()


@dataclass
class CopyField:
    """A foreign-key column copied from the row's parent: `SelfAttribute("order.id")`."""

    name: str
    parent: str
    path: tuple[str, ...]


@dataclass
class FactoryFields:
    """A factory's declarations, sorted for a batch."""

    factory: type
    bulk: list[BulkField] = field(default_factory=list)
    constants: dict[str, Any] = field(default_factory=dict)
    copies: list[CopyField] = field(default_factory=list)
    per_row: dict[str, Any] = field(default_factory=dict)  # name -> declaration
    parents: dict[str, SubFactory] = field(default_factory=dict)
    parameters: set[str] = field(default_factory=set)  # Params: never written to the row
    post: dict[str, Any] = field(default_factory=dict)
    table_plan: TablePlan | None = None
    unbatchable: str | None = None  # why the whole factory runs row by row

    @property
    def columns(self) -> list[str]:
        """Names written to the row, in declaration order."""
        names = [f.name for f in self.bulk] + list(self.constants) + [c.name for c in self.copies]
        names += list(self.per_row)
        return [n for n in names if n not in self.parameters]


# --- the plan behind a factory ----------------------------------------------------------------

_PLANS: dict[int, tuple[Any, Any]] = {}


def table_plan_of(factory_class: type) -> TablePlan | None:
    """The inference plan the factory was rendered from (None when it cannot be found).

    Runtime factories carry theirs; a generated factory's is inferred again from its model's
    MetaData with default options, once per MetaData.
    """
    carried = getattr(factory_class, "_fixturekit_plan", None)
    if carried is not None:
        return carried
    find = getattr(factory_class, "_fixturekit_find_plan", None)
    if find is not None:  # a Django factory: its models are read by the Django reader
        return find()
    model = factory_class._meta.model
    if model is None:
        return None
    from sqlalchemy import Table
    from sqlalchemy import inspect as sa_inspect

    if isinstance(model, Table):
        metadata, classes, key = model.metadata, [], model.fullname
    else:
        mapper = sa_inspect(model, raiseerr=False)
        if mapper is None or not hasattr(mapper, "local_table"):
            return None
        metadata = mapper.local_table.metadata
        classes = [m.class_ for m in mapper.registry.mappers]
        key = mapper.local_table.fullname
    cached = _PLANS.get(id(metadata))
    if cached is None or cached[0] is not metadata:
        from fixturekit.infer.tables import plan_schema
        from fixturekit.schema.sqlalchemy import read_metadata

        source = getattr(model, "__module__", "")
        plan = plan_schema(read_metadata(metadata, classes, source=source))
        cached = _PLANS[id(metadata)] = (metadata, plan)
    plan = cached[1]
    return plan.tables.get(key)


# --- recognising the generated declaration -----------------------------------------------------

_DERIVED = {"_creation_counter", "choices"}  # filled by factory_boy after creation


def fingerprint(value: Any) -> Any:
    """A comparable picture of a declaration: its type, arguments and code, not its identity."""
    if isinstance(value, types.FunctionType):
        closure = tuple(fingerprint(c.cell_contents) for c in value.__closure__ or ())
        return ("fn", _code(value.__code__), closure, fingerprint(value.__defaults__))
    if isinstance(value, BaseDeclaration):
        items = sorted((k, fingerprint(v)) for k, v in vars(value).items() if k not in _DERIVED)
        return (type(value).__module__, type(value).__qualname__, tuple(items))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, fingerprint(v)) for k, v in value.items())))
    return ("value", type(value).__qualname__, repr(value))


# Bytecode that differs between a lambda compiled in a module and the same lambda evaluated
# (method-call forms, caches, argument counting), not between two different expressions.
_NOISE = {"CACHE", "RESUME", "PUSH_NULL", "PRECALL", "KW_NAMES", "NOP", "EXTENDED_ARG"}
_NOISE |= {"COPY_FREE_VARS", "MAKE_CELL"}
_ALIASES = {"LOAD_METHOD": "LOAD_ATTR", "CALL_METHOD": "CALL", "CALL_FUNCTION": "CALL"}
_ALIASES |= {"CALL_FUNCTION_KW": "CALL", "CALL_KW": "CALL"}
_JUMPS = set(dis.hasjrel) | set(dis.hasjabs)


def _code(code: types.CodeType) -> Any:
    steps = []
    for instruction in dis.get_instructions(code):
        if instruction.opname in _NOISE:
            continue
        name = _ALIASES.get(instruction.opname, instruction.opname)
        argument = instruction.argval
        if instruction.opcode in _JUMPS or name == "CALL":
            steps.append((name,))
        elif isinstance(argument, types.CodeType):
            steps.append((name, _code(argument)))
        else:
            steps.append((name, repr(argument)))
    consts = tuple(_code(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts)
    return (tuple(steps), code.co_varnames, consts)


_EXPECTED: dict[Strategy, Any] = {}  # strategy -> fingerprint of its runtime declaration


def _expected(strategy: Strategy) -> Any:
    """The fingerprint of the strategy's own declaration, once per strategy: evaluating it
    compiles its source, the dearest step of sorting a factory's fields. Strategies are frozen
    values, so equal ones render the same source and get the same fingerprint."""
    try:
        return _EXPECTED[strategy]
    except KeyError:
        pass
    except TypeError:  # a strategy holding an unhashable value: not cached
        return fingerprint(strategy.declaration())
    expected = _EXPECTED[strategy] = fingerprint(strategy.declaration())
    return expected


def is_generated(declaration: Any, strategy: Strategy) -> bool:
    try:
        expected = _expected(strategy)
    except Exception:
        return False
    return fingerprint(declaration) == expected


# --- sorting a factory's declarations ---------------------------------------------------------


def _copy_source(declaration: SelfAttribute, parents: dict[str, Any]) -> tuple[str, ...] | None:
    if declaration.depth != 1:
        return None
    path = tuple(declaration.attribute_name.split("."))
    if len(path) < 2 or path[0] not in parents:
        return None
    return path


def analyse(factory_class: type) -> FactoryFields:
    meta = factory_class._meta
    fields = FactoryFields(factory_class)
    if getattr(meta, "sqlalchemy_get_or_create", ()):
        fields.unbatchable = "sqlalchemy_get_or_create looks each row up first"
    pre = meta.pre_declarations.as_dict()
    fields.parameters = set(meta.parameters)
    fields.table_plan = table_plan_of(factory_class)
    planned: dict[str, Any] = {}
    if fields.table_plan is not None:
        for field_plan in fields.table_plan.factory_fields:
            if field_plan.strategy is not None:
                planned[field_plan.attribute] = field_plan
    for name, declaration in pre.items():
        if isinstance(declaration, SubFactory):
            fields.parents[name] = declaration
            if _reads_the_row(declaration):
                # a parent made from this row's values (a permission of the row's content
                # type): it cannot be drawn as a batch of its own, before the rows exist
                fields.unbatchable = f"{name} is made from the row's own values"
    for name, declaration in pre.items():
        if name in fields.parents:
            continue
        if isinstance(declaration, factory.Trait):
            fields.parameters.add(name)
            continue
        if not isinstance(declaration, BaseDeclaration):
            fields.constants[name] = declaration
            continue
        if isinstance(declaration, SelfAttribute):
            path = _copy_source(declaration, fields.parents)
            if path is not None:
                fields.copies.append(CopyField(name, path[0], path[1:]))
                continue
        field_plan = planned.get(name)
        if field_plan is not None and is_generated(declaration, field_plan.strategy):
            fields.bulk.append(BulkField(name, field_plan.strategy, field_plan.column))
        else:
            fields.per_row[name] = declaration
    for name, declaration in meta.post_declarations.as_dict().items():
        if not isinstance(declaration, _POST_HOOKS):
            fields.unbatchable = f"{name} is a {type(declaration).__name__}"
        fields.post[name] = declaration
    demote_dependents(fields, set(fields.per_row))
    return fields


def demote_dependents(fields: FactoryFields, per_row_names: set[str]) -> list[BulkField]:
    """Bulk fields computed from a per-row field must wait for it: they go per row too.

    Returns the demoted fields (the caller decides where they go for one call)."""
    demoted: list[BulkField] = []
    changed = True
    while changed:
        changed = False
        for bulk_field in list(fields.bulk):
            if any(name in per_row_names for name in bulk_field.depends_on):
                fields.bulk.remove(bulk_field)
                declaration = bulk_field.strategy.declaration()
                fields.per_row[bulk_field.name] = declaration
                per_row_names.add(bulk_field.name)
                demoted.append(bulk_field)
                changed = True
    return demoted


def _reads_the_row(sub: SubFactory) -> bool:
    """A SubFactory given declarations that reach back into the factory using it
    (`SelfAttribute("..content_type")`)."""
    extra = getattr(sub, "_defaults", None) or {}
    return any(isinstance(d, SelfAttribute) and d.depth > 1 for d in extra.values())
