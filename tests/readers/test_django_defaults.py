"""Django defaults in the neutral model and in factories (examples/django_shop)."""

from __future__ import annotations

import pytest
from test_django import read_shop

from fixturekit.infer import strategies as st
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.model import DefaultForm, Schema


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Schema:
    return read_shop(tmp_path_factory.mktemp("django_defaults"))


def test_django_defaults_are_described_as_plain_values(shop):
    tier = shop.table("accounts_user").column("tier").default
    assert (tier.form, tier.value, tier.text) == (DefaultForm.SCALAR, "basic", "Tier.BASIC")
    assert type(tier.value) is str  # the TextChoices member, as the value the database stores
    external = shop.table("accounts_user").column("external_id").default
    assert (external.form, external.text) == (DefaultForm.CALLABLE, "uuid4()")
    primary = shop.table("accounts_address").column("is_primary").default
    assert primary.value is False


def test_django_factories_keep_defaults_and_make_a_usable_user(shop):
    plan = plan_schema(shop)

    def field(table, column):
        return plan.table(table).field(column)

    assert field("accounts_address", "is_primary").strategy == st.Literal(False)
    assert field("accounts_address", "country").strategy == st.Literal("FR")
    assert field("orders_orderline", "quantity").strategy == st.Literal(1)
    assert field("accounts_user", "external_id").strategy is None
    assert field("accounts_user", "tier").strategy is None  # choices: Django applies it
    assert field("accounts_user", "is_active").strategy == st.Literal(True)
    assert field("accounts_user", "is_staff").strategy == st.Literal(False)
    assert field("accounts_user", "is_superuser").strategy == st.Literal(False)
    # shipped_at is placed after placed_at, so placed_at is declared rather than left to Django
    placed = field("orders_order", "placed_at")
    assert placed.strategy is not None and "placed after it" in placed.reason
