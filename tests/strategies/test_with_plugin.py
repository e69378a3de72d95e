"""The documented pattern: `@given` tests that use the plugin's `db_session`, every example in
a savepoint of its own, and the worked example of docs/strategies.md (a real rounding bug)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import find, settings
from hypothesis import strategies as hs

from examples.shop import pricing
from examples.shop.models import Order, User
from fixturekit.strategies import graphs

ROOT = Path(__file__).resolve().parents[2]

PROPERTY_TESTS = """
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from examples.shop import pricing
from examples.shop.models import Order, OrderItem
from fixturekit.strategies import graphs, save, savepoint

# db_session is function-scoped: one session serves every example of the test. Each example
# runs in a savepoint of its own and is rolled back, so the health check's worry (state
# carried from one example to the next) does not apply.
EACH_EXAMPLE_ROLLED_BACK = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@EACH_EXAMPLE_ROLLED_BACK
@given(order=graphs(Order, children={"items": (1, 3)}))
def test_checkout_charges_what_the_invoice_says(db_session, order):
    with savepoint(db_session):
        save(order, db_session)
        # only this example's rows are there: the earlier examples were rolled back
        assert db_session.scalar(select(func.count()).select_from(Order)) == 1
        assert pricing.order_total(order) == pricing.invoiced_total(db_session, order.id)


def test_nothing_is_left_after_the_examples(db_session):
    assert db_session.scalar(select(func.count()).select_from(OrderItem)) == 0
"""


@pytest.fixture(autouse=True)
def _no_outer_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def test_given_with_db_session_rolls_back_every_example(pytester: Any, pg_admin_url) -> None:
    url = pg_admin_url.set(database=f"fkh_{uuid.uuid4().hex[:8]}")
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        f'fixturekit_models = "{ROOT / "examples" / "shop" / "models.py"}"\n'
    )
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(test_properties=PROPERTY_TESTS)
    result = pytester.runpytest(
        "-p", "no:randomly", f"--fixturekit-url={url.render_as_string(False)}"
    )
    result.assert_outcomes(passed=2)


def test_the_property_finds_the_float_rounding_bug() -> None:
    buyer = User(email="buyer@example.org")  # the property is about prices: keep users out of it
    # discounts are round percentages in practice: an override may be a strategy
    discounts = hs.sampled_from([Decimal(p) for p in ("5", "10", "12.5", "15", "20", "25", "50")])
    order = find(
        graphs(Order, children={"items": (1, 3)}, user=buyer, discount_percent=discounts),
        lambda o: pricing.order_total_float(o) != pricing.order_total(o),
        settings=settings(database=None, max_examples=1000, deadline=None, derandomize=True),
    )
    # shrunk to one line item whose discounted price ends in exactly half a cent
    assert len(order.items) == 1
    exact = sum(i.unit_price * i.quantity for i in order.items) * (
        1 - (order.discount_percent or Decimal(0)) / 100
    )
    assert exact.as_tuple().exponent <= -3 and str(exact).rstrip("0").endswith("5")
