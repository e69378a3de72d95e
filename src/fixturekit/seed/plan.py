"""The seed plan: how many rows each table gets and how every foreign key and unique set is
filled, decided (and checked for feasibility) before a single row is written.

Input is inference's SchemaPlan (strategies, parent links, insert order) and the SeedConfig.
The planner only *arranges* what inference decided: it replaces a field's strategy where the
config says so, numbers keys the database would otherwise assign (children need them), and
chooses for each foreign key how child rows pick parent rows:

* `random`: a uniformly random parent;
* `block`: children per parent from the config (`children.orders = "0..5"`): each parent's
  children are consecutive rows;
* `distinct`: a one-to-one key (unique FK): a permutation of parent rows;
* `tree`: a self-reference: an earlier row of the same table, or NULL for roots;
* `inherit`: joined-table inheritance: the row *is* a parent row, extended;
* `combo`: member of a composite unique set, e.g. (order_id, product_id): the set's values are
  decoded from a permutation of row numbers, so no pair repeats, by construction.

Cycles: foreign keys the insert plan defers are inserted as NULL and set by an UPDATE pass once
every table is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from fixturekit.infer import strategies as st
from fixturekit.infer.plan import FieldPlan
from fixturekit.schema.model import Column, ForeignKey, Table
from fixturekit.seed.config import CountRange
from fixturekit.seed.distributions import WithNulls
from fixturekit.values.bulk import choice_values, matching_capacity
from fixturekit.values.distinct import MAX_AFFINE_SPACE, unique_capacity
from fixturekit.values.fixed_unique import capacity as fixed_capacity

CHUNK_ROWS = 65_536
# A parent nobody gave a count gets one row per this many children (three orders per user).
CHILDREN_PER_PARENT = 3
# Share of rows of a nullable self-reference left as roots (NULL parent).
TREE_ROOTS = 0.1


@dataclass
class Link:
    """How one foreign key of a table is filled."""

    fk: ForeignKey
    parent: str  # Table.key
    mode: str  # random | block | distinct | tree | inherit | combo
    nullable: bool
    deferred: bool = False  # inserted NULL, set by the UPDATE pass (closes a cycle)
    null_rate: float = 0.0
    counts: CountRange | None = None  # block mode

    @property
    def name(self) -> str:
        return ",".join(self.fk.columns)


@dataclass
class ComboMember:
    """One column (or foreign key) of a composite unique set and its number of values."""

    column: str
    link: Link | None
    strategy: st.Strategy | None
    size: int


@dataclass
class Combo:
    columns: tuple[str, ...]
    members: list[ComboMember]
    group: Link | None = None  # a block link: values are distinct within each parent's block


@dataclass
class TableSeed:
    table: Table
    rows: int
    fields: list[FieldPlan] = field(default_factory=list)  # in generation order
    links: list[Link] = field(default_factory=list)
    combos: list[Combo] = field(default_factory=list)
    sequences: dict[str, int] = field(default_factory=dict)  # key column -> value of row 0
    row_offset: int = 0  # global row number of row 0 (rows already there with --append)
    keep: set[str] = field(default_factory=set)  # columns children read back
    # Pairs of foreign keys a CHECK keeps apart (`from_account_id <> to_account_id`).
    apart: list[tuple[Link, Link]] = field(default_factory=list)
    block_ends: np.ndarray | None = None  # cumulative children per parent row (block link)
    lo: int = 0  # this shard's rows: [lo, hi)
    hi: int = 0

    @property
    def key(self) -> str:
        return self.table.key

    @property
    def columns(self) -> list[str]:
        """Columns written, in the table's order."""
        written = {f.column.name for f in self.fields} | set(self.sequences)
        written |= {c for link in self.links for c in link.fk.columns}
        return [c.name for c in self.table.columns if c.name in written]

    @property
    def deferred(self) -> list[Link]:
        return [link for link in self.links if link.deferred]

    def field(self, name: str) -> FieldPlan | None:
        return next((f for f in self.fields if f.column.name == name), None)


@dataclass
class SeedPlan:
    tables: dict[str, TableSeed]  # insert order
    seed: int
    today: dt.date
    shard: tuple[int, int] = (0, 1)

    def __iter__(self):
        return iter(self.tables.values())

    @property
    def total_rows(self) -> int:
        return sum(t.hi - t.lo for t in self)


@dataclass
class Existing:
    """What is already in a table when appending: rows and the largest integer key."""

    rows: int = 0
    max_key: dict[str, int] = field(default_factory=dict)


# --- capacities ----------------------------------------------------------------------------------


def field_capacity(strategy: st.Strategy | None, column: Column) -> int | None:
    """Distinct values a unique strategy can give (None: more than any seed needs)."""
    if isinstance(strategy, WithNulls):
        return field_capacity(strategy.base, column)
    if isinstance(strategy, st.UniqueChoice):
        return len(choice_values(strategy, column))
    if isinstance(strategy, st.Code) and strategy.is_unique:
        return unique_capacity([len(strategy.alphabet)] * strategy.length)
    if isinstance(strategy, st.SequenceInt) and strategy.maximum is not None:
        return max(strategy.maximum - strategy.start + 1, 0)
    if isinstance(strategy, st.Matching) and strategy.is_unique:
        return matching_capacity(strategy)
    if isinstance(strategy, st.UniqueFakerValue) and not strategy.weave:
        return fixed_capacity(strategy.provider, strategy.kwargs)
    return None


def domain_size(strategy: st.Strategy | None, column: Column) -> int | None:
    """How many distinct values a non-unique field strategy draws from, when finite."""
    if isinstance(strategy, st.Choice):
        return len(set(choice_values(strategy, column)))
    if isinstance(strategy, st.Boolean):
        return 2
    if isinstance(strategy, st.IntRange):
        return min(strategy.high - strategy.low + 1, MAX_AFFINE_SPACE)
    return None


def is_unique_strategy(strategy: st.Strategy | None) -> bool:
    if isinstance(strategy, WithNulls):
        return False
    return strategy is not None and bool(strategy.unique)
