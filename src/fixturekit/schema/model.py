"""The neutral schema model: plain dataclasses that every reader produces and every consumer reads.

Nothing in this module (or downstream of the readers) imports an ORM. Readers (SQLAlchemy models,
Django apps, live-database reflection, JSON Schema) fill it in; inference, code generation, runtime
factories, seeding and the pytest plugin only ever look at these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from fixturekit.naming import (  # noqa: F401  (kept importable from here)
    RESERVED_ATTRIBUTES,
    declaration_name,
    python_identifier,
)


class Kind(StrEnum):
    """What a column holds, independent of dialect spelling."""

    INTEGER = "integer"
    BIGINT = "bigint"
    SMALLINT = "smallint"
    NUMERIC = "numeric"
    FLOAT = "float"
    STRING = "string"
    TEXT = "text"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    INTERVAL = "interval"
    UUID = "uuid"
    ENUM = "enum"
    JSON = "json"
    BINARY = "binary"
    ARRAY = "array"
    INET = "inet"
    CIDR = "cidr"
    MACADDR = "macaddr"
    UNKNOWN = "unknown"


INTEGER_KINDS = frozenset({Kind.INTEGER, Kind.BIGINT, Kind.SMALLINT})
NUMBER_KINDS = INTEGER_KINDS | {Kind.NUMERIC, Kind.FLOAT}
STRING_KINDS = frozenset({Kind.STRING, Kind.TEXT})
TEMPORAL_KINDS = frozenset({Kind.DATE, Kind.DATETIME, Kind.TIME})

# Inclusive value ranges of the integer kinds (signed, as SQL declares them).
INTEGER_RANGES = {
    Kind.SMALLINT: (-(2**15), 2**15 - 1),
    Kind.INTEGER: (-(2**31), 2**31 - 1),
    Kind.BIGINT: (-(2**63), 2**63 - 1),
}


@dataclass(frozen=True)
class PythonRef:
    """An importable Python object (a model class, an enum class): `module:qualname`."""

    module: str
    qualname: str

    def __str__(self) -> str:
        return f"{self.module}:{self.qualname}"

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class ColumnType:
    """A column's type: its kind plus the facets that bound its values."""

    kind: Kind
    length: int | None = None  # characters for strings, bytes for binary
    precision: int | None = None  # total digits for numeric
    scale: int | None = None  # digits after the point for numeric
    timezone: bool = False
    enum_values: tuple[str, ...] = ()  # database labels, in declaration order
    enum_class: PythonRef | None = None  # the Python Enum the ORM maps the values to
    enum_members: tuple[str, ...] = ()  # member names of enum_class, aligned with enum_values
    item: ColumnType | None = None  # element type of an ARRAY
    dimensions: int = 1  # ARRAY dimensions
    binary_json: bool = False  # JSONB rather than JSON
    unsigned: bool = False  # MySQL UNSIGNED integers
    shape: str | None = None  # a value shape the type demands: "bits", "year", "string_map"
    sql: str = ""  # the type as the source spelled it, for messages

    def describe(self) -> str:
        return self.sql or self.kind.value


class DefaultForm(StrEnum):
    """What kind of default fills a column a row leaves out."""

    SCALAR = "scalar"  # a constant: `default=False`, `DEFAULT 'draft'`
    CALLABLE = "callable"  # a Python function the ORM calls per row: `uuid4`, `datetime.now`
    EXPRESSION = "expression"  # SQL the database (or the ORM) evaluates: `now()`, `nextval(...)`


@dataclass(frozen=True)
class DefaultValue:
    """A column's default as its source declares it, enough to decide whether to rely on it.

    `by_database` is True for a server-side default (the database fills the column when the
    INSERT leaves it out), False for one the ORM fills before inserting. `value` is the constant
    of a scalar default (a server default's SQL literal, parsed); `text` describes the default
    in messages and reports (`False`, `uuid4()`, `now()`).
    """

    form: DefaultForm
    by_database: bool = False
    value: Any = None
    text: str = ""

    def describe(self) -> str:
        where = "database" if self.by_database else "model"
        return f"the {where} default {self.text}".rstrip()


@dataclass(frozen=True)
class StoredFile:
    """A column that names a file kept in the ORM's file storage (Django's FileField).

    The column holds a storage-relative name; the ORM writes the file and picks the name when a
    row is saved with file content, so factories give content and seeding only names.
    """

    image: bool = False  # an ImageField: the content must open as an image
    extensions: tuple[str, ...] = ()  # what the field's validators allow, lower case; () = any
    folder: str | None = None  # `upload_to` as declared (strftime codes kept); None: a callable
    width_field: str | None = None  # the columns the ORM fills from the image's dimensions
    height_field: str | None = None


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool = True
    primary_key: bool = False
    autoincrement: bool = False  # the database assigns the value (serial, identity, AUTO_INCREMENT)
    server_default: str | None = None  # SQL text of a server-side default
    client_default: bool = False  # the ORM fills a value when none is given
    default: DefaultValue | None = None  # the client default, else the server default, described
    computed: bool = False  # a generated column: never written
    unique: bool = False  # a single-column unique constraint or index
    attribute: str | None = None  # the ORM attribute name when it differs from the column name
    comment: str | None = None
    discriminator: bool = False  # the ORM sets it from the class (polymorphic identity)
    semantic: str | None = None  # what the source says the value is ("email", "slug", "url", ...)
    # A public property whose setter writes this column (`password` for `_password`):
    # factories set the value through it, as the application does.
    setter: str | None = None
    # False when the table's model class does not map the column (`exclude_properties`, or a
    # subclass that extends the table): the class cannot take a value for it
    mapped: bool = True
    # A file in the ORM's storage (the column holds its name), or None
    file: StoredFile | None = None

    @property
    def kind(self) -> Kind:
        return self.type.kind

    @property
    def key(self) -> str:
        """The name an ORM constructor takes for this column."""
        return self.attribute or self.name

    @property
    def python_name(self) -> str:
        """A name a factory can declare: an identifier, not a keyword, not starting with `_`.

        factory_boy ignores declarations that start with an underscore and Python rejects
        keywords and spaces, so such columns are declared under this name and renamed back. A
        column behind a property setter is declared as that property.
        """
        return self.setter or declaration_name(self.key)

    @property
    def has_default(self) -> bool:
        return self.server_default is not None or self.client_default or self.autoincrement

    @property
    def writable(self) -> bool:
        return not self.computed


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    referred_table: str  # Table.key of the parent
    referred_columns: tuple[str, ...]
    name: str | None = None
    deferrable: bool = False
    ondelete: str | None = None


@dataclass(frozen=True)
class Unique:
    columns: tuple[str, ...]
    name: str | None = None
    where: str | None = None  # partial unique index predicate (SQL text)


@dataclass(frozen=True)
class Check:
    """A CHECK constraint: the SQL text as declared; its parsed form is computed on demand."""

    sql: str
    name: str | None = None

    @cached_property
    def parsed(self):  # -> fixturekit.schema.checks.ParsedCheck
        from fixturekit.schema.checks import parse_check

        return parse_check(self.sql)


class RelationKind(StrEnum):
    MANY_TO_ONE = "many-to-one"
    ONE_TO_MANY = "one-to-many"
    ONE_TO_ONE = "one-to-one"
    MANY_TO_MANY = "many-to-many"
    # A generic reference (Django's GenericForeignKey): a type column plus an id column and no
    # database foreign key, so nothing says which table the id points to.
    GENERIC = "generic"


@dataclass(frozen=True)
class Relationship:
    """An ORM-level relation from this table's model to another's."""

    name: str  # attribute on the model
    kind: RelationKind
    target: str  # Table.key of the other side
    local_columns: tuple[str, ...] = ()  # FK columns on this table (many-to-one / one-to-one owner)
    remote_columns: tuple[str, ...] = ()  # FK columns on the other table (one-to-many)
    secondary: str | None = None  # Table.key of the association table (many-to-many)
    back_populates: str | None = None
    viewonly: bool = False
    # GENERIC with known targets (a polymorphic association read from relationship joins):
    # (discriminator value, target Table.key, target column) for each table it may point to
    choices: tuple[tuple[Any, str, str], ...] = ()


@dataclass(frozen=True)
class TreeApi:
    """Rows placed in a tree by an API of the model (django-treebeard's `add_root`): a factory
    creates through it, and the columns it writes (a materialised path, a depth, a child count)
    are the tree's, never drawn."""

    create_root: str  # the model's classmethod that creates a root node from field values
    columns: tuple[str, ...] = ()


@dataclass
class Table:
    name: str
    columns: list[Column]
    schema: str | None = None
    primary_key: tuple[str, ...] = ()
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    uniques: list[Unique] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    model: PythonRef | None = None  # the mapped class; None for a Core-only table
    # False when `from module import qualname` does not give the class (built in a loop or a
    # function, or by an extension): generated code reaches it through the mapper registries
    model_importable: bool = True
    comment: str | None = None
    engine: str | None = None  # MySQL storage engine when known (InnoDB, MyISAM)
    inherits: str | None = None  # Table.key of the parent table in joined-table inheritance
    tree: TreeApi | None = None  # rows a tree API of the model places (see TreeApi)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def display_name(self) -> str:
        """The model's class name as the user's code spells it: Django's auto-created through
        model `User.groups.through` is `User_groups`, as in FACTORIES."""
        if self.model is None:
            return self.key
        parts = self.model.qualname.split(".")
        if len(parts) >= 3 and parts[-1] == "through":
            return f"{parts[-3]}_{parts[-2]}"
        return self.model.name

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.key!r} has no column {name!r}")

    def has_column(self, name: str) -> bool:
        return any(col.name == name for col in self.columns)

    def foreign_keys_of(self, column: str) -> list[ForeignKey]:
        return [fk for fk in self.foreign_keys if column in fk.columns]

    def unique_sets(self) -> list[tuple[str, ...]]:
        """Every set of columns whose combined values must not repeat (PK included)."""
        sets: list[tuple[str, ...]] = []
        if self.primary_key:
            sets.append(self.primary_key)
        sets.extend(u.columns for u in self.uniques if u.where is None)
        sets.extend((c.name,) for c in self.columns if c.unique)
        seen: list[tuple[str, ...]] = []
        for s in sets:
            if s not in seen:
                seen.append(s)
        return seen

    def is_unique_alone(self, column: str) -> bool:
        return (column,) in self.unique_sets()

    @property
    def is_association(self) -> bool:
        """A pure link table: every column is part of a foreign key and there is no model."""
        fk_cols = {c for fk in self.foreign_keys for c in fk.columns}
        return (
            self.model is None
            and len(self.foreign_keys) >= 2
            and all(col.name in fk_cols for col in self.columns)
        )


@dataclass
class Schema:
    """A whole model graph: the unit every consumer works on."""

    tables: dict[str, Table] = field(default_factory=dict)
    source: str = ""  # what it was read from, for messages and generated headers
    dialect: str | None = None  # when read from a live database
    # Where generated code finds Core tables: `module:Base.metadata` or `module:metadata`.
    metadata_ref: PythonRef | None = None

    def add(self, table: Table) -> None:
        self.tables[table.key] = table

    def table(self, key: str) -> Table:
        try:
            return self.tables[key]
        except KeyError:
            raise KeyError(f"no table {key!r} in {self.source or 'the schema'}") from None

    def __iter__(self):
        return iter(self.tables.values())

    def __len__(self) -> int:
        return len(self.tables)

    def children_of(self, key: str) -> list[tuple[Table, ForeignKey]]:
        return [
            (table, fk) for table in self for fk in table.foreign_keys if fk.referred_table == key
        ]
