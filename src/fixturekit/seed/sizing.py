"""Row counts, the checks that refuse impossible ones, kept key columns, and shard slices."""

from __future__ import annotations

import math

import numpy as np

from fixturekit.errors import FixturekitError
from fixturekit.seed.config import CountRange, SeedConfig
from fixturekit.seed.plan import (
    CHILDREN_PER_PARENT,
    Combo,
    Link,
    SeedPlan,
    TableSeed,
    field_capacity,
)
from fixturekit.values.pools import stable_hash


def _fail(message: str, hint: str | None = None) -> FixturekitError:
    return FixturekitError(message, hint=hint)


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


def size_tables(seeds: dict[str, TableSeed], order: list[str], config: SeedConfig) -> None:
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


def check(seeds: dict[str, TableSeed]) -> None:
    """Refuse, before writing, counts that constraints make impossible."""
    for seed in seeds.values():
        for f in seed.fields:
            cap = field_capacity(f.strategy, f.column)
            if cap == 1 and seed.row_offset + seed.rows > 1:
                raise _fail(
                    f"{seed.key} holds a single row: {seed.key}.{f.column.name} is unique and "
                    f"its CHECK allows one value; {seed.row_offset + seed.rows:,} rows were "
                    "asked for.",
                    hint=f"Ask for {seed.key}=1 (or leave it out: it then gets its one row).",
                )
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


def keep(seeds: dict[str, TableSeed]) -> None:
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
            base = first_parent_row(seeds, seed, inherit)
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


def first_parent_row(seeds: dict[str, TableSeed], seed: TableSeed, link: Link) -> int:
    """First parent row of this subclass table: siblings take consecutive parent rows."""
    base = 0
    for other in seeds.values():
        if other is seed:
            return base
        if any(lk.mode == "inherit" and lk.parent == link.parent for lk in other.links):
            base += other.rows
    return base


def inherit_base(plan: SeedPlan, seed: TableSeed, link: Link) -> int:
    """First parent row of a subclass table: sibling subclass tables take consecutive rows."""
    return first_parent_row(plan.tables, seed, link)
