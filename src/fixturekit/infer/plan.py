"""What inference decided for a schema: one TablePlan per table, read by every consumer.

Code generation renders a TablePlan as a factory class, `factory_for` builds the same factory at
run time, and seeding turns each field's strategy into bulk columns and each parent link into
foreign-key values drawn from already inserted parents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fixturekit.infer.strategies import Strategy
from fixturekit.schema.graph import InsertPlan
from fixturekit.schema.model import Column, ForeignKey, Relationship, Schema, Table


@dataclass(frozen=True)
class FieldPlan:
    """One column that is not filled from a parent row.

    `strategy` is None when the column is left to the database (an autoincrement key, a
    computed column). `flags` say why a person should look at the column: no rule matched,
    a CHECK on it was not understood, a unique column over a small domain, and so on.
    """

    column: Column
    strategy: Strategy | None
    reason: str
    flags: tuple[str, ...] = ()

    @property
    def attribute(self) -> str:
        """The declaration name in a factory (see Column.python_name)."""
        return self.column.python_name

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class ParentLink:
    """A foreign key filled from a parent row (a SubFactory in factories).

    `relationship` is the many-to-one relationship attribute covering the key, when the model
    has one; otherwise the key columns are set from the parent's columns. `empty` is True when
    the key is left NULL: it closes a cycle or references its own table.
    """

    fk: ForeignKey
    parent: str  # Table.key
    relationship: str | None
    empty: bool
    reason: str
    nullable: bool = False
    flags: tuple[str, ...] = ()
    name: str = ""  # the declaration name in a factory: relationship or a derived parameter


@dataclass(frozen=True)
class ChildrenPlan:
    """Children created with a parent (an order's line items), opt-in per relationship."""

    relationship: Relationship
    child: str  # Table.key
    fk: ForeignKey
    min_count: int
    max_count: int
    # the child factory's declaration for its parent (relationship or parameter); filled in by
    # plan_schema once the child's own plan exists
    parent_attribute: str | None

    @property
    def size_source(self) -> str:
        """How many children, as factory_boy source: a number or a callable drawing one."""
        if self.min_count == self.max_count:
            return str(self.min_count)
        return f"lambda: fv.integer({self.min_count}, {self.max_count})"


@dataclass(frozen=True)
class ManyToManyPlan:
    relationship: Relationship
    target: str  # Table.key
    secondary: str | None


@dataclass
class TablePlan:
    table: Table
    fields: list[FieldPlan] = field(default_factory=list)
    parents: list[ParentLink] = field(default_factory=list)
    children: list[ChildrenPlan] = field(default_factory=list)
    many_to_many: list[ManyToManyPlan] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # table-level: unparsed checks, no model
    notes: list[str] = field(default_factory=list)  # table-level plain comments (no FIXME)
    # natural-key attributes looked up before inserting: a small key domain is shared, not
    # exhausted, when every child creates its parent
    get_or_create: tuple[str, ...] = ()
    # generic references (Django's GenericForeignKey) -> the table of the row a factory makes
    generic: dict[str, str] = field(default_factory=dict)

    # the parent table's plan in joined-table inheritance: its columns belong to the parent
    # table, but a factory for this model sets them too
    inherited: TablePlan | None = None

    @property
    def key(self) -> str:
        return self.table.key

    @property
    def factory_fields(self) -> list[FieldPlan]:
        """Fields a factory declares: the inherited tables' first, then this table's own."""
        if self.inherited is None:
            return list(self.fields)
        own = {f.attribute for f in self.fields}
        return [f for f in self.inherited.factory_fields if f.attribute not in own] + self.fields

    @property
    def renames(self) -> dict[str, str]:
        """Declaration name -> constructor keyword for the factory's undeclarable attributes,
        an inherited table's (Django's `_file_size` on a multi-table parent) included."""
        from fixturekit.naming import renamed_columns

        inherited = self.inherited.renames if self.inherited is not None else {}
        return {**inherited, **renamed_columns(self.table)}

    @property
    def factory_parents(self) -> list[ParentLink]:
        inherited = self.inherited.factory_parents if self.inherited is not None else []
        return inherited + self.parents

    @property
    def factory_many_to_many(self) -> list[ManyToManyPlan]:
        inherited = self.inherited.factory_many_to_many if self.inherited is not None else []
        return inherited + self.many_to_many

    def field(self, column: str) -> FieldPlan:
        for plan in self.fields:
            if plan.column.name == column:
                return plan
        raise KeyError(f"{self.table.key}.{column} has no field plan (a key or parent column?)")

    @property
    def flagged_fields(self) -> list[FieldPlan]:
        return [f for f in self.fields if f.flagged]


@dataclass
class SchemaPlan:
    schema: Schema
    tables: dict[str, TablePlan]
    insert: InsertPlan

    def __iter__(self):
        return iter(self.tables[key] for key in self.insert.order)

    def table(self, key: str) -> TablePlan:
        return self.tables[key]
