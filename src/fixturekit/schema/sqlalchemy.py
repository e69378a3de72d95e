"""Read SQLAlchemy tables and mapped classes into the neutral schema model."""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import importlib
import uuid
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    Index,
    Integer,
    Interval,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy import Table as SATable
from sqlalchemy.orm import Mapper, RelationshipDirection
from sqlalchemy.sql.type_api import TypeEngine

from fixturekit.mapped_classes import is_module_attribute
from fixturekit.schema.defaults import callable_name, python_default, server_default
from fixturekit.schema.loading import LoadedModels
from fixturekit.schema.model import (
    Check,
    Column,
    ColumnType,
    DefaultForm,
    DefaultValue,
    ForeignKey,
    Kind,
    PythonRef,
    RelationKind,
    Relationship,
    Schema,
    Table,
    Unique,
)
from fixturekit.schema.properties import property_setter
from fixturekit.schema.sqlalchemy_mapping import (
    json_shape,
    mapper_for,
    metadata_ref,
    polymorphic_references,
)
from fixturekit.schema.validation import field_constraints

_NAMED_KINDS = {  # dialect types recognised by their visit name, so no dialect import is needed
    "INET": Kind.INET,
    "CIDR": Kind.CIDR,
    "MACADDR": Kind.MACADDR,
    "MACADDR8": Kind.MACADDR,
    "UUID": Kind.UUID,
    "JSONB": Kind.JSON,
    "TSVECTOR": Kind.TEXT,  # PostgreSQL parses plain words into a tsvector
    "XML": Kind.TEXT,  # text with no markup is valid XML content
    "OID": Kind.INTEGER,
    "INTERVAL": Kind.INTERVAL,  # PostgreSQL's reflected INTERVAL is not an sqltypes.Interval
    "REGCLASS": Kind.UNKNOWN,
}

# Types whose values need a particular shape: (kind, semantic hint for the inference).
_SHAPED_KINDS = {
    "MONEY": (Kind.NUMERIC, None),
    "HSTORE": (Kind.JSON, "string_map"),
    "YEAR": (Kind.SMALLINT, "year"),
    "BIT": (Kind.STRING, "bits"),
    "VARBIT": (Kind.STRING, "bits"),
}


def _sql_text(sa_type: TypeEngine, dialect: Any = None) -> str:
    try:
        return sa_type.compile(dialect=dialect) if dialect else str(sa_type)
    except Exception:
        return type(sa_type).__name__


def column_type(sa_type: TypeEngine, dialect: Any = None) -> ColumnType:
    """Map a SQLAlchemy type (generic or dialect-specific) to a ColumnType."""
    sql = _sql_text(sa_type, dialect)
    if isinstance(sa_type, Interval):  # a TypeDecorator over DateTime on most dialects
        return ColumnType(Kind.INTERVAL, sql=sql)
    if isinstance(sa_type, TypeDecorator):
        return decorated_type(sa_type, dialect)

    visit = getattr(sa_type, "__visit_name__", "").upper()
    if isinstance(sa_type, Enum):
        cls = sa_type.enum_class
        ref = members = None
        if cls is not None and issubclass(cls, enum.Enum):
            ref = PythonRef(cls.__module__, cls.__qualname__)
            members = tuple(cls.__members__)
            if len(members) != len(sa_type.enums):
                members = tuple(m.name for m in cls)
        return ColumnType(
            Kind.ENUM,
            enum_values=tuple(sa_type.enums),
            enum_class=ref,
            enum_members=members or (),
            length=sa_type.length,
            sql=sql,
        )
    if isinstance(sa_type, ARRAY):
        return ColumnType(
            Kind.ARRAY,
            item=column_type(sa_type.item_type, dialect),
            dimensions=sa_type.dimensions or 1,
            sql=sql,
        )
    if isinstance(sa_type, JSON) or visit in ("JSON", "JSONB"):
        return ColumnType(Kind.JSON, binary_json=visit == "JSONB", sql=sql)
    if visit in _NAMED_KINDS:
        return ColumnType(_NAMED_KINDS[visit], sql=sql)
    if visit in _SHAPED_KINDS:
        kind, semantic = _SHAPED_KINDS[visit]
        length = getattr(sa_type, "length", None)
        if visit == "BIT" and "mysql" in type(sa_type).__module__:
            # MySQL BIT(n) takes integers; BIT(1) is how MySQL spells a flag
            if (length or 1) == 1:
                return ColumnType(Kind.BOOLEAN, sql=sql)
            return ColumnType(Kind.BIGINT, unsigned=True, sql=sql)
        if visit == "MONEY":
            return ColumnType(kind, precision=12, scale=2, sql=sql)
        return ColumnType(
            kind, length=length or (1 if semantic == "bits" else None), shape=semantic, sql=sql
        )
    if visit == "SET":  # MySQL SET: any single member is a valid value
        return ColumnType(Kind.ENUM, enum_values=tuple(getattr(sa_type, "values", ())), sql=sql)
    if isinstance(sa_type, Boolean):
        return ColumnType(Kind.BOOLEAN, sql=sql)
    if isinstance(sa_type, Uuid):
        return ColumnType(Kind.UUID, sql=sql)
    if isinstance(sa_type, Interval):
        return ColumnType(Kind.INTERVAL, sql=sql)
    if isinstance(sa_type, DateTime):
        return ColumnType(Kind.DATETIME, timezone=bool(sa_type.timezone), sql=sql)
    if isinstance(sa_type, Date):
        return ColumnType(Kind.DATE, sql=sql)
    if isinstance(sa_type, Time):
        return ColumnType(Kind.TIME, timezone=bool(getattr(sa_type, "timezone", False)), sql=sql)
    if isinstance(sa_type, Float):
        return ColumnType(Kind.FLOAT, precision=sa_type.precision, sql=sql)
    if isinstance(sa_type, Numeric):
        if sa_type.scale == 0 and sa_type.precision is None:
            return ColumnType(Kind.INTEGER, sql=sql)
        return ColumnType(Kind.NUMERIC, precision=sa_type.precision, scale=sa_type.scale, sql=sql)
    if isinstance(sa_type, BigInteger):
        return ColumnType(Kind.BIGINT, unsigned=bool(getattr(sa_type, "unsigned", False)), sql=sql)
    if isinstance(sa_type, SmallInteger):
        unsigned = bool(getattr(sa_type, "unsigned", False))
        if visit == "TINYINT":
            return ColumnType(Kind.SMALLINT, precision=3, unsigned=unsigned, sql=sql)
        return ColumnType(Kind.SMALLINT, unsigned=unsigned, sql=sql)
    if isinstance(sa_type, Integer):
        if visit == "TINYINT":
            return ColumnType(Kind.SMALLINT, precision=3, sql=sql)
        return ColumnType(Kind.INTEGER, unsigned=bool(getattr(sa_type, "unsigned", False)), sql=sql)
    if isinstance(sa_type, Text):
        return ColumnType(Kind.TEXT, length=sa_type.length, sql=sql)
    if isinstance(sa_type, String):
        return ColumnType(Kind.STRING, length=sa_type.length, sql=sql)
    if isinstance(sa_type, LargeBinary):
        return ColumnType(Kind.BINARY, length=sa_type.length, sql=sql)
    named = type(sa_type).__name__
    return ColumnType(Kind.UNKNOWN, sql=sql if named.upper() == sql.upper() else f"{named} ({sql})")


# Python types a TypeDecorator may declare (`python_type`) over a type stored as text or bytes.
_PYTHON_KINDS = {
    uuid.UUID: Kind.UUID,
    dict: Kind.JSON,
    list: Kind.JSON,
    bool: Kind.BOOLEAN,
    int: Kind.INTEGER,
    float: Kind.FLOAT,
    decimal.Decimal: Kind.NUMERIC,
    datetime.datetime: Kind.DATETIME,
    datetime.date: Kind.DATE,
    datetime.time: Kind.TIME,
    datetime.timedelta: Kind.INTERVAL,
}
_STORED_AS_TEXT = frozenset({Kind.STRING, Kind.TEXT, Kind.BINARY, Kind.UNKNOWN})
_DIALECTS = ("postgresql", "mysql", "sqlite")


@functools.cache
def _known_dialect(name: str) -> Any:
    module = importlib.import_module(f"sqlalchemy.dialects.{name}")
    return module.dialect()


def _dialect_impl(sa_type: TypeDecorator, dialect: Any) -> TypeEngine | None:
    try:
        impl = sa_type.load_dialect_impl(dialect)
    except Exception:
        return None
    return impl if isinstance(impl, TypeEngine) else None


def _declared_python_type(sa_type: TypeDecorator) -> type | None:
    try:
        declared = sa_type.python_type
    except Exception:
        return None
    return declared if isinstance(declared, type) and declared is not object else None


def _json_round_trip(sa_type: TypeDecorator, dialect: Any) -> str | None:
    """ "json_object"/"json_array" for a decorator that stores JSON as text (jupyterhub's
    JSONDict, JSONList): an object or array it writes as text and reads back unchanged."""
    if type(sa_type).process_bind_param is TypeDecorator.process_bind_param:
        return None
    dialect = dialect or _known_dialect("postgresql")
    samples = (("json_object", {"fixturekit": [1, "a"]}), ("json_array", [{"fixturekit": 1}]))
    for shape, sample in samples:
        try:
            stored = sa_type.process_bind_param(sample, dialect)
            if isinstance(stored, str | bytes) and (
                sa_type.process_result_value(stored, dialect) == sample
            ):
                return shape
        except Exception:
            continue
    return None


def decorated_type(sa_type: TypeDecorator, dialect: Any = None) -> ColumnType:
    """A TypeDecorator as the values it takes: what its Python side says, else its storage.

    The storage is the target dialect's `load_dialect_impl` (the declared `impl` when no
    dialect is known). A type stored as UUID on one dialect and CHAR(36) on another (the usual
    GUID recipe) takes UUID objects everywhere, so a UUID on any known dialect makes it one;
    `python_type` (uuid.UUID, dict, an Enum class, ...) wins over a text or bytes storage.
    """
    name = type(sa_type).__name__
    target = _dialect_impl(sa_type, dialect) if dialect is not None else None
    stored = column_type(target if target is not None else sa_type.impl_instance, dialect)
    declared = _declared_python_type(sa_type)
    if declared is not None and issubclass(declared, enum.Enum) and stored.kind in _STORED_AS_TEXT:
        members = tuple(declared.__members__)
        return ColumnType(
            Kind.ENUM,
            enum_values=tuple(str(m.value) for m in declared),
            enum_class=PythonRef(declared.__module__, declared.__qualname__),
            enum_members=members if len(members) == len(declared) else (),
            length=stored.length,
            sql=name,
        )
    if stored.kind in _STORED_AS_TEXT and declared in (None, str, bytes):
        shape = _json_round_trip(sa_type, dialect)
        if shape is not None:
            return ColumnType(Kind.JSON, shape=shape, sql=name)
    kind = next((k for t, k in _PYTHON_KINDS.items() if declared and issubclass(declared, t)), None)
    if kind is not None and kind is not stored.kind and stored.kind in _STORED_AS_TEXT:
        return ColumnType(kind, sql=name)
    if stored.kind is not Kind.UUID:
        for other in _DIALECTS:
            impl = _dialect_impl(sa_type, _known_dialect(other))
            if impl is not None and column_type(impl, None).kind is Kind.UUID:
                return ColumnType(Kind.UUID, sql=name)
    return ColumnType(**{**stored.__dict__, "sql": name})


def _default_text(default: Any) -> str | None:
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    text = getattr(arg, "text", None)
    if text is not None:
        return str(text)
    try:
        return str(arg.compile(compile_kwargs={"literal_binds": True}))
    except Exception:
        return str(arg)


def _default_of(col: Any) -> DefaultValue | None:
    """The column's client default, else its server default, as the neutral model describes it."""
    default = col.default
    if default is not None:
        if getattr(default, "is_sequence", False):
            return DefaultValue(DefaultForm.EXPRESSION, True, None, f"nextval({default.name})")
        if getattr(default, "is_scalar", False):
            return python_default(default.arg)
        if getattr(default, "is_callable", False):
            function = getattr(default.arg, "__wrapped__", default.arg)
            return DefaultValue(DefaultForm.CALLABLE, False, None, callable_name(function))
        return DefaultValue(DefaultForm.EXPRESSION, False, None, _default_text(default) or "")
    if col.server_default is None:
        return None
    arg = getattr(col.server_default, "arg", None)
    if isinstance(arg, str):  # a plain string is rendered as a quoted SQL literal
        return DefaultValue(DefaultForm.SCALAR, True, arg, repr(arg))
    return server_default(_default_text(col.server_default))


def _check_sql(constraint: CheckConstraint) -> str:
    try:
        return str(constraint.sqltext.compile(compile_kwargs={"literal_binds": True}))
    except Exception:
        return str(constraint.sqltext)


def _partial_where(index: Index) -> str | None:
    for dialect_name in ("postgresql", "sqlite", "mssql"):
        where = index.dialect_options.get(dialect_name, {}).get("where")  # type: ignore[union-attr]
        if where is not None:
            return _check_sql(CheckConstraint(where))
    return None


def _relationships(mapper: Mapper) -> list[Relationship]:
    relations = []
    for rel in mapper.relationships:
        if rel.parent is not mapper:
            continue  # inherited from a parent mapper: described on the parent's table
        target = rel.mapper.local_table
        if rel.direction is RelationshipDirection.MANYTOMANY:
            kind = RelationKind.MANY_TO_MANY
        elif rel.direction is RelationshipDirection.MANYTOONE:
            kind = RelationKind.MANY_TO_ONE
        else:
            kind = RelationKind.ONE_TO_MANY if rel.uselist else RelationKind.ONE_TO_ONE
        local = tuple(c.name for c in rel.local_columns if c.table is mapper.local_table)
        remote = tuple(c.name for c in rel.remote_side if c.table is target)
        secondary = rel.secondary
        relations.append(
            Relationship(
                name=rel.key,
                kind=kind,
                target=target.fullname,
                local_columns=local if kind is RelationKind.MANY_TO_ONE else (),
                remote_columns=remote if kind is not RelationKind.MANY_TO_ONE else (),
                secondary=secondary.fullname if secondary is not None else None,
                back_populates=rel.back_populates or None,
                viewonly=bool(rel.viewonly),
            )
        )
    return relations


def read_table(sa_table: SATable, mapper: Mapper | None = None, dialect: Any = None) -> Table:
    """One SQLAlchemy Table (and its mapper, when there is one) as a neutral Table."""
    # Table.constraints is a set: declaration order keeps generated files the same run to run.
    constraints = sorted(sa_table.constraints, key=lambda c: getattr(c, "_creation_order", 0))
    single_unique = {
        next(iter(c.columns)).name
        for c in constraints
        if isinstance(c, UniqueConstraint) and len(c.columns) == 1
    }
    uniques: list[Unique] = []
    for constraint in constraints:
        if isinstance(constraint, UniqueConstraint) and len(constraint.columns) > 1:
            uniques.append(Unique(tuple(c.name for c in constraint.columns), constraint.name))
    for index in sorted(sa_table.indexes, key=lambda i: i.name or ""):
        if not index.unique:
            continue
        cols = tuple(c.name for c in index.columns)
        where = _partial_where(index)
        if len(cols) == 1 and where is None:
            single_unique.add(cols[0])
        elif cols:
            uniques.append(Unique(cols, index.name, where))

    autoinc = sa_table.autoincrement_column
    discriminator = mapper.polymorphic_on if mapper is not None else None
    selectors, generic = polymorphic_references(mapper)
    columns = []
    validation_checks: list[Check] = []
    for col in sa_table.columns:
        attribute = None
        mapped = True
        if mapper is not None:
            try:
                prop = mapper.get_property_by_column(col)
                attribute = prop.key if prop.key != col.name else None
            except Exception:
                mapped = False
        col_type = column_type(col.type, dialect)
        if col_type.kind is Kind.JSON and col_type.shape is None:
            shape = json_shape(mapper, col)
            if shape is not None:
                col_type = ColumnType(**{**col_type.__dict__, "shape": shape})
        if col.name in selectors and not col_type.enum_values:
            col_type = ColumnType(**{**col_type.__dict__, "enum_values": selectors[col.name]})
        if mapper is not None:  # SQLModel fields: ge/le, max_length, ... (validation only)
            col_type, found = field_constraints(
                mapper.class_, attribute or col.name, col.name, col_type
            )
            validation_checks.extend(found)
        columns.append(
            Column(
                name=col.name,
                type=col_type,
                nullable=bool(col.nullable),
                primary_key=bool(col.primary_key),
                autoincrement=col is autoinc or col.identity is not None,
                server_default=_default_text(col.server_default),
                client_default=col.default is not None,
                default=_default_of(col),
                computed=col.computed is not None,
                unique=bool(col.unique) or col.name in single_unique,
                attribute=attribute,
                comment=col.comment,
                discriminator=discriminator is not None and col is discriminator,
                mapped=mapped,
                setter=property_setter(mapper, attribute or col.name) if mapper else None,
            )
        )

    foreign_keys = []
    for fkc in sorted(sa_table.foreign_key_constraints, key=lambda f: [c.name for c in f.columns]):
        elements = fkc.elements
        foreign_keys.append(
            ForeignKey(
                columns=tuple(e.parent.name for e in elements),
                referred_table=elements[0].column.table.fullname,
                referred_columns=tuple(e.column.name for e in elements),
                name=fkc.name if isinstance(fkc.name, str) else None,
                deferrable=bool(fkc.deferrable),
                ondelete=fkc.ondelete,
            )
        )

    # Column-level CHECKs live on the column, not in the table's constraint set.
    declared = constraints + [c for col in sa_table.columns for c in col.constraints]
    checks = [
        Check(_check_sql(c), c.name if isinstance(c.name, str) else None)
        for c in declared
        if isinstance(c, CheckConstraint)
    ] + validation_checks
    # Only the options the table was given: looking one up by name would import that
    # dialect's whole module for every table of a project that never uses it.
    given = dict(sa_table.kwargs.items())
    engine = given.get("mysql_engine") or given.get("mariadb_engine")
    model = relationships = inherits = None
    importable = True
    if mapper is not None:
        model = PythonRef(mapper.class_.__module__, mapper.class_.__qualname__)
        importable = is_module_attribute(mapper.class_)
        relationships = _relationships(mapper) + generic
        if mapper.inherits is not None and mapper.inherits.local_table is not sa_table:
            inherits = mapper.inherits.local_table.fullname
    return Table(
        name=sa_table.name,
        schema=sa_table.schema,
        columns=columns,
        primary_key=tuple(c.name for c in sa_table.primary_key.columns),
        foreign_keys=foreign_keys,
        uniques=uniques,
        checks=checks,
        relationships=relationships or [],
        model=model,
        model_importable=importable,
        comment=sa_table.comment,
        engine=engine,
        inherits=inherits,
    )


def read_metadata(metadata: MetaData, classes: list[type] = (), source: str = "") -> Schema:
    from sqlalchemy import inspect

    mappers = [inspect(cls) for cls in classes]
    schema = Schema(source=source)
    for sa_table in metadata.sorted_tables:
        schema.add(read_table(sa_table, mapper_for(sa_table, mappers)))
    return schema


def read_loaded(loaded: LoadedModels) -> Schema:
    """The neutral schema of everything a models spec loaded."""
    from sqlalchemy import inspect

    mappers = [inspect(cls) for cls in loaded.classes]
    schema = Schema(source=loaded.spec, metadata_ref=metadata_ref(loaded))
    for sa_table in loaded.tables:
        schema.add(read_table(sa_table, mapper_for(sa_table, mappers)))
    return schema


def read_models(spec: str, root: Any = None, imports: list[str] | tuple[str, ...] = ()) -> Schema:
    from fixturekit.schema.loading import load_models

    return read_loaded(load_models(spec, root=root, imports=imports))
