"""A portable shop schema for the seeding tests (PostgreSQL, MariaDB and SQLite).

Every constraint kind seeding must satisfy: single and composite unique (an association table's
composite primary key too), CHECKs (ranges, lower case, length, column order under IS NULL OR),
string lengths, Numeric(5, 2), Python and string enums, a self-referential tree, a foreign-key
cycle closed by a nullable key, and a one-to-one key.

`build(version)` makes a fresh declarative Base: version 2 adds a column to `users` and a
`reviews` table, for the stability-under-schema-change tests.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class OrderStatus(enum.Enum):
    pending = "pending"
    paid = "paid"
    shipped = "shipped"
    cancelled = "cancelled"


def build(version: int = 1) -> type[DeclarativeBase]:
    class Base(DeclarativeBase):
        pass

    Table(
        "product_tags",
        Base.metadata,
        Column("product_id", ForeignKey("products.id"), primary_key=True),
        Column("tag_id", ForeignKey("tags.id"), primary_key=True),
    )

    class User(Base):
        __tablename__ = "users"
        __table_args__ = (
            CheckConstraint("length(country_code) = 2", name="ck_users_country"),
            CheckConstraint("username = lower(username)", name="ck_users_username_lower"),
            CheckConstraint("balance >= 0", name="ck_users_balance"),
        )

        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(String(120), unique=True)
        username: Mapped[str] = mapped_column(String(30), unique=True)
        first_name: Mapped[str] = mapped_column(String(40))
        last_name: Mapped[str] = mapped_column(String(40))
        role: Mapped[str] = mapped_column(Enum("customer", "premium", "admin", name="user_role"))
        country_code: Mapped[str] = mapped_column(String(2))
        is_active: Mapped[bool] = mapped_column(Boolean)
        balance: Mapped[Decimal] = mapped_column(Numeric(5, 2))
        birth_date: Mapped[date | None] = mapped_column(Date)
        created_at: Mapped[datetime] = mapped_column(DateTime)
        team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
        if version >= 2:
            nickname: Mapped[str | None] = mapped_column(String(30))

    class Team(Base):  # teams.captain_id -> users, users.team_id -> teams: a cycle
        __tablename__ = "teams"

        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(60))
        captain_id: Mapped[int | None] = mapped_column(
            ForeignKey("users.id", use_alter=True, name="fk_teams_captain")
        )

    class Profile(Base):  # one-to-one: a unique foreign key
        __tablename__ = "profiles"

        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
        bio: Mapped[str | None] = mapped_column(String(200))

    class Category(Base):  # self-referential tree
        __tablename__ = "categories"

        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(40))
        parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))

    class Product(Base):
        __tablename__ = "products"
        __table_args__ = (
            CheckConstraint("price > 0", name="ck_products_price"),
            CheckConstraint("stock >= 0 AND stock <= 1000", name="ck_products_stock"),
        )

        id: Mapped[int] = mapped_column(primary_key=True)
        sku: Mapped[str] = mapped_column(String(12), unique=True)
        name: Mapped[str] = mapped_column(String(80))
        price: Mapped[Decimal] = mapped_column(Numeric(5, 2))
        stock: Mapped[int] = mapped_column(Integer)
        category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))

    class Tag(Base):
        __tablename__ = "tags"

        id: Mapped[int] = mapped_column(primary_key=True)
        label: Mapped[str] = mapped_column(String(30), unique=True)

    class Order(Base):
        __tablename__ = "orders"
        __table_args__ = (
            CheckConstraint(
                "shipped_at IS NULL OR shipped_at > placed_at", name="ck_orders_shipped"
            ),
        )

        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
        status: Mapped[OrderStatus] = mapped_column(Enum(OrderStatus, name="order_status"))
        placed_at: Mapped[datetime] = mapped_column(DateTime)
        shipped_at: Mapped[datetime | None] = mapped_column(DateTime)

        user: Mapped[User] = relationship()

    class OrderItem(Base):
        __tablename__ = "order_items"
        __table_args__ = (
            UniqueConstraint("order_id", "product_id", name="uq_order_items"),
            CheckConstraint("quantity > 0", name="ck_order_items_quantity"),
        )

        id: Mapped[int] = mapped_column(primary_key=True)
        order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
        product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
        quantity: Mapped[int] = mapped_column(Integer)

    if version >= 2:

        class Review(Base):
            __tablename__ = "reviews"
            __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),)

            id: Mapped[int] = mapped_column(primary_key=True)
            user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
            product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
            rating: Mapped[int] = mapped_column(Integer)

    # The registry holds its classes weakly: without this, classes made in this function
    # would be garbage-collected and the tables read back as Core-only tables.
    Base.models = [cls for cls in locals().values() if isinstance(cls, type) and cls is not Base]
    return Base
