"""CHECK forms every dialect keeps: TIME bounds and orderings, constant bounds plus a relation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Shift(Base):
    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint("lunch_at >= '11:00:00' AND lunch_at < '14:30:00'", name="lunch_hours"),
        CheckConstraint("last_call <= closes_at AND last_call >= '17:00:00'", name="last_call"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opens_at: Mapped[dt.time]
    closes_at: Mapped[dt.time]
    lunch_at: Mapped[dt.time | None]
    last_call: Mapped[dt.time]


class Allowance(Base):
    """Constant bounds and a relation on one column, with the bounded column on either side."""

    __tablename__ = "allowances"
    __table_args__ = (
        CheckConstraint("spent >= 0 AND spent <= budget", name="spent_within_budget"),
        CheckConstraint("minimum >= 10 AND minimum <= maximum", name="minimum_first"),
        CheckConstraint("maximum <= 50", name="maximum_cap"),
        CheckConstraint(
            "floor_price >= 1 AND floor_price <= ceiling_price AND ceiling_price <= 500",
            name="prices",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget: Mapped[int]
    spent: Mapped[int]
    minimum: Mapped[int]
    maximum: Mapped[int]
    floor_price: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    ceiling_price: Mapped[Decimal] = mapped_column(Numeric(8, 2))
