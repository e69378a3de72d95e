"""The seed planner: row counts, links between tables, and refusals before anything is written."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from seedhelp import SHOP_V1, TODAY

from fixturekit.errors import FixturekitError
from fixturekit.seed.config import build_config
from fixturekit.seed.plan import CHILDREN_PER_PARENT
from fixturekit.seed.planning import build_plan
from fixturekit.seed.run import SeedRequest, load_schema, run_seed, unique_columns

TINY = f"{Path(__file__).resolve().parent / 'tiny_models.py'}:Base"
CYCLE = f"{Path(__file__).resolve().parent / 'tiny_models.py'}:Cycle"


@pytest.fixture(scope="module")
def shop():
    return load_schema(SHOP_V1)


def plan(
    schema_and_plan,
    raw: dict | None = None,
    rows: dict | None = None,
    shard: tuple[int, int] = (0, 1),
):
    schema, schema_plan = schema_and_plan
    config = build_config(
        raw or {},
        schema,
        source="seed.toml",
        unique_columns=unique_columns(schema_plan),
        cli_rows=rows,
    )
    return build_plan(schema_plan, config, today=TODAY, shard=shard)


def test_tables_not_named_get_what_their_children_need(shop):
    seed_plan = plan(shop, rows={"orders": 300})
    assert seed_plan.tables["orders"].rows == 300
    assert seed_plan.tables["users"].rows == 300 // CHILDREN_PER_PARENT
    assert seed_plan.tables["profiles"].rows == 100  # default_rows, nothing asks for more
    deep = plan(shop, rows={"order_items": 900})
    assert deep.tables["orders"].rows == 300 and deep.tables["users"].rows == 100


def test_a_one_to_one_child_needs_a_parent_each(shop):
    seed_plan = plan(shop, rows={"profiles": 450})
    assert seed_plan.tables["users"].rows == 450
    with pytest.raises(
        FixturekitError, match=r"profiles\.user_id is unique: 450 rows need as many"
    ):
        plan(shop, rows={"profiles": 450, "users": 10})


def test_children_per_parent_decide_or_fit_the_child_count(shop):
    free = plan(shop, {"tables": {"users": {"children": {"orders": "1..3"}}}}, rows={"users": 50})
    assert 50 <= free.tables["orders"].rows <= 150
    fitted = plan(
        shop,
        {"tables": {"orders": {"per_parent": {"user_id": "0..5"}}}},
        rows={"users": 10, "orders": 37},
    )
    per_user = np.diff(np.concatenate([[0], fitted.tables["orders"].block_ends]))
    assert per_user.sum() == 37 and per_user.min() >= 0 and per_user.max() <= 5
    with pytest.raises(FixturekitError, match=r"cannot be spread over 10 users rows with 0\.\.5"):
        plan(
            shop,
            {"tables": {"orders": {"per_parent": {"user_id": "0..5"}}}},
            rows={"users": 10, "orders": 51},
        )


def test_composite_unique_sets_cap_the_row_count(shop):
    with pytest.raises(FixturekitError, match=r"UNIQUE \(product_id, tag_id\) allows 6 distinct"):
        plan(shop, rows={"products": 3, "tags": 2, "product_tags": 7})
    assert (
        plan(shop, rows={"products": 3, "tags": 2, "product_tags": 6}).tables["product_tags"].rows
        == 6
    )


def test_a_unique_enum_column_refuses_more_rows_than_labels():
    tiny = load_schema(TINY)
    assert plan(tiny, rows={"levels": 3}).tables["levels"].rows == 3
    with pytest.raises(FixturekitError, match=r"levels\.name is unique but can take only 3"):
        plan(tiny, rows={"levels": 4})


def test_a_cycle_of_not_null_keys_is_named():
    with pytest.raises(FixturekitError, match=r"cycle .*eggs -> hens -> eggs"):
        plan(load_schema(CYCLE))


def test_an_impossible_count_is_refused_before_connecting(tmp_path: Path):
    # The URL is unreachable: the refusal must come from the plan, first.
    request = SeedRequest(
        TINY, url="postgresql+psycopg://nobody@127.0.0.1:1/none", rows={"levels": 4}
    )
    with pytest.raises(FixturekitError, match="can take only 3"):
        run_seed(request)


def test_shards_cover_every_row_once(shop):
    rows = {"users": 101, "orders": 250, "order_items": 400}
    ranges: dict[str, list[tuple[int, int]]] = {}
    for index in range(4):
        for table in plan(shop, rows=rows, shard=(index, 4)):
            ranges.setdefault(table.key, []).append((table.lo, table.hi))
    for key, parts in ranges.items():
        total = plan(shop, rows=rows).tables[key].rows
        covered = sorted(parts)
        assert covered[0][0] == 0 and covered[-1][1] == total, key
        assert all(a[1] == b[0] for a, b in pairwise(covered)), key


def test_too_few_parent_rows_for_the_shards_are_refused(shop):
    assert plan(shop, rows={"teams": 2}, shard=(2, 3)).tables["teams"].hi == 2
    with pytest.raises(FixturekitError, match=r"--shard 1/3: teams has 2 rows"):
        plan(shop, rows={"teams": 2}, shard=(0, 3))


def test_a_composite_unique_set_must_fit_each_shard(shop):
    rows = {"products": 4, "tags": 4, "product_tags": 16}
    assert plan(shop, rows=rows).tables["product_tags"].rows == 16
    with pytest.raises(FixturekitError, match=r"--shard 1/2: product_tags gets 8 rows but UNIQUE"):
        plan(shop, rows=rows, shard=(0, 2))
