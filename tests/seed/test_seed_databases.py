"""Seeding real PostgreSQL, MariaDB and SQLite databases: constraints, determinism, stability
under schema change, atomicity, refusal of non-empty tables, seed files and shards."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from seedhelp import (
    KITCHEN_SINK,
    SHOP_V1,
    SHOP_V2,
    TODAY,
    count,
    create_schema,
    table_hash,
    table_rows,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from fixturekit.errors import FixturekitError
from fixturekit.seed.replay import LoadRequest, run_load
from fixturekit.seed.run import SeedRequest, run_seed

ROWS = {
    "teams": 20,
    "users": 300,
    "profiles": 200,
    "categories": 30,
    "products": 150,
    "tags": 25,
    "product_tags": 200,
    "orders": 500,
    "order_items": 1_200,
}
V1_COLUMNS = {
    "teams": ["id", "name", "captain_id"],
    "users": [
        "id",
        "email",
        "username",
        "first_name",
        "last_name",
        "role",
        "country_code",
        "is_active",
        "balance",
        "birth_date",
        "created_at",
        "team_id",
    ],
    "profiles": ["id", "user_id", "bio"],
    "categories": ["id", "name", "parent_id"],
    "products": ["id", "sku", "name", "price", "stock", "category_id"],
    "tags": ["id", "label"],
    "orders": ["id", "user_id", "status", "placed_at", "shipped_at"],
    "order_items": ["id", "order_id", "product_id", "quantity"],
}


def seed(url: URL | None, models: str = SHOP_V1, **options) -> dict[str, int]:
    options.setdefault("rows", ROWS)
    options.setdefault("seed", 11)
    options.setdefault("today", TODAY)
    target = url.render_as_string(hide_password=False) if url is not None else None
    return run_seed(SeedRequest(models=models, url=target, **options)).rows


def hashes(url: URL, columns: dict[str, list[str]] = V1_COLUMNS) -> dict[str, str]:
    result = {table: table_hash(url, table, cols) for table, cols in columns.items()}
    result["product_tags"] = table_hash(url, "product_tags", order="product_id, tag_id")
    return result


def test_every_constraint_holds(shop_url: URL):
    written = seed(shop_url)
    assert written == ROWS
    for table, rows in ROWS.items():
        assert count(shop_url, table) == rows
    users = table_rows(shop_url, "users", V1_COLUMNS["users"])
    emails = [u[1] for u in users]
    usernames = [u[2] for u in users]
    assert len(set(emails)) == len(emails) and len(set(usernames)) == len(usernames)
    assert all(
        re.fullmatch(r"[a-z0-9._+-]+@[a-z0-9.-]+\.[a-z]+", e) and len(e) <= 120 for e in emails
    )
    assert all(u == u.lower() and len(u) <= 30 for u in usernames)
    assert {u[5] for u in users} <= {"customer", "premium", "admin"}
    assert all(len(u[6]) == 2 for u in users)
    assert all(Decimal(0) <= Decimal(str(u[8])) <= Decimal("999.99") for u in users)
    teams = table_rows(shop_url, "teams", V1_COLUMNS["teams"])
    user_ids = {u[0] for u in users}
    assert all(t[2] in user_ids for t in teams), "the cycle-closing key was not filled in"
    profiles = table_rows(shop_url, "profiles", V1_COLUMNS["profiles"])
    assert len({p[1] for p in profiles}) == len(profiles), "one-to-one key repeats"
    categories = table_rows(shop_url, "categories", V1_COLUMNS["categories"])
    assert all(c[2] is None or c[2] < c[0] for c in categories), "the tree has a cycle"
    assert any(c[2] is not None for c in categories)
    products = table_rows(shop_url, "products", V1_COLUMNS["products"])
    assert all(Decimal(str(p[3])) > 0 and 0 <= p[4] <= 1000 and len(p[1]) <= 12 for p in products)
    orders = table_rows(shop_url, "orders", V1_COLUMNS["orders"])
    assert {o[2] for o in orders} <= {"pending", "paid", "shipped", "cancelled"}
    assert all(o[4] is None or o[4] > o[3] for o in orders)
    items = table_rows(shop_url, "order_items", V1_COLUMNS["order_items"])
    pairs = [(i[1], i[2]) for i in items]
    assert len(set(pairs)) == len(pairs) and all(i[3] > 0 for i in items)
    tags = table_rows(shop_url, "product_tags", ["product_id", "tag_id"], "product_id, tag_id")
    assert len(set(tags)) == len(tags)


def test_kitchen_sink_schema_on_postgres(pg_url: URL, monkeypatch):
    """Every constraint kind of the foundation's example schema, through the fast path (keys
    and indexes dropped and re-created in the load's transaction)."""
    from fixturekit.seed import load as seed_load

    monkeypatch.setattr(seed_load, "FAST_PATH_MIN_ROWS", 0)
    create_schema(pg_url, KITCHEN_SINK)
    before = _constraints(pg_url)
    written = seed(pg_url, KITCHEN_SINK, rows={"accounts": 150, "transfers": 300})
    assert written["transfers"] == 300 and written["managers"] > 0
    assert _constraints(pg_url) == before
    groups = table_rows(pg_url, "groups", ["code"], "code")
    assert all(g[0] == g[0].upper() for g in groups)
    transfers = table_rows(pg_url, "transfers", ["from_account_id", "to_account_id", "reference"])
    assert all(t[0] != t[1] and t[2].startswith("TR-") for t in transfers)
    with create_engine(pg_url).connect() as conn:
        managed = conn.execute(
            text(
                "SELECT count(*) FROM managers m JOIN employees e USING (id) "
                "WHERE e.kind = 'manager'"
            )
        ).scalar_one()
    assert managed == written["managers"], "subclass rows must carry the subclass identity"


def _constraints(url: URL) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace UNION ALL "
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "ORDER BY 1, 2, 3"
            )
        ).fetchall()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_the_same_seed_gives_the_same_data(shop_url: URL):
    seed(shop_url)
    first = hashes(shop_url)
    seed(shop_url, truncate=True)
    assert hashes(shop_url) == first
    seed(shop_url, truncate=True, seed=12)
    changed = hashes(shop_url)
    assert all(changed[t] != first[t] for t in ("users", "products", "orders"))


def test_adding_a_column_or_a_table_keeps_the_other_values(any_url: URL):
    create_schema(any_url, SHOP_V1)
    seed(any_url)
    before = hashes(any_url)
    _recreate(any_url, SHOP_V1, SHOP_V2)
    written = seed(any_url, SHOP_V2)
    assert written["reviews"] > 0
    assert hashes(any_url) == before
    nicknames = table_rows(any_url, "users", ["nickname"])
    assert any(n[0] for n in nicknames), "the new column is filled too"


def _recreate(url: URL, old: str, new: str) -> None:
    from fixturekit.schema.loading import load_models

    engine = create_engine(url)
    try:
        for metadata in load_models(old).metadatas:
            metadata.drop_all(engine)
        for metadata in load_models(new).metadatas:
            metadata.create_all(engine)
    finally:
        engine.dispose()


class Boom(Exception):
    pass


@pytest.mark.parametrize("fast", [False, True])
def test_a_failure_midway_leaves_every_table_as_it_was(shop_url: URL, fast: bool, monkeypatch):
    if fast and shop_url.get_backend_name() != "postgresql":
        pytest.skip("the drop-and-rebuild path is PostgreSQL's")
    from fixturekit.seed import load as seed_load

    monkeypatch.setattr(seed_load, "FAST_PATH_MIN_ROWS", 0 if fast else 10**9)
    before = _constraints(shop_url) if shop_url.get_backend_name() == "postgresql" else None
    loaded: list[str] = []

    def explode(chunk) -> None:
        loaded.append(chunk.table.key)
        if chunk.table.key == "orders":
            raise Boom("injected failure while loading orders")

    with pytest.raises(Boom):
        run_seed(
            SeedRequest(
                SHOP_V1,
                shop_url.render_as_string(hide_password=False),
                rows=ROWS,
                seed=1,
                today=TODAY,
            ),
            on_chunk=explode,
        )
    assert "users" in loaded and "products" in loaded  # earlier tables had been written
    for table in ROWS:  # ... and a fresh connection sees none of it
        assert count(shop_url, table) == 0, table
    if before is not None:
        assert _constraints(shop_url) == before


def test_tables_with_rows_are_refused_unless_appending_or_truncating(shop_url: URL):
    engine = create_engine(shop_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO tags (id, label) VALUES (1, 'existing')"))
    engine.dispose()
    with pytest.raises(FixturekitError, match=r"tags already has rows.*nothing was written"):
        seed(shop_url)
    assert count(shop_url, "tags") == 1 and count(shop_url, "users") == 0
    seed(shop_url, append=True)
    assert count(shop_url, "tags") == ROWS["tags"] + 1
    assert count(shop_url, "users") == ROWS["users"]
    seed(shop_url, append=True)  # twice: new keys and unique values do not collide
    assert count(shop_url, "users") == 2 * ROWS["users"]
    seed(shop_url, truncate=True)
    assert count(shop_url, "tags") == ROWS["tags"] and count(shop_url, "users") == ROWS["users"]


def test_seed_files_round_trip_and_explain_drift(shop_url: URL, tmp_path: Path):
    folder = tmp_path / "seeds"
    seed(shop_url, export=folder)
    direct = hashes(shop_url)
    files = sorted(p.name for p in folder.iterdir())
    assert "manifest.json" in files and "users.csv" in files
    assert any(".cycle." in name for name in files)
    url = shop_url.render_as_string(hide_password=False)
    run_load(LoadRequest(folder, url, truncate=True))
    assert hashes(shop_url) == direct
    seed(None, export=tmp_path / "again")  # files alone, without a database
    for name in files:
        assert (folder / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    with pytest.raises(FixturekitError, match=r"users\.nickname .* is new in the models"):
        run_load(LoadRequest(folder, url, models=SHOP_V2, truncate=True))
    assert count(shop_url, "users") == ROWS["users"]


def test_shards_are_disjoint_slices_of_one_seed(pg_url: URL):
    create_schema(pg_url, SHOP_V1)
    totals: dict[str, int] = {}
    for index in range(3):
        for table, rows in seed(pg_url, shard=(index, 3)).items():
            totals[table] = totals.get(table, 0) + rows
    assert totals == ROWS
    for table, rows in ROWS.items():
        assert count(pg_url, table) == rows
    emails = [u[0] for u in table_rows(pg_url, "users", ["email"])]
    assert len(set(emails)) == len(emails)


def test_rows_read_back_through_the_orm_and_keys_continue(shop_url: URL):
    from sqlalchemy.orm import Session

    from fixturekit.schema.loading import load_models

    seed(shop_url, rows={**ROWS, "profiles": 40, "users": 50, "orders": 80, "order_items": 100})
    loaded = load_models(SHOP_V1)
    engine = create_engine(shop_url)
    try:
        with Session(engine) as session:
            for cls in loaded.classes:
                for obj in session.query(cls).limit(20):
                    for column in cls.__table__.columns:
                        getattr(obj, column.key)  # parses every stored value
            by_table = {c.__tablename__: c for c in loaded.classes}
            user = session.query(by_table["users"]).first()
            assert isinstance(user.balance, Decimal) and user.created_at.year >= 2023
            assert session.query(by_table["orders"]).first().status.name in (
                "pending",
                "paid",
                "shipped",
                "cancelled",
            )
            tag_class = by_table["tags"]
            session.add(tag_class(label="added-later"))  # the key sequence moved past the seed
            session.commit()
    finally:
        engine.dispose()
    assert count(shop_url, "tags") == ROWS["tags"] + 1


def test_myisam_tables_are_refused(mysql_url: URL):
    legacy = f"{Path(__file__).resolve().parent / 'tiny_models.py'}:Legacy"
    create_schema(mysql_url, legacy)
    with pytest.raises(FixturekitError, match=r"notes use the MyISAM engine"):
        seed(mysql_url, legacy, rows={"notes": 10})
    assert count(mysql_url, "notes") == 0
