"""Building the seed plan: each table's layout, then row counts, checks and shard slices.

The data classes live in `fixturekit.seed.plan`; `layout` and `sizing` fill them in, and this
module runs them in order.
"""

from __future__ import annotations

import datetime as dt

from fixturekit.infer.plan import SchemaPlan
from fixturekit.schema.graph import insert_plan
from fixturekit.seed.config import SeedConfig
from fixturekit.seed.layout import identity, table_seed
from fixturekit.seed.plan import Existing, SeedPlan, TableSeed
from fixturekit.seed.sizing import check, keep, shard_ranges, size_tables


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
        insert_plan(schema_plan.schema, strict=True)
    order = list(schema_plan.insert.order)
    seeds: dict[str, TableSeed] = {}
    # Subclass tables take parent rows; count them first so the parent knows its identities.
    identities: dict[str, list[tuple[str, int]]] = {}
    for key in order:
        seeds[key] = table_seed(schema_plan.tables[key], schema_plan, config, {})
    size_tables(seeds, order, config)
    for key in order:
        for link in seeds[key].links:
            if link.mode == "inherit":
                ident = identity(seeds[key].table)
                identities.setdefault(link.parent, []).append((ident, seeds[key].rows))
    if identities:
        rows = {k: s.rows for k, s in seeds.items()}
        ends = {k: s.block_ends for k, s in seeds.items()}
        for key in order:
            seeds[key] = table_seed(schema_plan.tables[key], schema_plan, config, identities)
            seeds[key].rows, seeds[key].block_ends = rows[key], ends[key]
    existing = existing or {}
    for key, seed in seeds.items():
        before = existing.get(key)
        if before is None:
            continue
        seed.row_offset = max([before.rows, *before.max_key.values()], default=0)
        for column in seed.sequences:
            seed.sequences[column] = before.max_key.get(column, 0) + 1
    keep(seeds)
    check(seeds)
    shard_ranges(seeds, order, shard)
    return SeedPlan(seeds, config.seed, today, shard)
