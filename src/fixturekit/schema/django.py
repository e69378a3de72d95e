"""Read Django models (through `django.apps.apps`) into the neutral schema model.

One neutral Table per concrete model with a table of its own: proxy, abstract and swapped-out
models have none, and an abstract parent's fields live in each child's table. Auto-created
many-to-many tables are tables too, with `model` naming Django's auto-created through class
(importable as `<Model>.<field>.through`, which is how generated code reaches it).

Choices: string choices become Kind.ENUM with the choice values (as an SQLAlchemy
`Enum(native_enum=False)` would); other choices keep their kind (an integer stays an integer)
and list the values, as strings, in `enum_values`.

CHECK and conditional UNIQUE constraints are compiled by Django's own query compiler for the
model's database connection, so `Check.sql` and `Unique.where` are the SQL Django emits.
Compiling needs the database backend's module (psycopg for PostgreSQL) but no connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.schema.defaults import django_default
from fixturekit.schema.django_setup import selected_apps, setup_django
from fixturekit.schema.django_sql import compile_condition, sql_literal
from fixturekit.schema.model import (
    Check,
    Column,
    ColumnType,
    ForeignKey,
    Kind,
    PythonRef,
    RelationKind,
    Relationship,
    Schema,
    StoredFile,
    Table,
    TreeApi,
    Unique,
)

_KINDS = {  # Field.get_internal_type() -> kind; subclasses report their base's name
    "AutoField": Kind.INTEGER,
    "BigAutoField": Kind.BIGINT,
    "SmallAutoField": Kind.SMALLINT,
    "IntegerField": Kind.INTEGER,
    "BigIntegerField": Kind.BIGINT,
    "SmallIntegerField": Kind.SMALLINT,
    "PositiveIntegerField": Kind.INTEGER,
    "PositiveBigIntegerField": Kind.BIGINT,
    "PositiveSmallIntegerField": Kind.SMALLINT,
    "BooleanField": Kind.BOOLEAN,
    "NullBooleanField": Kind.BOOLEAN,
    "CharField": Kind.STRING,
    "SlugField": Kind.STRING,
    "FileField": Kind.STRING,
    "FilePathField": Kind.STRING,
    "ImageField": Kind.STRING,
    "TextField": Kind.TEXT,
    "FloatField": Kind.FLOAT,
    "DecimalField": Kind.NUMERIC,
    "DateField": Kind.DATE,
    "DateTimeField": Kind.DATETIME,
    "TimeField": Kind.TIME,
    "DurationField": Kind.INTERVAL,
    "UUIDField": Kind.UUID,
    "JSONField": Kind.JSON,
    "BinaryField": Kind.BINARY,
    "GenericIPAddressField": Kind.INET,
    "IPAddressField": Kind.INET,
}
_AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}
_POSITIVE = {"PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}


# ---------------------------------------------------------------------------------------------
# Fields to columns


def _ref(model: type) -> PythonRef:
    return PythonRef(model.__module__, model.__qualname__)


def _semantic(field: Any) -> str | None:
    from django.db import models

    if field.name == "password" and _is_user_model(getattr(field, "model", None)):
        return "django_password"  # holds a hash, as AbstractBaseUser.set_password writes it
    for cls, meaning in (
        (models.EmailField, "email"),
        (models.SlugField, "slug"),
        (models.URLField, "url"),
        (models.GenericIPAddressField, "ip"),
        (models.FileField, "file"),
        (models.FilePathField, "file"),
    ):
        if isinstance(field, cls):
            return meaning
    return None


def _stored_file(field: Any) -> StoredFile | None:
    """What a FileField or ImageField says about the file its column names (None otherwise)."""
    from django.core.validators import FileExtensionValidator
    from django.db import models

    if not isinstance(field, models.FileField):
        return None
    extensions = tuple(
        ext.lower().lstrip(".")
        for validator in field.validators
        if isinstance(validator, FileExtensionValidator) and validator.allowed_extensions
        for ext in validator.allowed_extensions
    )
    upload_to = field.upload_to
    folder = None if callable(upload_to) else str(upload_to or "")
    dimensions = {}
    if isinstance(field, models.ImageField):
        for facet in ("width_field", "height_field"):
            name = getattr(field, facet, None)
            if name:
                dimensions[facet] = field.model._meta.get_field(name).column
    image = isinstance(field, models.ImageField)
    return StoredFile(image=image, extensions=extensions, folder=folder, **dimensions)


def _is_user_model(model: Any) -> bool:
    from django.contrib.auth.base_user import AbstractBaseUser

    return isinstance(model, type) and issubclass(model, AbstractBaseUser)


def _db_type(field: Any, connection: Any) -> str:
    try:
        return field.db_type(connection) or type(field).__name__
    except Exception:
        return type(field).__name__


def _base_type(field: Any, connection: Any) -> ColumnType:
    """The column type of a concrete, non-relational field."""
    internal = field.get_internal_type()
    sql = _db_type(field, connection)
    if internal == "ArrayField":  # django.contrib.postgres
        item = _base_type(field.base_field, connection)
        return ColumnType(Kind.ARRAY, item=item, sql=sql)
    kind = _KINDS.get(internal, Kind.UNKNOWN)
    unsigned = internal in _POSITIVE and connection.vendor == "mysql"
    if kind is Kind.NUMERIC:
        return ColumnType(kind, precision=field.max_digits, scale=field.decimal_places, sql=sql)
    if kind in (Kind.STRING, Kind.BINARY):
        return ColumnType(kind, length=getattr(field, "max_length", None), sql=sql)
    if kind is Kind.DATETIME:
        from django.conf import settings

        return ColumnType(kind, timezone=bool(settings.USE_TZ), sql=sql)
    if kind is Kind.JSON:
        return ColumnType(kind, binary_json=connection.vendor == "postgresql", sql=sql)
    return ColumnType(kind, unsigned=unsigned, sql=sql)


def _column_type(field: Any, connection: Any) -> ColumnType:
    if field.is_relation:
        # A foreign key column has its target's type, minus the target's autoincrement.
        return _column_type(field.target_field, connection)
    ctype = _base_type(field, connection)
    choices = getattr(field, "flatchoices", None) or []
    # A None choice is the NULL a nullable field offers ("not set"), not the text "None".
    values = tuple(str(value) for value, _ in choices if value is not None)
    if not values:
        return ctype
    if ctype.kind in (Kind.STRING, Kind.TEXT):
        return ColumnType(Kind.ENUM, length=ctype.length, enum_values=values, sql=ctype.sql)
    return ColumnType(**{**ctype.__dict__, "enum_values": values})


def _server_default(field: Any, model: type, connection: Any) -> str | None:
    from django.db.models import NOT_PROVIDED

    db_default = getattr(field, "db_default", NOT_PROVIDED)  # Django 5.0+
    if db_default is NOT_PROVIDED:
        return None
    value = getattr(db_default, "value", db_default)
    if hasattr(value, "resolve_expression") or hasattr(value, "as_sql"):
        try:
            from django.db.models.sql.query import Query

            query = Query(model=model, alias_cols=False)
            compiler = query.get_compiler(connection=connection)
            sql, params = compiler.compile(value.resolve_expression(query))
            return sql % tuple(sql_literal(p, connection.vendor) for p in params)
        except Exception:
            return str(value)
    return sql_literal(value, connection.vendor)


def _column(field: Any, model: type, connection: Any, pk_columns: set[str]) -> Column:
    internal = field.get_internal_type()
    auto_time = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    primary = field.column in pk_columns
    server_sql = _server_default(field, model, connection)
    return Column(
        name=field.column,
        type=_column_type(field, connection),
        nullable=bool(field.null) and not primary,
        primary_key=primary,
        autoincrement=internal in _AUTO,
        server_default=server_sql,
        # Django fills these itself: a default, or the clock for auto_now / auto_now_add.
        client_default=field.has_default() or auto_time,
        default=django_default(field, server_sql),
        computed=internal == "GeneratedField",
        unique=bool(field.unique) and not primary,
        attribute=field.attname if field.attname != field.column else None,
        comment=getattr(field, "db_comment", None),
        semantic=_semantic(field),
        file=_stored_file(field),
    )


# ---------------------------------------------------------------------------------------------
# Models to tables


def _table_key(model: type) -> str:
    return model._meta.db_table


def _pk_fields(opts: Any) -> list[Any]:
    fields = getattr(opts, "pk_fields", None)  # Django 5.2: composite primary keys
    return list(fields) if fields else [opts.pk]


def _relationships(model: type) -> list[Relationship]:
    from django.contrib.contenttypes.fields import GenericForeignKey

    opts = model._meta
    relations: list[Relationship] = []
    for field in opts.local_concrete_fields:
        if (
            field.is_relation
            and field.many_to_one is not None
            and not field.remote_field.parent_link
        ):
            # A multi-table child's link to its parent is `Table.inherits`, as in SQLAlchemy's
            # joined inheritance: saving the child writes the parent row, nothing to fill.
            relations.append(
                Relationship(
                    name=field.name,
                    kind=RelationKind.MANY_TO_ONE,
                    target=_table_key(field.related_model),
                    local_columns=(field.column,),
                )
            )
    for field in opts.local_many_to_many:
        relations.append(
            Relationship(
                name=field.name,
                kind=RelationKind.MANY_TO_MANY,
                target=_table_key(field.related_model),
                secondary=_table_key(field.remote_field.through),
            )
        )
    for rel in opts.related_objects:
        if rel.many_to_many or rel.hidden or rel.parent_link:
            continue  # reverse many-to-many is described on the declaring side
        if rel.model._meta.concrete_model is not model:
            continue  # a parent's reverse relation, listed again on a multi-table child
        child = rel.related_model
        relations.append(
            Relationship(
                name=rel.get_accessor_name(),
                kind=RelationKind.ONE_TO_ONE if rel.one_to_one else RelationKind.ONE_TO_MANY,
                target=_table_key(child),
                remote_columns=(rel.field.column,),
                back_populates=rel.field.name,
            )
        )
    for private in opts.private_fields:
        if isinstance(private, GenericForeignKey) and private.model is model:
            ct_field = opts.get_field(private.ct_field)
            id_field = opts.get_field(private.fk_field)
            relations.append(
                Relationship(
                    name=private.name,
                    kind=RelationKind.GENERIC,
                    target=_table_key(ct_field.related_model),
                    local_columns=(ct_field.column, id_field.column),
                    viewonly=True,
                )
            )
    return relations


def _constraints(model: type, connection: Any) -> tuple[list[Unique], list[Check]]:
    from django.db.models import CheckConstraint, UniqueConstraint

    opts = model._meta
    uniques: list[Unique] = []
    checks: list[Check] = []
    for fields in opts.unique_together:
        uniques.append(Unique(tuple(opts.get_field(f).column for f in fields)))
    for constraint in opts.constraints:
        if isinstance(constraint, CheckConstraint):
            condition = getattr(constraint, "condition", None) or constraint.check
            checks.append(Check(compile_condition(model, condition, connection), constraint.name))
        elif isinstance(constraint, UniqueConstraint) and constraint.fields:
            # An expression-based unique constraint (Lower("email")) constrains the expression,
            # not the columns, and is left out, as for reflected expression indexes.
            where = None
            if constraint.condition is not None:
                where = compile_condition(model, constraint.condition, connection)
            columns = tuple(opts.get_field(f).column for f in constraint.fields)
            uniques.append(Unique(columns, constraint.name, where))
    for field in opts.local_concrete_fields:
        # Django adds its own CHECK for positive integers (MySQL uses UNSIGNED instead).
        if field.get_internal_type() in _POSITIVE:
            sql = field.db_check(connection)
            if sql:
                checks.append(Check(sql, None))
    return uniques, checks


def read_model(model: type, connection: Any = None) -> Table:
    """One concrete Django model's own table."""
    from django.db import connections, router

    connection = connection or connections[router.db_for_write(model)]
    opts = model._meta
    pk_columns = {f.column for f in _pk_fields(opts) if f.column}
    columns = [
        _column(field, model, connection, pk_columns)
        for field in opts.local_concrete_fields
        if field.column  # a composite primary key is a field with no column of its own
    ]
    # A single-column unique from a plain UniqueConstraint is the column's, as unique=True is.
    uniques, checks = _constraints(model, connection)
    single = {u.columns[0] for u in uniques if len(u.columns) == 1 and u.where is None}
    columns = [
        Column(**{**c.__dict__, "unique": True}) if c.name in single and not c.primary_key else c
        for c in columns
    ]
    foreign_keys = [
        ForeignKey(
            columns=(field.column,),
            referred_table=_table_key(field.related_model),
            referred_columns=(field.target_field.column,),
            name=None,
            # Django creates its foreign keys DEFERRABLE INITIALLY DEFERRED on PostgreSQL; one
            # with db_constraint=False is never checked by the database, but its model still
            # validates it (full_clean: "user instance with id 470 is not a valid choice"), so
            # it points at a real parent all the same.
            deferrable=connection.features.can_defer_constraint_checks or not field.db_constraint,
            ondelete=None,  # Django emulates on_delete in Python; the database has NO ACTION
        )
        for field in opts.local_concrete_fields
        if field.is_relation
    ]
    parents = [p for p, link in opts.parents.items() if link is not None]
    return Table(
        name=opts.db_table,
        columns=columns,
        primary_key=tuple(f.column for f in _pk_fields(opts) if f.column),
        foreign_keys=sorted(foreign_keys, key=lambda f: f.columns),
        uniques=[u for u in uniques if len(u.columns) > 1 or u.where is not None],
        checks=checks,
        relationships=_relationships(model),
        model=_ref(model) if not opts.auto_created else _through_ref(model),
        comment=getattr(opts, "db_table_comment", None),
        inherits=_table_key(parents[0]) if parents else None,
        tree=_tree_api(model) if not opts.auto_created else None,
    )


def _tree_api(model: type) -> TreeApi | None:
    """A tree node model (django-treebeard's MP_Node, NS_Node, AL_Node): the package that
    defines `add_root` declares, in its abstract models, the fields the tree writes."""
    if not callable(getattr(model, "add_child", None)):
        return None
    owner = next((b for b in model.__mro__ if "add_root" in vars(b)), None)
    if owner is None:
        return None
    package = owner.__module__.split(".")[0]
    names: list[str] = []
    for base in model.__mro__:
        meta = getattr(base, "_meta", None)
        if meta is None or not meta.abstract or base.__module__.split(".")[0] != package:
            continue
        names += [f.name for f in meta.local_fields if f.name not in names]
    columns = tuple(model._meta.get_field(n).column for n in names)
    return TreeApi("add_root", columns)


def _through_ref(through: type) -> PythonRef:
    """An auto-created M2M class is reachable as `<Model>.<field>.through`."""
    owner = through._meta.auto_created
    for field in owner._meta.local_many_to_many:
        if field.remote_field.through is through:
            return PythonRef(owner.__module__, f"{owner.__qualname__}.{field.name}.through")
    return PythonRef(through.__module__, through.__qualname__)


def _has_table(model: type) -> bool:
    opts = model._meta
    return not (opts.proxy or opts.abstract or opts.swapped)


def _closure(models: Iterable[type]) -> list[type]:
    """The models plus every model they reference: a row cannot be inserted without its parents."""
    seen: dict[str, type] = {}
    todo = list(models)
    while todo:
        model = todo.pop(0)
        if not _has_table(model) or model._meta.label in seen:
            continue
        seen[model._meta.label] = model
        for field in model._meta.local_concrete_fields:
            if field.is_relation and field.related_model is not None:
                todo.append(field.related_model._meta.concrete_model)  # a proxy's table
    return list(seen.values())


def read_django(
    app_labels: Sequence[str] | None = None,
    settings: str | None = None,
    *,
    root: str | Path | None = None,
) -> Schema:
    """The neutral schema of the models of `app_labels` (default: the project's own apps).

    Django's contrib apps and third-party apps are read only when named, or when a selected
    model references theirs (a custom user's groups, a GenericForeignKey's content type).
    """
    setup_django(settings, root)
    from django.apps import apps

    configs = selected_apps(app_labels)
    if not configs:
        raise FixturekitError(
            "No project apps found in INSTALLED_APPS.",
            hint="Name the apps to read: fixturekit generate --django APP_LABEL ...",
        )
    chosen = [m for c in configs for m in c.get_models(include_auto_created=True)]
    models = _closure(chosen)
    if not models:
        raise FixturekitError(
            f"The apps {', '.join(c.label for c in configs)} define no models with tables.",
            hint="Proxy and abstract models have no table of their own.",
        )
    order = {m: i for i, m in enumerate(apps.get_models(include_auto_created=True))}
    schema = Schema(source=f"django:{','.join(c.label for c in configs)}")
    for model in sorted(models, key=lambda m: order.get(m, len(order))):
        schema.add(read_model(model))
    return schema


def read_models(models: Sequence[type]) -> Schema:
    """The neutral schema of `models` and every model they reference (Django set up already)."""
    closure = _closure(m._meta.concrete_model for m in models)
    schema = Schema(source=f"django:{','.join(m._meta.label for m in models)}")
    for model in closure:
        schema.add(read_model(model))
    return schema
