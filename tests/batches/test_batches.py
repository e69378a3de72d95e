"""create_batch on generated factories gives what per-row create gives, on every database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fixturekit.factory_batch import fields_of

from .models import Customer, Order, OrderLine, Tier, audit_log


def count(session, table) -> int:
    return session.scalar(select(func.count()).select_from(table))


def check_customers(customers: list[Customer]) -> None:
    """The rules of bt_customers, checked in Python as well as by the database."""
    for column in ("email", "member_code", "loyalty_number"):
        values = [getattr(c, column) for c in customers]
        assert len(set(values)) == len(values), column
    for c in customers:
        assert len(c.country_code) == 2
        assert len(c.member_code) <= 4 and len(c.email) <= 120
        assert isinstance(c.tier, Tier)
        assert c.first_name and c.last_name == c.first_name.upper()  # the user's LazyAttribute


def test_generated_declarations_are_drawn_in_bulk(factories) -> None:
    customer = fields_of(factories.CustomerFactory)
    # the user's LazyAttribute is evaluated per row, and so is the email made from its names;
    # every other generated column in bulk
    assert list(customer.per_row) == ["last_name", "email"]
    assert {f.name for f in customer.bulk} >= {"member_code", "tier", "created_at"}
    order = fields_of(factories.OrderFactory)
    assert order.per_row == {} and set(order.parents) == {"customer"}
    assert "shipped_at" in {f.name for f in order.bulk}


def test_batch_keeps_every_rule_with_rows_made_one_by_one(session, factories) -> None:
    before = [factories.OrderLineFactory.create() for _ in range(3)]
    lines = factories.OrderLineFactory.create_batch(150)
    after = [factories.OrderLineFactory.create() for _ in range(3)]
    made = before + lines + after
    assert len(lines) == 150
    # keys populated, attached to the session, in creation order
    assert all(line.id is not None and line in session for line in lines)
    assert [line.id for line in lines] == sorted(line.id for line in lines)
    # one order per line, one customer per order, as factory_boy makes them
    orders = [line.order for line in made]
    assert len({o.id for o in orders}) == len(made)
    assert len({o.customer.id for o in orders}) == len(made)
    check_customers([o.customer for o in orders])
    for order in orders:
        assert order.status in ("new", "paid", "shipped")
        assert order.total >= 0 and isinstance(order.total, Decimal)
        assert order.shipped_at is None or order.shipped_at > order.placed_at
    numbers = [o.number for o in orders]
    assert len(set(numbers)) == len(numbers)
    for line in made:
        assert 1 <= line.quantity <= 99 and line.unit_price > 0
    assert count(session, OrderLine) == count(session, Order) == count(session, Customer) == 156
    # what the database holds is what the objects say
    session.expire_all()
    stored = session.scalars(select(OrderLine).where(OrderLine.id == lines[7].id)).one()
    assert stored.order.customer.email == lines[7].order.customer.email


def test_sequences_continue_where_they_were(session, factories) -> None:
    first = factories.CustomerFactory.create()
    batch = factories.CustomerFactory.create_batch(5)
    last = factories.CustomerFactory.create()
    numbers = [c.loyalty_number for c in [first, *batch, last]]
    assert numbers == list(range(numbers[0], numbers[0] + 7))


def test_overrides_apply_to_every_row(session, factories) -> None:
    paid = factories.OrderFactory.create_batch(20, status="paid", total=Decimal("9.99"))
    assert {o.status for o in paid} == {"paid"} and {o.total for o in paid} == {Decimal("9.99")}
    # a deep override reaches the parents
    gold = factories.OrderFactory.create_batch(4, customer__tier=Tier.gold)
    assert {o.customer.tier for o in gold} == {Tier.gold}
    # an override given as a declaration is evaluated per row
    named = factories.CustomerFactory.create_batch(
        3, first_name=factory.Sequence(lambda n: f"Name{n}")
    )
    assert [c.first_name for c in named] == [f"Name{n}" for n in range(*_sequence_span(named))]
    assert [c.last_name for c in named] == [c.first_name.upper() for c in named]


def _sequence_span(customers: list[Customer]) -> tuple[int, int]:
    start = int(customers[0].first_name[4:])
    return start, start + len(customers)


def test_passed_in_parent_is_shared(session, factories) -> None:
    order = factories.OrderFactory.create()
    orders_before, customers_before = count(session, Order), count(session, Customer)
    lines = factories.OrderLineFactory.create_batch(50, order=order)
    assert {line.order_id for line in lines} == {order.id}
    assert all(line.order is order for line in lines)
    assert count(session, Order) == orders_before and count(session, Customer) == customers_before
    session.expire(order, ["lines"])
    assert len(order.lines) == 50


def test_dependent_column_follows_an_override(session, factories) -> None:
    placed = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
    orders = factories.OrderFactory.create_batch(30, placed_at=placed)
    for order in orders:
        assert order.shipped_at is None or _aware(order.shipped_at) > placed


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def test_post_generation_and_children(session, factories) -> None:
    customers = factories.CustomerFactory.create_batch(4)
    assert [c.greeting for c in customers] == [f"hello {c.first_name}" for c in customers]
    orders = factories.OrderWithLinesFactory.create_batch(5)
    for order in orders:
        session.expire(order, ["lines"])
        assert len(order.lines) == 3 and all(line.order_id == order.id for line in order.lines)
    assert count(session, OrderLine) == 15


def test_core_table_batch(session, factories) -> None:
    customer = factories.CustomerFactory.create()
    rows = factories.BtAuditLogFactory.create_batch(6, customer=customer)
    assert {r.customer_id for r in rows} == {customer.id}
    assert [r.id for r in rows] == sorted(r.id for r in rows) and rows[0].id is not None
    own = factories.BtAuditLogFactory.create_batch(3)
    assert len({r.customer_id for r in own}) == 3
    assert count(session, audit_log) == 9


def test_build_batch_draws_without_inserting(session, factories) -> None:
    lines = factories.OrderLineFactory.build_batch(10)
    assert count(session, OrderLine) == 0
    assert all(line.id is None and line not in session for line in lines)
    assert len({id(line.order.customer) for line in lines}) == 10
    check_customers([line.order.customer for line in lines])


def test_a_failing_batch_raises_like_per_row_and_leaves_the_session_usable(
    session, factories
) -> None:
    factories.CustomerFactory.create(email="taken@example.org")
    with pytest.raises(IntegrityError) as per_row, session.begin_nested():
        factories.CustomerFactory.create(email="taken@example.org")
    customers = count(session, Customer)
    with pytest.raises(IntegrityError) as batch:
        factories.OrderFactory.create_batch(3, customer__email="dup@example.org")
    assert type(batch.value.orig).__name__ == type(per_row.value.orig).__name__
    # nothing of the failed batch is left, in the database or in the session
    assert count(session, Customer) == customers and count(session, Order) == 0
    assert not any(isinstance(obj, Order) for obj in session)
    more = factories.OrderFactory.create_batch(2)
    assert count(session, Order) == 2 and all(o.id for o in more)


def test_large_batches_on_postgresql_go_through_copy(
    session, factories, engine, monkeypatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    from fixturekit import factory_copy

    copied: list[str] = []
    real_copy_rows = factory_copy.copy_rows

    def spy(session, table, *args):
        copied.append(table.name)
        return real_copy_rows(session, table, *args)

    monkeypatch.setattr(factory_copy, "COPY_FROM_ROWS", 10)
    monkeypatch.setattr("fixturekit.factory_targets.copy_rows", spy)
    first = factories.OrderLineFactory.create()
    lines = factories.OrderLineFactory.create_batch(40)
    assert copied == ["bt_customers", "bt_orders", "bt_order_lines"]
    assert [line.id for line in lines] == list(range(first.id + 1, first.id + 41))
    assert all(line in session for line in lines)
    check_customers([line.order.customer for line in lines])
    assert factories.OrderLineFactory.create().id == first.id + 41  # the sequence moved on
    with pytest.raises(IntegrityError):
        factories.CustomerFactory.create_batch(20, email="same@example.org")
    assert count(session, Customer) == 42
    assert len(factories.CustomerFactory.create_batch(20)) == 20


def test_runtime_factories_batch_the_same_way(session) -> None:
    from fixturekit.runtime import bind_session, factory_for

    line_factory = factory_for(OrderLine)
    fields = fields_of(line_factory)
    assert fields.per_row == {} and {f.name for f in fields.bulk} >= {"quantity", "unit_price"}
    bind_session(session)
    try:
        order = factory_for(Order).create()
        lines = line_factory.create_batch(30, order=order, quantity=4)
        fresh = line_factory.create_batch(10)
    finally:
        bind_session(None)
    assert {(x.order_id, x.quantity) for x in lines} == {(order.id, 4)}
    assert len({x.order.customer.id for x in fresh}) == 10
    assert count(session, OrderLine) == 40 and count(session, Order) == 11
