"""What the shop charges for an order: the worked example of docs/strategies.md.

`order_total_float` is how the checkout first computed it, in floats; a property test over
`graphs(Order, children={"items": (1, 3)})` finds the order where it loses a cent against the
invoice the database computes. `order_total` is the fix.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from examples.shop.models import Order, OrderItem

CENT = Decimal("0.01")


def order_total_float(order: Order) -> Decimal:
    """The first version: floats and Python's round(), which rounds half to even."""
    subtotal = sum(float(item.unit_price) * item.quantity for item in order.items)
    discount = float(order.discount_percent or 0)
    return Decimal(str(round(subtotal * (1 - discount / 100), 2)))


def order_total(order: Order) -> Decimal:
    """Decimal arithmetic, half a cent rounded up: what the invoice query computes."""
    subtotal = sum((item.unit_price * item.quantity for item in order.items), Decimal(0))
    rate = 1 - (order.discount_percent or Decimal(0)) / 100
    return (subtotal * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def invoiced_total(session: Session, order_id: Any) -> Decimal:
    """The invoice run's figure, computed by the database."""
    subtotal = (
        select(func.sum(OrderItem.unit_price * OrderItem.quantity))
        .where(OrderItem.order_id == order_id)
        .scalar_subquery()
    )
    rate = 1 - func.coalesce(Order.discount_percent, 0) / 100
    return session.scalar(select(func.round(subtotal * rate, 2)).where(Order.id == order_id))
