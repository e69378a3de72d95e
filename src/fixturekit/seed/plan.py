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
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.infer.plan import FieldPlan, SchemaPlan, TablePlan
from fixturekit.schema.graph import fk_is_nullable
from fixturekit.schema.model import INTEGER_KINDS, STRING_KINDS, Column, ForeignKey, Kind, Table
from fixturekit.seed.config import CountRange, SeedConfig
from fixturekit.seed.distributions import Fixed, Segments, WithNulls
from fixturekit.values.bulk import choice_values, matching_capacity
from fixturekit.values.distinct import MAX_AFFINE_SPACE, unique_capacity
from fixturekit.values.fixed_unique import capacity as fixed_capacity
from fixturekit.values.pools import stable_hash

# Rows per generated chunk. Values derive from (seed, table, column, first row of the chunk),
# so this number is part of what makes a seed reproducible: changing it changes the data.
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


def _fail(message: str, hint: str | None = None) -> FixturekitError:
    return FixturekitError(message, hint=hint)


# --- fields ------------------------------------------------------------------------------------


def _own_fields(plan: TablePlan) -> list[FieldPlan]:
    """Field plans of the table's own columns (joined inheritance lists the parent's too)."""
    return [f for f in plan.fields if any(f.column is c for c in plan.table.columns)]


def _inheritance_fk(table: Table) -> ForeignKey | None:
    if table.inherits is None:
        return None
    for fk in table.foreign_keys:
        if fk.referred_table == table.inherits and set(fk.columns) <= set(table.primary_key):
            return fk
    return None


def _identity(table: Table) -> Any:
    """The polymorphic identity of a mapped class (read from the ORM only here, when needed)."""
    if table.model is None:
        return None
    try:
        from sqlalchemy import inspect

        from fixturekit.infer.strategies import resolve_ref

        return inspect(resolve_ref(table.model)).polymorphic_identity
    except Exception:
        return None


def _key_strategy(column: Column) -> st.Strategy | None:
    """How to number a key the database would assign, when children need its values."""
    if column.kind in INTEGER_KINDS or column.kind is Kind.NUMERIC:
        return None  # a sequence: see TableSeed.sequences
    if column.kind is Kind.UUID:
        return st.UuidValue()
    if column.kind in STRING_KINDS:
        return (
            st.UuidValue(as_string=True)
            if (column.type.length or 36) >= 36
            else st.Code(column.type.length or 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", True)
        )
    return None


def _apply_rule(field_plan: FieldPlan, config: SeedConfig, table: Table) -> FieldPlan:
    rule = config.columns.get((table.key, field_plan.column.name))
    if rule is None:
        return field_plan
    strategy = rule.strategy or field_plan.strategy
    reason = "seed config" if rule.strategy else field_plan.reason
    if rule.null_rate and strategy is not None:
        strategy = WithNulls(strategy, rule.null_rate)
    return FieldPlan(field_plan.column, strategy, reason, field_plan.flags)


def _dependencies(strategy: st.Strategy | None) -> set[str]:
    if isinstance(strategy, (st.Relative, st.FromColumn)):
        return {strategy.other}
    if isinstance(strategy, WithNulls):
        return _dependencies(strategy.base)
    if isinstance(strategy, st.UniqueText):
        return _dependencies(strategy.base)
    return set()


def _order_fields(table: Table, fields: list[FieldPlan]) -> list[FieldPlan]:
    """Fields in an order where a column comes after the columns it is derived from."""
    by_name = {f.column.name: f for f in fields}
    attr_to_name = {c.key: c.name for c in table.columns} | {c.name: c.name for c in table.columns}
    ordered: list[FieldPlan] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in placed:
            return
        if name in visiting:
            raise _fail(f"{table.key}: columns derive from each other in a circle ({name}).")
        visiting.add(name)
        for dep in _dependencies(by_name[name].strategy):
            target = attr_to_name.get(dep, dep)
            if target in by_name:
                visit(target)
        visiting.discard(name)
        placed.add(name)
        ordered.append(by_name[name])

    for f in fields:
        visit(f.column.name)
    return ordered


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


def _is_unique_strategy(strategy: st.Strategy | None) -> bool:
    if isinstance(strategy, WithNulls):
        return False
    return strategy is not None and bool(strategy.unique)


# --- planning ----------------------------------------------------------------------------------


def _links(
    plan: TablePlan, schema_plan: SchemaPlan, config: SeedConfig, fixed_columns: set[str]
) -> list[Link]:
    table = plan.table
    links: list[Link] = []
    inheritance = _inheritance_fk(table)
    if inheritance is not None:
        links.append(Link(inheritance, inheritance.referred_table, "inherit", False))
    for parent_link in plan.parents:
        fk = parent_link.fk
        if fk is inheritance or set(fk.columns) <= fixed_columns:
            continue
        nullable = fk_is_nullable(table, fk)
        rule_rates = [
            config.columns[(table.key, c)].null_rate
            for c in fk.columns
            if (table.key, c) in config.columns
        ]
        null_rate = max(rule_rates, default=0.0)
        counts = config.children.get((table.key, fk))
        if fk.referred_table == table.key:
            mode = "tree"
        elif counts is not None:
            mode = "block"
        elif set(fk.columns) in [set(u) for u in table.unique_sets()]:
            mode = "distinct"  # one-to-one: each parent row at most once
        else:
            mode = "random"
        deferred = schema_plan.insert.is_deferred(table.key, fk) and mode != "tree"
        if deferred and not nullable:
            raise _fail(
                f"{table.key}.{', '.join(fk.columns)} closes a foreign-key cycle but is NOT NULL: "
                "seeding inserts it empty and fills it afterwards.",
                hint="Make the column nullable (or break the cycle another way).",
            )
        if deferred and counts is not None:
            raise _fail(
                f"{table.key}: children per parent through {fk.columns[0]} are not "
                "supported on a key that closes a cycle."
            )
        links.append(Link(fk, fk.referred_table, mode, nullable, deferred, null_rate, counts))
    for fk in table.foreign_keys:  # keys to tables outside the models
        outside = fk.referred_table not in schema_plan.tables and fk is not inheritance
        if outside and not fk_is_nullable(table, fk):
            raise _fail(
                f"{table.key}.{', '.join(fk.columns)} references {fk.referred_table}, which "
                "is not among the models: seeding cannot pick existing rows there.",
                hint="Include that table's model, or give the column a value in the seed "
                "config (columns.NAME = { value = ... }).",
            )
    return links


def _combos(
    table: Table, fields: dict[str, FieldPlan], links: list[Link], sequences: dict[str, int]
) -> tuple[list[Combo], dict[str, FieldPlan]]:
    """Composite unique sets that need building, and fields made unique to satisfy others."""
    link_of = {c: link for link in links for c in link.fk.columns}
    combos: list[Combo] = []
    changed: dict[str, FieldPlan] = {}
    used_links: set[int] = set()
    for columns in table.unique_sets():
        if len(columns) < 2:
            continue
        if any(c in sequences for c in columns):
            continue
        if any(_is_unique_strategy(fields[c].strategy) for c in columns if c in fields):
            continue
        if any(link_of[c].mode in ("distinct", "inherit") for c in columns if c in link_of):
            continue
        members_links = {id(link_of[c]): link_of[c] for c in columns if c in link_of}
        if not members_links:
            continue  # inference made one column unique, or flagged it
        if any(not set(link.fk.columns) <= set(columns) for link in members_links.values()) or any(
            link.mode == "tree" or link.deferred for link in members_links.values()
        ):
            raise _fail(
                f"{table.key}: UNIQUE ({', '.join(columns)}) mixes foreign keys in a way seeding "
                "cannot build."
            )
        if used_links & set(members_links):
            raise _fail(
                f"{table.key}: two composite unique sets share a foreign key; only one "
                "can be built."
            )
        plain = [c for c in columns if c not in link_of]
        members: list[ComboMember] = []
        infinite = None
        for name in plain:
            size = (
                domain_size(fields[name].strategy, table.column(name)) if name in fields else None
            )
            if size is None:
                infinite = name
                break
            members.append(ComboMember(name, None, fields[name].strategy, size))
        if infinite is not None:
            # A free-valued column in the set: make it unique by itself and the set holds.
            current = fields[infinite]
            if current.strategy is None or table.column(infinite).kind not in STRING_KINDS:
                raise _fail(
                    f"{table.key}: UNIQUE ({', '.join(columns)}) cannot be built: "
                    f"{infinite} has no finite set of values to combine."
                )
            changed[infinite] = FieldPlan(
                current.column,
                st.UniqueText(current.strategy, table.column(infinite).type.length),
                current.reason + f" (numbered: UNIQUE ({', '.join(columns)}))",
                current.flags,
            )
            continue
        group = None
        for link in members_links.values():
            if link.mode == "block" and group is None:
                group = link
            else:
                link.mode = "combo"
                members.append(ComboMember(link.name, link, None, 0))
        used_links |= set(members_links)
        combos.append(Combo(columns, members, group))
    return combos, changed


def _apart(table: Table, links: list[Link]) -> list[tuple[Link, Link]]:
    """Foreign keys that a CHECK says must differ, as pairs of single-column links."""
    from fixturekit.schema.predicates import ColumnCompare, NullOr

    single = {
        link.fk.columns[0]: link
        for link in links
        if len(link.fk.columns) == 1 and link.mode in ("random", "block") and not link.deferred
    }
    pairs = []
    for check in table.checks:
        for predicate in check.parsed.predicates:
            if isinstance(predicate, NullOr):
                predicate = predicate.predicate
            if (
                isinstance(predicate, ColumnCompare)
                and predicate.op == "<>"
                and predicate.left in single
                and predicate.right in single
                and single[predicate.right].mode == "random"
            ):
                pairs.append((single[predicate.left], single[predicate.right]))
    return pairs


def _table_seed(
    plan: TablePlan,
    schema_plan: SchemaPlan,
    config: SeedConfig,
    identities: dict[str, list[tuple[str, int]]],
) -> TableSeed:
    table = plan.table
    fixed = config.fixed_rows.get(table.key)
    fixed_columns = {name for row in fixed for name in row} if fixed else set()
    seed = TableSeed(table, rows=0)
    seed.links = _links(plan, schema_plan, config, fixed_columns)
    link_columns = {c for link in seed.links for c in link.fk.columns}

    fields: list[FieldPlan] = []
    covered = set(link_columns)
    for field_plan in _own_fields(plan):
        column = field_plan.column
        covered.add(column.name)
        if column.name in link_columns:
            continue
        strategy = field_plan.strategy
        if strategy is None:
            if column.discriminator:
                field_plan = FieldPlan(column, None, "discriminator")
                fields.append(field_plan)  # filled below from the identities
                continue
            if column.autoincrement or column.primary_key:
                keyed = _key_strategy(column)
                if keyed is None and (column.kind in INTEGER_KINDS or column.kind is Kind.NUMERIC):
                    seed.sequences[column.name] = 1
                    continue
                if keyed is not None:
                    fields.append(FieldPlan(column, keyed, "key numbered by the seeder"))
                    continue
            continue  # left to the database (defaults, computed columns)
        fields.append(_apply_rule(field_plan, config, table))
    for column in table.columns:  # columns inference did not list (shared with a parent class)
        if column.name in covered or column.computed:
            continue
        if column.autoincrement and column.kind in INTEGER_KINDS:
            seed.sequences[column.name] = 1
            continue
        from fixturekit.infer.rules import infer_column

        fields.append(_apply_rule(infer_column(column, table), config, table))

    # Discriminators: rows taken by child classes carry the child's identity.
    for i, field_plan in enumerate(fields):
        if field_plan.strategy is None and field_plan.column.discriminator:
            own = _identity(table)
            if own is None and not field_plan.column.nullable:
                raise _fail(
                    f"{table.key}.{field_plan.column.name}: the polymorphic identity of "
                    "the class is unknown, so seeding cannot fill the discriminator."
                )
            segments = tuple(identities.get(table.key, ()))
            fields[i] = FieldPlan(field_plan.column, Segments(segments, own), "class identity")

    if fixed:
        fixed_fields = []
        by_name = {f.column.name: f for f in fields}
        for column in table.columns:
            if column.name not in fixed_columns:
                continue
            values = tuple(row.get(column.name, Fixed.MISSING) for row in fixed)
            base = by_name[column.name].strategy if column.name in by_name else None
            fixed_fields.append(FieldPlan(column, Fixed(values, base), "fixed rows"))
            by_name.pop(column.name, None)
            seed.sequences.pop(column.name, None)
        fields = [f for f in fields if f.column.name not in fixed_columns] + fixed_fields

    by_name = {f.column.name: f for f in fields}
    seed.combos, changed = _combos(table, by_name, seed.links, seed.sequences)
    seed.apart = _apart(table, seed.links)
    fields = [changed.get(f.column.name, f) for f in fields]
    seed.fields = _order_fields(table, fields)
    return seed


# --- row counts ----------------------------------------------------------------------------------


def _children_counts(counts: CountRange, parents: int, key: int) -> np.ndarray:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([key])))
    if counts.weights:
        values = np.array([c for c, _ in counts.weights])
        weights = np.array([w for _, w in counts.weights], dtype=np.float64)
        return values[rng.choice(len(values), parents, p=weights / weights.sum())]
    return rng.integers(counts.low, counts.high, parents, endpoint=True)


def _fit_total(per_parent: np.ndarray, total: int, counts: CountRange, key: int) -> np.ndarray:
    """Adjust children per parent, within the range, so that they add up to `total`."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([key, 1])))
    per_parent = per_parent.astype(np.int64)
    difference = total - int(per_parent.sum())
    if difference > 0:
        room = np.repeat(np.arange(len(per_parent)), counts.high - per_parent)
        chosen = rng.choice(len(room), difference, replace=False)
        np.add.at(per_parent, room[chosen], 1)
    elif difference < 0:
        spare = np.repeat(np.arange(len(per_parent)), per_parent - counts.low)
        chosen = rng.choice(len(spare), -difference, replace=False)
        np.subtract.at(per_parent, spare[chosen], 1)
    return per_parent


def _room(seed: TableSeed, counts: dict[str, int]) -> int:
    """The most rows a table's unique constraints allow, given its parents' counts: a table
    that only gets the default count is cut down to it instead of being refused."""
    room = [cap for f in seed.fields if (cap := field_capacity(f.strategy, f.column)) is not None]
    room += [
        counts.get(link.parent, 0) for link in seed.links if link.mode in ("distinct", "inherit")
    ]
    for combo in seed.combos:
        if combo.group is None:
            sizes = [
                counts.get(m.link.parent, 0) if m.link is not None else m.size
                for m in combo.members
            ]
            room.append(math.prod(sizes))
    return min(room, default=2**62)


def _size_tables(seeds: dict[str, TableSeed], order: list[str], config: SeedConfig) -> None:
    explicit = dict(config.rows)
    counts: dict[str, int] = {k: v for k, v in explicit.items() if k in seeds}

    def needs_of(parent: str) -> int | None:
        need = None
        for child in seeds.values():
            if child.key == parent or child.key not in counts:
                continue
            for link in child.links:
                if link.parent != parent or link.deferred or link.mode == "tree":
                    continue
                c = counts[child.key]
                if link.mode == "block":
                    if link.counts.mean == 0:
                        continue
                    required = math.ceil(c / max(link.counts.mean, 1e-9))
                elif link.mode in ("distinct", "inherit"):
                    required = c
                else:
                    required = math.ceil(c / CHILDREN_PER_PARENT)
                need = required if need is None else max(need, required)
        return need

    for key in reversed(order):  # children first: parents sized from what children need
        if key in counts:
            continue
        block = next((link for link in seeds[key].links if link.mode == "block"), None)
        if block is not None and block.parent in counts:
            continue
        need = needs_of(key)
        if need is not None:
            counts[key] = need

    inherit_totals: dict[str, int] = {}
    for key in order:
        seed = seeds[key]
        block = next((link for link in seed.links if link.mode == "block"), None)
        if key not in counts:
            if block is not None and block.parent in counts:
                parents = counts[block.parent]
                per = _children_counts(
                    block.counts, parents, stable_hash(config.seed, key, "children")
                )
                seed.block_ends = np.cumsum(per)
                counts[key] = int(seed.block_ends[-1]) if parents else 0
            else:
                counts[key] = min(config.default_rows, _room(seed, counts))
        elif block is not None:
            parents = counts.get(block.parent, 0)
            total = counts[key]
            low, high = parents * block.counts.low, parents * block.counts.high
            if not low <= total <= high:
                raise _fail(
                    f"{key}: {total:,} rows cannot be spread over {parents:,} {block.parent} rows "
                    f"with {block.counts.low}..{block.counts.high} each "
                    f"(possible: {low:,} to {high:,})."
                )
            per = _children_counts(block.counts, parents, stable_hash(config.seed, key, "children"))
            per = _fit_total(per, total, block.counts, stable_hash(config.seed, key, "fit"))
            seed.block_ends = np.cumsum(per)
        seed.rows = counts[key]
        for link in seed.links:
            if link.mode == "inherit":
                inherit_totals[link.parent] = inherit_totals.get(link.parent, 0) + seed.rows

    for parent, total in inherit_totals.items():
        if seeds[parent].rows < total:
            if parent in explicit:
                raise _fail(
                    f"{parent}: {seeds[parent].rows:,} rows cannot hold the {total:,} "
                    "rows of its subclasses' tables (each is also a row here)."
                )
            seeds[parent].rows = total


def _check(seeds: dict[str, TableSeed]) -> None:
    """Refuse, before writing, counts that constraints make impossible."""
    for seed in seeds.values():
        for f in seed.fields:
            cap = field_capacity(f.strategy, f.column)
            if cap is not None and seed.row_offset + seed.rows > cap:
                raise _fail(
                    f"{seed.key}.{f.column.name} is unique but can take only {cap:,} distinct "
                    f"values; {seed.row_offset + seed.rows:,} rows were asked for.",
                    hint=f"Ask for at most {cap:,} rows of {seed.key}.",
                )
        for link in seed.links:
            parent = seeds[link.parent]
            if seed.rows and parent.rows == 0 and not link.nullable:
                raise _fail(f"{seed.key} needs rows of {link.parent}, which gets none.")
            if link.mode == "distinct" and seed.rows > parent.rows:
                raise _fail(
                    f"{seed.key}.{link.name} is unique: {seed.rows:,} rows need as many "
                    f"{link.parent} rows, but it gets {parent.rows:,}."
                )
        for combo in seed.combos:
            sizes = _combo_sizes(combo, seeds)
            space = math.prod(sizes) if sizes else 1
            if combo.group is not None and seed.block_ends is not None and len(seed.block_ends):
                per = np.diff(np.concatenate([[0], seed.block_ends]))
                largest = int(per.max()) if len(per) else 0
                if largest > space:
                    raise _fail(
                        f"{seed.key}: UNIQUE ({', '.join(combo.columns)}) allows {space:,} "
                        f"rows per {combo.group.parent} row, but up to {largest:,} were asked for."
                    )
            elif seed.rows > space:
                raise _fail(
                    f"{seed.key}: UNIQUE ({', '.join(combo.columns)}) allows {space:,} distinct "
                    f"combinations; {seed.rows:,} rows were asked for.",
                    hint="Ask for fewer rows, or more rows in the tables it references.",
                )
            if space > 2**62:
                raise _fail(
                    f"{seed.key}: UNIQUE ({', '.join(combo.columns)}) spans too many "
                    "combinations to build."
                )


def _combo_sizes(combo: Combo, seeds: dict[str, TableSeed], shard: bool = False) -> list[int]:
    sizes = []
    for member in combo.members:
        if member.link is not None:
            parent = seeds[member.link.parent]
            sizes.append(parent.hi - parent.lo if shard else parent.rows)
        else:
            sizes.append(member.size)
    return sizes


def _keep(seeds: dict[str, TableSeed]) -> None:
    """Columns whose generated values must be kept: children copy them into foreign keys."""
    for seed in seeds.values():
        for link in seed.links:
            parent = seeds[link.parent]
            for column in link.fk.referred_columns:
                if column not in parent.sequences:
                    parent.keep.add(column)
        if seed.deferred:
            for column in seed.table.primary_key:
                if column not in seed.sequences:
                    seed.keep.add(column)
            if not seed.table.primary_key:
                raise _fail(
                    f"{seed.key} has a foreign key that closes a cycle but no primary "
                    "key to set it by."
                )


def shard_ranges(seeds: dict[str, TableSeed], order: list[str], shard: tuple[int, int]) -> None:
    index, total = shard
    for key in order:
        seed = seeds[key]
        block = next((link for link in seed.links if link.mode == "block"), None)
        inherit = next((link for link in seed.links if link.mode == "inherit"), None)
        if total == 1:
            seed.lo, seed.hi = 0, seed.rows
        elif block is not None and seed.block_ends is not None:
            parent = seeds[block.parent]
            ends = np.concatenate([[0], seed.block_ends])
            seed.lo, seed.hi = int(ends[parent.lo]), int(ends[parent.hi])
        elif inherit is not None:
            parent = seeds[inherit.parent]
            base = _inherit_base(seeds, seed, inherit)
            seed.lo = min(max(parent.lo - base, 0), seed.rows)
            seed.hi = min(max(parent.hi - base, 0), seed.rows)
        else:
            seed.lo, seed.hi = seed.rows * index // total, seed.rows * (index + 1) // total
        if total > 1 and seed.hi > seed.lo:
            for link in seed.links:
                parent = seeds[link.parent]
                if link.mode != "tree" and parent.hi <= parent.lo and not link.nullable:
                    raise _fail(
                        f"--shard {index + 1}/{total}: {link.parent} has {parent.rows:,} rows, too "
                        f"few to give every shard some for {seed.key}.",
                        hint="Use fewer shards or more rows in that table.",
                    )
            for combo in seed.combos:
                space = math.prod(_combo_sizes(combo, seeds, shard=True))
                if combo.group is None and seed.hi - seed.lo > space:
                    raise _fail(
                        f"--shard {index + 1}/{total}: {seed.key} gets {seed.hi - seed.lo:,} "
                        f"rows but UNIQUE ({', '.join(combo.columns)}) allows {space:,} "
                        "within the shard's slices of the tables it references.",
                        hint="Use fewer shards or more rows in those tables.",
                    )


def _inherit_base(seeds: dict[str, TableSeed], seed: TableSeed, link: Link) -> int:
    """First parent row of this subclass table: siblings take consecutive parent rows."""
    base = 0
    for other in seeds.values():
        if other is seed:
            return base
        if any(lk.mode == "inherit" and lk.parent == link.parent for lk in other.links):
            base += other.rows
    return base


def inherit_base(plan: SeedPlan, seed: TableSeed, link: Link) -> int:
    return _inherit_base(plan.tables, seed, link)


def build_plan(
    schema_plan: SchemaPlan,
    config: SeedConfig,
    *,
    today: dt.date,
    shard: tuple[int, int] = (0, 1),
    existing: dict[str, Existing] | None = None,
) -> SeedPlan:
    """The full seed plan. Raises FixturekitError for anything impossible."""
    if schema_plan.insert.forced:
        # Factories can leave such a key to the caller; a seed cannot insert either table
        # first. The strict insert plan raises the error that names the cycle.
        from fixturekit.schema.graph import insert_plan

        insert_plan(schema_plan.schema, strict=True)
    order = list(schema_plan.insert.order)
    seeds: dict[str, TableSeed] = {}
    # Subclass tables take parent rows; count them first so the parent knows its identities.
    identities: dict[str, list[tuple[str, int]]] = {}
    for key in order:
        seeds[key] = _table_seed(schema_plan.tables[key], schema_plan, config, {})
    _size_tables(seeds, order, config)
    for key in order:
        for link in seeds[key].links:
            if link.mode == "inherit":
                ident = _identity(seeds[key].table)
                identities.setdefault(link.parent, []).append((ident, seeds[key].rows))
    if identities:
        rows = {k: s.rows for k, s in seeds.items()}
        ends = {k: s.block_ends for k, s in seeds.items()}
        for key in order:
            seeds[key] = _table_seed(schema_plan.tables[key], schema_plan, config, identities)
            seeds[key].rows, seeds[key].block_ends = rows[key], ends[key]
    existing = existing or {}
    for key, seed in seeds.items():
        before = existing.get(key)
        if before is None:
            continue
        seed.row_offset = max([before.rows, *before.max_key.values()], default=0)
        for column in seed.sequences:
            seed.sequences[column] = before.max_key.get(column, 0) + 1
    _keep(seeds)
    _check(seeds)
    shard_ranges(seeds, order, shard)
    return SeedPlan(seeds, config.seed, today, shard)
