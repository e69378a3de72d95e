"""The Django reader on examples/django_shop.

Django can be configured once per process, so each read runs in a child process that pickles
the schema back; this keeps Django's global settings out of the rest of the suite.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from fixturekit.schema.model import Kind, RelationKind, Schema, Unique

SHOP = Path(__file__).resolve().parents[2] / "examples" / "django_shop"

_CHILD = """
import pickle, sys
from fixturekit.errors import FixturekitError
from fixturekit.schema.django import read_django
labels, settings, out = pickle.loads(bytes.fromhex(sys.argv[1]))
try:
    result = read_django(labels, settings=settings)
except FixturekitError as exc:
    result = ("error", exc.message, exc.hint)
with open(out, "wb") as fh:
    pickle.dump(result, fh)
"""


def read_shop(tmp_path, labels=None, settings="shop_project.settings", **env) -> Schema | tuple:
    out = tmp_path / f"schema-{len(list(tmp_path.iterdir()))}.pickle"
    arg = pickle.dumps((labels, settings, str(out))).hex()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    child_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, arg],
        cwd=SHOP,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return pickle.loads(out.read_bytes())


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Schema:
    return read_shop(tmp_path_factory.mktemp("django"))


def test_tables_of_the_project_apps_and_what_they_reference(shop):
    assert set(shop.tables) == {
        # project apps (the proxy FeaturedProduct and the abstract Timestamped have no table)
        "accounts_user", "accounts_user_groups", "accounts_user_user_permissions",
        "accounts_address", "catalog_category", "catalog_tag", "shop_product",
        "shop_product_tags", "catalog_digitalproduct", "catalog_productimage", "orders_order",
        "orders_orderline", "orders_payment", "reviews_comment",
        # referenced by them: the user's groups and permissions, the comments' content type
        "auth_group", "auth_permission", "django_content_type",
    }  # fmt: skip
    assert shop.source == "django:accounts,catalog,orders,reviews"


def test_custom_user_model(shop):
    user = shop.table("accounts_user")
    assert str(user.model) == "accounts.models:User"
    tier = user.column("tier")
    assert (tier.kind, tier.type.enum_values, tier.type.length) == (
        Kind.ENUM, ("basic", "plus", "gold"), 5,
    )  # fmt: skip
    assert tier.client_default  # default=Tier.BASIC
    assert user.column("email").semantic == "email"
    assert (user.column("last_ip").kind, user.column("last_ip").semantic) == (Kind.INET, "ip")
    external = user.column("external_id")
    assert (external.kind, external.unique, external.client_default) == (Kind.UUID, True, True)
    assert user.column("username").unique and user.column("username").type.length == 150
    assert user.column("id").autoincrement and user.column("id").kind is Kind.BIGINT
    assert user.column("birth_date").nullable and not user.column("phone").nullable
    groups = {r.name: r for r in user.relationships}["groups"]
    assert (groups.kind, groups.target, groups.secondary) == (
        RelationKind.MANY_TO_MANY, "auth_group", "accounts_user_groups",
    )  # fmt: skip


def test_auto_created_through_table(shop):
    tags = shop.table("shop_product_tags")
    assert str(tags.model) == "catalog.models:Product.tags.through"
    assert {fk.referred_table for fk in tags.foreign_keys} == {"shop_product", "catalog_tag"}
    assert tags.uniques == [Unique(("product_id", "tag_id"))]
    assert tags.column("id").autoincrement


def test_product_constraints_choices_and_db_table(shop):
    product = shop.table("shop_product")  # Meta.db_table
    assert str(product.model) == "catalog.models:Product"
    price = product.column("price")
    assert (price.kind, price.type.precision, price.type.scale) == (Kind.NUMERIC, 8, 2)
    checks = {c.name: c.sql for c in product.checks}
    assert checks["product_price_positive"] == '"price" > 0'
    assert checks[None] == '"weight_grams" >= 0'  # Django's own check for a positive field
    assert product.column("status").type.enum_values == ("draft", "active", "retired")
    assert product.column("slug").semantic == "slug" and product.column("slug").unique
    assert product.column("website").semantic == "url"
    assert product.column("attributes").kind is Kind.JSON
    # Fields of the abstract parent, filled by Django on save.
    assert product.column("created_at").client_default  # auto_now_add
    assert product.column("updated_at").client_default  # auto_now
    assert product.column("created_at").type.timezone  # USE_TZ = True
    relations = {r.name: r.kind for r in product.relationships}
    assert relations["category"] is RelationKind.MANY_TO_ONE
    assert relations["tags"] is RelationKind.MANY_TO_MANY
    assert relations["images"] is RelationKind.ONE_TO_MANY
    assert "featuredproduct" not in str(shop.tables).lower()  # proxy: no table


def test_multi_table_inheritance(shop):
    digital = shop.table("catalog_digitalproduct")
    assert digital.inherits == "shop_product"
    assert digital.primary_key == ("product_ptr_id",)
    ptr = digital.column("product_ptr_id")
    assert ptr.primary_key and not ptr.autoincrement
    assert [fk.referred_table for fk in digital.foreign_keys] == ["shop_product"]
    assert not digital.has_column("price")  # the parent's columns stay in the parent table
    assert digital.column("license_period").kind is Kind.INTERVAL
    # The parent link is the inheritance, not a relation to fill.
    assert [r.name for r in digital.relationships] == []


def test_unique_together_db_column_and_binary(shop):
    image = shop.table("catalog_productimage")
    assert image.uniques == [Unique(("product_id", "position"))]
    caption = image.column("caption_text")
    assert (caption.attribute, caption.key) == ("caption", "caption")
    assert (image.column("data").kind, image.column("data").type.length) == (Kind.BINARY, 4096)


def test_conditional_unique_and_q_checks(shop):
    address = shop.table("accounts_address")
    assert address.uniques == [Unique(("user_id",), "one_primary_address", '"is_primary"')]
    assert not address.column("user_id").unique  # only where the condition holds
    order = shop.table("orders_order")
    assert {c.name: c.sql for c in order.checks} == {
        "order_shipped_after_placed": '("shipped_at" IS NULL OR "shipped_at" >= ("placed_at"))'
    }
    status = order.column("status")  # integer choices keep the integer kind
    assert (status.kind, status.type.enum_values) == (Kind.SMALLINT, ("1", "2", "3"))
    line = shop.table("orders_orderline")
    assert '("quantity" >= 1 AND "quantity" <= 100)' in {c.sql for c in line.checks}
    assert line.uniques == [Unique(("order_id", "product_id"))]
    products = {r.name: r for r in order.relationships}["products"]
    assert products.secondary == "orders_orderline"  # the explicit through model's table


def test_one_to_one_primary_key(shop):
    payment = shop.table("orders_payment")
    assert payment.primary_key == ("order_id",)
    assert not payment.column("order_id").autoincrement
    order = {r.name: r for r in shop.table("orders_order").relationships}
    assert order["payment"].kind is RelationKind.ONE_TO_ONE


def test_generic_foreign_key_is_recorded(shop):
    comment = shop.table("reviews_comment")
    generic = [r for r in comment.relationships if r.kind is RelationKind.GENERIC]
    assert len(generic) == 1
    assert generic[0].name == "target"
    assert generic[0].local_columns == ("content_type_id", "object_id")
    assert generic[0].target == "django_content_type"
    assert comment.column("comment_text").attribute == "body"


def test_postgresql_sql_needs_no_connection(tmp_path):
    # The database named here does not exist: compiling SQL must not connect.
    shop = read_shop(tmp_path, ["accounts", "catalog"], DJANGO_SHOP_PG_NAME="fkt_never_created")
    address = shop.table("accounts_address")
    assert address.uniques[0].where == '"is_primary"'
    product = shop.table("shop_product")
    assert product.column("attributes").type.binary_json  # jsonb
    assert product.column("id").type.sql == "bigint"
    assert shop.table("accounts_user").column("last_ip").type.sql == "inet"
    assert "reviews_comment" not in shop.tables


def test_contrib_apps_only_when_named(tmp_path, shop):
    assert "auth_group_permissions" not in shop.tables
    contrib = read_shop(tmp_path, ["auth", "contenttypes"])
    assert set(contrib.tables) == {
        "auth_permission", "auth_group", "auth_group_permissions", "django_content_type",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("labels", "settings", "message"),
    [
        (["nosuchapp"], "shop_project.settings", "No installed Django app with the label"),
        (None, "shop_project.nosuch", "could not be loaded: no module named"),
        (None, None, "Django settings are not set"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, labels, settings, message):
    kind, text, hint = read_shop(tmp_path, labels, settings)
    assert kind == "error"
    assert message in text
    if labels:
        assert "catalog" in hint  # lists the installed labels
