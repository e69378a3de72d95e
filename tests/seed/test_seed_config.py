"""The seed configuration: distributions replace inferred strategies, mistakes are named."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from seedhelp import SHOP_V1, TODAY

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.seed.columns import KeyStore, generate_table
from fixturekit.seed.config import build_config, parse_count_range, parse_rows_option, read_config
from fixturekit.seed.distributions import Shaped, WithNulls
from fixturekit.seed.planning import build_plan
from fixturekit.seed.run import load_schema, unique_columns


@pytest.fixture(scope="module")
def shop():
    return load_schema(SHOP_V1)


def config(shop, raw: dict, **extra):
    schema, schema_plan = shop
    return build_config(
        raw, schema, source="seed.toml", unique_columns=unique_columns(schema_plan), **extra
    )


def plan(shop, raw: dict, **extra):
    return build_plan(shop[1], config(shop, raw, **extra), today=TODAY)


def users(columns: dict) -> dict:
    return {"tables": {"users": {"columns": columns}}}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"tables": {"nope": {"rows": 3}}}, r"seed\.toml: \[tables\.nope\]: no table 'nope'"),
        (
            users({"shoe_size": {"null": 0.1}}),
            r"users\.columns\] shoe_size: table users has no column",
        ),
        (
            users({"role": {"weights": {"customer": "lots"}}}),
            r"role weights\.customer: the weight 'lots' is not a number",
        ),
        (users({"role": {"weights": {"superuser": 1}}}), r"'superuser' is not a value of the enum"),
        (
            users({"first_name": {"true": 0.9}}),
            r"first_name: a true rate does not fit the column's "
            r"type VARCHAR\(40\)",
        ),
        (users({"is_active": {"true": 9}}), r"is_active true: 9 is not a rate between 0 and 1"),
        (
            users({"balance": {"between": ["-2y", "today"]}}),
            r"balance between: the bounds .* must "
            r"be numbers",
        ),
        (users({"created_at": {"between": ["last week", "today"]}}), r"'last week' is not a date"),
        (
            users({"first_name": {"normal": {"mean": 3, "sd": 1}}}),
            r"normal or log-normal shape "
            r"does not fit",
        ),
        (users({"email": {"null": 0.2}}), r"email: the column is NOT NULL"),
        (users({"email": {"values": ["a@b.c"]}}), r"email: the column is unique"),
        (users({"balance": {"between": [-5, 10]}}), r"-5 is below the CHECK bound 0"),
        (users({"role": {"weights": {"admin": 1}, "true": 0.5}}), r"give one distribution"),
        (users({"role": {"colour": "red"}}), r"unknown key 'colour'"),
        (
            {"tables": {"orders": {"per_parent": {"shop_id": "1..3"}}}},
            r"orders has no foreign key 'shop_id'",
        ),
        ({"tables": {"users": {"children": {"orders": "5..1"}}}}, r"5\.\.1 is not a range"),
        ({"tables": {"tags": {"rows": [{"colour": "red"}]}}}, r"table tags has no column 'colour'"),
        ({"seed": -1}, r"seed: -1 is not a non-negative integer"),
        ({"today": "soon"}, r"today: 'soon' is not a date"),
        ({"rowz": 3}, r"unknown key 'rowz'"),
    ],
)
def test_mistakes_are_reported_with_where_they_are(shop, raw, message):
    with pytest.raises(FixturekitError, match=message):
        config(shop, raw)


def test_rows_on_the_command_line():
    assert parse_rows_option(("users=100,orders=300", "tags=5")) == {
        "users": 100,
        "orders": 300,
        "tags": 5,
    }
    for bad in ("users", "users=many", "=3", "users=-1"):
        with pytest.raises(FixturekitError, match="write TABLE=COUNT"):
            parse_rows_option((bad,))


def test_count_ranges():
    assert parse_count_range("0..5", "x").mean == 2.5
    assert parse_count_range(3, "x").low == 3
    weighted = parse_count_range({"weights": {"0": 1, "4": 3}}, "x")
    assert (weighted.low, weighted.high, weighted.mean) == (0, 4, 3.0)


def test_distributions_replace_the_inferred_strategies(shop):
    seed_plan = plan(
        shop,
        users(
            {
                "role": {"weights": {"customer": 80, "premium": 15, "admin": 5}},
                "is_active": {"true": 0.9},
                "created_at": {"between": ["-2y", "today"]},
                "birth_date": {"null": 0.3},
                "balance": {"lognormal": {"median": 40, "sigma": 0.7}, "between": [1, 900]},
            }
        ),
    )
    table = seed_plan.tables["users"]
    assert table.field("role").strategy == st.Choice(
        ("customer", "premium", "admin"), weights=(80.0, 15.0, 5.0)
    )
    assert table.field("is_active").strategy == st.Boolean(0.9)
    assert table.field("created_at").strategy == st.DateTimeRange("-2y", "today", False)
    birth = table.field("birth_date").strategy
    assert isinstance(birth, WithNulls) and birth.rate == 0.3
    assert isinstance(birth.base, st.DateRange)  # the inferred strategy, kept under the rate
    assert table.field("balance").strategy == Shaped("lognormal", 40.0, 0.7, 1.0, 900.0, 2)
    assert isinstance(table.field("email").strategy, st.PersonDerived)  # untouched: inferred


def rows_of(seed_plan, table: str) -> dict[str, list]:
    store = KeyStore(seed_plan)
    out: dict[str, list] = {}
    for seed in seed_plan:
        for chunk in generate_table(seed_plan, seed, store):
            if seed.key == table:
                for name, values in chunk.columns.items():
                    items = values.tolist() if hasattr(values, "tolist") else list(values)
                    out.setdefault(name, []).extend(items)
    return out


def test_populations_follow_the_configured_shapes(shop):
    seed_plan = plan(
        shop,
        {
            "tables": {
                "users": {
                    "rows": 5000,
                    "children": {"orders": "0..5"},
                    "columns": {
                        "role": {"weights": {"customer": 80, "premium": 15, "admin": 5}},
                        "is_active": {"true": 0.9},
                        "birth_date": {"null": 0.3},
                        "balance": {"normal": {"mean": 100, "sd": 10}, "between": [0, 999]},
                    },
                }
            }
        },
    )
    users_ = rows_of(seed_plan, "users")
    roles = np.array(users_["role"])
    assert abs((roles == "customer").mean() - 0.80) < 0.03
    assert abs((roles == "admin").mean() - 0.05) < 0.02
    assert abs(np.mean(users_["is_active"]) - 0.9) < 0.02
    assert abs(np.mean([b is None for b in users_["birth_date"]]) - 0.3) < 0.03
    balances = np.array([float(b) for b in users_["balance"]])
    assert abs(balances.mean() - 100) < 1.5 and abs(balances.std() - 10) < 1.5
    orders = np.bincount(np.array(rows_of(seed_plan, "orders")["user_id"]), minlength=5001)[1:]
    assert orders.min() == 0 and orders.max() == 5 and abs(orders.mean() - 2.5) < 0.1
    assert seed_plan.tables["orders"].rows == int(orders.sum())


def test_fixed_rows_for_a_lookup_table(shop):
    seed_plan = plan(shop, {"tables": {"tags": {"rows": [{"label": "new"}, {"label": "sale"}]}}})
    assert seed_plan.tables["tags"].rows == 2
    assert rows_of(seed_plan, "tags")["label"] == ["new", "sale"]


def test_a_configured_column_does_not_move_the_others(shop):
    plain = rows_of(plan(shop, {}), "users")
    styled = rows_of(
        plan(shop, users({"role": {"values": ["admin"]}, "birth_date": {"null": 0.5}})), "users"
    )
    assert styled["role"] == ["admin"] * len(plain["role"])
    for name in ("email", "username", "first_name", "balance", "created_at", "team_id"):
        assert styled[name] == plain[name], name
    birth = [b for b, p in zip(styled["birth_date"], plain["birth_date"], strict=True) if b]
    assert birth and all(b in plain["birth_date"] for b in birth)


def test_the_section_is_read_from_pyproject_or_a_file(tmp_path: Path):
    path = tmp_path / "seed.toml"
    path.write_text("seed = 5\n[tables.users]\nrows = 7\n")
    raw, source = read_config(path)
    assert raw == {"seed": 5, "tables": {"users": {"rows": 7}}} and source.endswith("seed.toml")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.fixturekit.seed]\ntoday = "2024-02-29"\n')
    assert read_config(pyproject)[0] == {"today": "2024-02-29"}


def test_cli_rows_and_seed_win_over_the_file(shop):
    resolved = config(
        shop, {"seed": 3, "tables": {"users": {"rows": 7}}}, cli_rows={"users": 9}, seed=4
    )
    assert resolved.seed == 4 and resolved.rows["users"] == 9
    assert config(shop, {"tables": {"users": {"columns": {"balance": {"value": 12.5}}}}}).columns[
        ("users", "balance")
    ].strategy == st.Literal(Decimal("12.5"))


def test_children_per_parent_inside_a_composite_unique_set(shop):
    seed_plan = plan(
        shop,
        {"tables": {"orders": {"children": {"order_items": "1..4"}}}},
        cli_rows={"orders": 400, "products": 5},
    )
    items = rows_of(seed_plan, "order_items")
    pairs = list(zip(items["order_id"], items["product_id"], strict=True))
    assert len(set(pairs)) == len(pairs) == seed_plan.tables["order_items"].rows
    per_order = np.bincount(np.array(items["order_id"]))[1:]
    assert per_order.min() >= 1 and per_order.max() <= 4
    with pytest.raises(FixturekitError, match=r"allows 5 rows per orders row, but up to 6"):
        plan(
            shop,
            {"tables": {"orders": {"children": {"order_items": "6"}}}},
            cli_rows={"orders": 10, "products": 5},
        )
