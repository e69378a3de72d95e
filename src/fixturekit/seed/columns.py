"""Generate tables chunk by chunk: keys, foreign keys and fields as bulk columns.

Memory stays flat: a table is produced CHUNK_ROWS rows at a time and each chunk is handed to the
loader (or the exporter) before the next is built. Only the key columns children copy into their
foreign keys are kept (`KeyStore`), and keys the seeder numbers itself are computed, not kept.

Every random draw comes from a generator keyed by (seed, table, column or link, first row of the
chunk), so a column's values do not depend on which other columns or tables exist, and a shard
computes exactly the rows the unsharded run would.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from fixturekit.errors import FixturekitError
from fixturekit.schema.model import Column
from fixturekit.seed import distributions  # noqa: F401  (registers the seed-only renderings)
from fixturekit.seed.plan import (
    CHUNK_ROWS,
    TREE_ROOTS,
    Combo,
    Link,
    SeedPlan,
    TableSeed,
)
from fixturekit.seed.sizing import inherit_base
from fixturekit.values.bulk import BulkContext, BulkError, Decimals, bulk_values, choice_values
from fixturekit.values.distinct import affine_permutation
from fixturekit.values.pools import object_array, stable_hash


@dataclass
class Chunk:
    """Rows [start, start + count) of a table: one array (or Decimals) per written column."""

    table: TableSeed
    start: int
    count: int
    columns: dict[str, Any]


def stream(seed: int, table: str, label: str, start: int) -> np.random.Generator:
    entropy = [seed, stable_hash(table), stable_hash(label), start]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


def take(values: Any, index: Any) -> Any:
    if isinstance(values, (np.ndarray, Decimals)):
        return values[index]
    return object_array(values)[index]


class KeyStore:
    """Values of the key columns children reference, for the rows this run generates."""

    def __init__(self, plan: SeedPlan) -> None:
        self.plan = plan
        self._arrays: dict[tuple[str, str], Any] = {}

    def put(self, seed: TableSeed, column: str, first_row: int, values: Any) -> None:
        size = seed.hi - seed.lo
        slot = (seed.key, column)
        if slot not in self._arrays:
            if isinstance(values, Decimals):
                self._arrays[slot] = Decimals(np.zeros(size, dtype=np.int64), values.places)
            elif (
                isinstance(values, np.ndarray)
                and values.dtype != object
                and not isinstance(values, np.ma.MaskedArray)
            ):
                self._arrays[slot] = np.empty(size, dtype=values.dtype)
            else:
                self._arrays[slot] = np.empty(size, dtype=object)
        target = self._arrays[slot]
        offset = first_row - seed.lo
        if isinstance(target, Decimals):
            target.units[offset : offset + len(values)] = np.ma.getdata(values.units)
        else:
            target[offset : offset + len(values)] = (
                values if isinstance(values, np.ndarray) else object_array(values)
            )

    def get(self, seed: TableSeed, column: str, rows: np.ndarray) -> Any:
        """Values of `column` for table rows `rows` (all inside this run's [lo, hi))."""
        if column in seed.sequences:
            return seed.sequences[column] + rows
        array = self._arrays.get((seed.key, column))
        if array is None:
            raise KeyError(f"{seed.key}.{column} was not kept for its children")
        return array[rows - seed.lo]


# --- foreign keys ------------------------------------------------------------------------------


def link_rows(
    plan: SeedPlan, seed: TableSeed, link: Link, start: int, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Parent row indexes for rows [start, start + count), and where the key is NULL."""
    parent = plan.tables[link.parent]
    rows = np.arange(start, start + count, dtype=np.int64)
    lo, size = parent.lo, max(parent.hi - parent.lo, 1)
    null = np.zeros(count, dtype=bool)
    rng = stream(plan.seed, seed.key, f"fk:{link.name}", start)
    if link.mode == "random":
        index = lo + (rng.random(count) * size).astype(np.int64)
    elif link.mode == "block":
        index = np.searchsorted(seed.block_ends, rows, side="right")
    elif link.mode == "distinct":
        key = stable_hash(plan.seed, seed.key, link.name, "distinct")
        index = lo + affine_permutation((rows - seed.lo) % size, size, key)
    elif link.mode == "inherit":
        index = inherit_base(plan, seed, link) + rows
    elif link.mode == "tree":
        # An earlier row of the same table: a forest, never a cycle.
        earlier = rows - seed.lo
        index = seed.lo + (rng.random(count) * earlier).astype(np.int64)
        first = earlier == 0
        if link.nullable:
            null = first | (rng.random(count) < TREE_ROOTS)
        index = np.where(first, rows, index)
    else:
        raise ValueError(f"link mode {link.mode} is filled by its composite unique set")
    if link.null_rate:
        null |= stream(plan.seed, seed.key, f"fk-null:{link.name}", start).random(count) < (
            link.null_rate
        )
    lo_ok = parent.lo if link.mode != "tree" else seed.lo
    hi_ok = parent.hi if link.mode != "tree" else seed.hi
    return np.clip(index, lo_ok, max(hi_ok - 1, lo_ok)), null


def _set_link(
    columns: dict[str, Any],
    store: KeyStore,
    plan: SeedPlan,
    link: Link,
    index: np.ndarray,
    null: np.ndarray,
) -> None:
    parent = plan.tables[link.parent]
    for column, referred in zip(link.fk.columns, link.fk.referred_columns, strict=True):
        values = store.get(parent, referred, index)
        columns[column] = _with_nulls(values, null)


def _with_nulls(values: Any, null: np.ndarray) -> Any:
    from fixturekit.seed.distributions import with_mask

    return with_mask(values, null) if null.any() else values


def _keep_apart(
    plan: SeedPlan,
    store: KeyStore,
    first: Link,
    second: Link,
    picked: dict[int, tuple[np.ndarray, np.ndarray]],
) -> None:
    """Move the second key to the next parent row where it equals the first (a CHECK `<>`)."""
    parent = plan.tables[second.parent]
    size = parent.hi - parent.lo
    if size < 2:
        return
    first_index, _ = picked[id(first)]
    second_index, null = picked[id(second)]
    a = store.get(plan.tables[first.parent], first.fk.referred_columns[0], first_index)
    b = store.get(parent, second.fk.referred_columns[0], second_index)
    same = np.flatnonzero(np.asarray(a == b, dtype=bool))
    if len(same):
        second_index = second_index.copy()
        second_index[same] = parent.lo + (second_index[same] - parent.lo + 1) % size
        picked[id(second)] = (second_index, null)


# --- composite unique sets ---------------------------------------------------------------------


def _coprime_strides(space: int) -> list[int]:
    strides = [
        s for s in (1, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47) if math.gcd(s, space) == 1
    ]
    return strides or [1]


def _combo_values(
    plan: SeedPlan,
    seed: TableSeed,
    combo: Combo,
    start: int,
    count: int,
    columns: dict[str, Any],
    store: KeyStore,
) -> None:
    rows = np.arange(start, start + count, dtype=np.int64)
    sizes = []
    for member in combo.members:
        if member.link is not None:
            parent = plan.tables[member.link.parent]
            sizes.append(max(parent.hi - parent.lo, 1))
        else:
            sizes.append(member.size)
    space = math.prod(sizes)
    key = stable_hash(plan.seed, seed.key, combo.columns)
    if combo.group is not None:
        group, _null = link_rows(plan, seed, combo.group, start, count)
        _set_link(columns, store, plan, combo.group, group, np.zeros(count, dtype=bool))
        ends = np.concatenate([[0], seed.block_ends])
        position = rows - ends[group]
        strides = np.array(_coprime_strides(space), dtype=np.int64)
        offset = (group.astype(object) * (key | 1) + (key >> 17)) % space
        stride = strides[group % len(strides)]
        value = (offset.astype(np.int64) + position * stride) % space
    else:
        value = affine_permutation((rows - seed.lo) % space, space, key)
    digits = []
    for size in reversed(sizes):
        value, digit = np.divmod(value, size)
        digits.append(digit)
    digits.reverse()
    for member, digit in zip(combo.members, digits, strict=True):
        if member.link is not None:
            parent = plan.tables[member.link.parent]
            _set_link(
                columns, store, plan, member.link, parent.lo + digit, np.zeros(count, dtype=bool)
            )
        else:
            columns[member.column] = _domain_values(
                member.strategy, seed.table.column(member.column), digit
            )


def _domain_values(strategy: Any, column: Column, index: np.ndarray) -> Any:
    from fixturekit.infer import strategies as st
    from fixturekit.values.bulk import typed

    if isinstance(strategy, st.Choice):
        values = object_array(list(dict.fromkeys(choice_values(strategy, column))))
        return typed(values[index], column.type)
    if isinstance(strategy, st.Boolean):
        return index == 1
    if isinstance(strategy, st.IntRange):
        return strategy.low + index
    raise ValueError(f"{column.name}: no finite domain")


# --- tables ------------------------------------------------------------------------------------


def _context(
    plan: SeedPlan, seed: TableSeed, column: Column, start: int, columns: dict[str, Any]
) -> BulkContext:
    return BulkContext(plan.seed, seed.key, column, seed.row_offset + start, plan.today, columns)


def _slice(values: Any, a: int, b: int) -> Any:
    if a == 0 and b == len(values):
        return values
    return values[a:b]


def generate_table(plan: SeedPlan, seed: TableSeed, store: KeyStore) -> Iterator[Chunk]:
    """The rows [seed.lo, seed.hi) of one table, chunk by chunk.

    A column whose values cannot be made (BulkError) is a user-facing error naming it.
    """
    try:
        yield from _generate_table(plan, seed, store)
    except BulkError as exc:
        raise FixturekitError(
            f"Seeding {seed.table.key} failed: {exc}",
            hint=f"Give the column values that fit in the seed config "
            f"([tables.{seed.table.key}.columns]), widen the column, or seed fewer rows.",
        ) from None


def _generate_table(plan: SeedPlan, seed: TableSeed, store: KeyStore) -> Iterator[Chunk]:
    if seed.hi <= seed.lo:
        return
    combo_columns = {m.column for c in seed.combos for m in c.members if m.link is None}
    combo_links = {id(m.link) for c in seed.combos for m in c.members if m.link is not None}
    combo_links |= {id(c.group) for c in seed.combos if c.group is not None}
    first = seed.lo - seed.lo % CHUNK_ROWS
    for start in range(first, seed.hi, CHUNK_ROWS):
        count = min(CHUNK_ROWS, seed.rows - start)
        a, b = max(seed.lo, start) - start, min(seed.hi, start + count) - start
        columns: dict[str, Any] = {}
        for name, first_value in seed.sequences.items():
            columns[name] = first_value + np.arange(start, start + count, dtype=np.int64)
        for combo in seed.combos:
            _combo_values(plan, seed, combo, start, count, columns, store)
        picked: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for link in seed.links:
            if link.mode in ("tree", "combo") or id(link) in combo_links:
                continue
            if link.deferred:
                for column in link.fk.columns:
                    columns[column] = np.full(count, None, dtype=object)
                continue
            picked[id(link)] = link_rows(plan, seed, link, start, count)
        for first, second in seed.apart:
            _keep_apart(plan, store, first, second, picked)
        for link in seed.links:
            if id(link) in picked:
                _set_link(columns, store, plan, link, *picked[id(link)])
        named = _Named(seed, columns)
        for field_plan in seed.fields:
            name = field_plan.column.name
            if name in combo_columns:
                continue
            ctx = _context(plan, seed, field_plan.column, start, named)
            columns[name] = bulk_values(field_plan.strategy, count, ctx)
        for name in seed.keep:
            if name in columns:
                store.put(seed, name, start + a, _slice(columns[name], a, b))
        for link in seed.links:
            if link.mode == "tree" and not link.deferred:
                index, null = link_rows(plan, seed, link, start, count)
                index = np.clip(index, seed.lo, start + b - 1)
                _set_link(columns, store, plan, link, index, null)
        out = {name: _slice(columns[name], a, b) for name in seed.columns}
        yield Chunk(seed, start + a, b - a, out)


class _Named(dict):
    """The chunk's columns by column name and by ORM attribute name (strategies use either)."""

    def __init__(self, seed: TableSeed, columns: dict[str, Any]) -> None:
        super().__init__()
        self._columns = columns
        self._alias = {c.key: c.name for c in seed.table.columns if c.key != c.name}

    def __getitem__(self, name: str) -> Any:
        return self._columns[self._alias.get(name, name)]

    def __contains__(self, name: object) -> bool:
        return self._alias.get(name, name) in self._columns  # type: ignore[arg-type]

    def keys(self):  # type: ignore[override]
        return self._columns.keys()

    def items(self):  # type: ignore[override]
        return self._columns.items()

    def __iter__(self):
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def deferred_updates(
    plan: SeedPlan, seed: TableSeed, link: Link, store: KeyStore
) -> Iterator[tuple[dict[str, Any], dict[str, Any], int]]:
    """(key columns, new foreign-key values, row count) for the UPDATE pass of a cycle key."""
    first = seed.lo - seed.lo % CHUNK_ROWS
    for start in range(first, seed.hi, CHUNK_ROWS):
        count = min(CHUNK_ROWS, seed.rows - start)
        a, b = max(seed.lo, start) - start, min(seed.hi, start + count) - start
        index, null = link_rows(plan, seed, link, start, count)
        values: dict[str, Any] = {}
        _set_link(values, store, plan, link, index, null)
        rows = np.arange(start + a, start + b, dtype=np.int64)
        keys = {name: store.get(seed, name, rows) for name in seed.table.primary_key}
        yield keys, {k: _slice(v, a, b) for k, v in values.items()}, b - a
