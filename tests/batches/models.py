"""A small shop for the batch tests: every rule a batch must keep, on all three databases.

Unique columns of several strategies (a woven email, an in-order code, a sequence number, a
fixed-format draw), CHECKs (a length, a set, ranges, a column after another), an enum, a
three-level chain of parents (line -> order -> customer) and a Core table with no class.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Tier(enum.Enum):
    basic = "basic"
    gold = "gold"


audit_log = Table(
    "bt_audit_log",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("bt_customers.id"), nullable=False),
    Column("action", String(40), nullable=False),
)


class Customer(Base):
    __tablename__ = "bt_customers"
    __table_args__ = (CheckConstraint("length(country_code) = 2", name="ck_bt_country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    member_code: Mapped[str] = mapped_column(String(4), unique=True)
    loyalty_number: Mapped[int] = mapped_column(unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    country_code: Mapped[str] = mapped_column(String(2))
    tier: Mapped[Tier] = mapped_column(Enum(Tier, name="bt_tier"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Order(Base):
    __tablename__ = "bt_orders"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'paid', 'shipped')", name="ck_bt_status"),
        CheckConstraint("total >= 0", name="ck_bt_total"),
        CheckConstraint("shipped_at IS NULL OR shipped_at > placed_at", name="ck_bt_shipped"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("bt_customers.id"))
    status: Mapped[str] = mapped_column(String(12))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order")


class OrderLine(Base):
    __tablename__ = "bt_order_lines"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 99", name="ck_bt_quantity"),
        CheckConstraint("unit_price > 0", name="ck_bt_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("bt_orders.id"))
    product_name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(8, 2))

    order: Mapped[Order] = relationship(back_populates="lines")
