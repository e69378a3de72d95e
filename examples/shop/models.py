"""The bundled example: a small shop, written as a SQLAlchemy 2.x application would write it.

It exercises what fixturekit has to get right on a real schema: UUID, integer, string and
composite primary keys; a self-referential category tree; two foreign keys to one table; a
foreign-key cycle broken by a nullable key; many-to-many tags; single and composite unique
constraints; CHECK constraints of many forms; short codes; Numeric(5, 2); Python and string
enums; server defaults; and one Core-only table. It runs on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
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
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class OrderStatus(enum.Enum):
    pending = "pending"
    paid = "paid"
    shipped = "shipped"
    cancelled = "cancelled"


product_tags = Table(
    "product_tags",
    Base.metadata,
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

audit_log = Table(
    "audit_log",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("actor_id", ForeignKey("users.id"), nullable=True),
    Column("action", String(40), nullable=False),
    Column("ip_address", String(45), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("length(country_code) = 2", name="ck_users_country_len"),
        CheckConstraint("username = lower(username)", name="ck_users_username_lower"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(
        Enum("customer", "premium", "admin", name="user_role"), default="customer"
    )
    country_code: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    birth_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    default_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("addresses.id", use_alter=True, name="fk_users_default_address")
    )

    addresses: Mapped[list[Address]] = relationship(
        back_populates="user", foreign_keys="Address.user_id"
    )
    default_address: Mapped[Address | None] = relationship(
        foreign_keys=[default_address_id], post_update=True
    )
    orders: Mapped[list[Order]] = relationship(back_populates="user")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    street: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    postal_code: Mapped[str] = mapped_column(String(12))
    country_code: Mapped[str] = mapped_column(String(2))

    user: Mapped[User] = relationship(back_populates="addresses", foreign_keys=[user_id])


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (CheckConstraint("slug = lower(slug)", name="ck_categories_slug_lower"),)

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    parent_slug: Mapped[str | None] = mapped_column(ForeignKey("categories.slug"))

    parent: Mapped[Category | None] = relationship(remote_side=[slug], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent")


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price > 0", name="ck_products_price_positive"),
        CheckConstraint("stock >= 0", name="ck_products_stock"),
        CheckConstraint("currency IN ('EUR', 'USD', 'GBP')", name="ck_products_currency"),
        CheckConstraint("sku LIKE 'SKU-%'", name="ck_products_sku_prefix"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    currency: Mapped[str] = mapped_column(String(3))
    stock: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    attributes: Mapped[dict | None] = mapped_column(JSON)
    category_slug: Mapped[str] = mapped_column(ForeignKey("categories.slug"))

    category: Mapped[Category] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=product_tags)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    status: Mapped[OrderStatus] = mapped_column(Enum(OrderStatus, name="order_status"))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))

    user: Mapped[User] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(back_populates="order")

    __table_args__ = (
        CheckConstraint("shipped_at IS NULL OR shipped_at > placed_at", name="ck_orders_ship"),
        CheckConstraint(
            "discount_percent IS NULL OR (discount_percent >= 0 AND discount_percent <= 50)",
            name="ck_orders_discount",
        ),
    )


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 99", name="ck_order_items_quantity"),
        CheckConstraint("unit_price > 0", name="ck_order_items_price"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id", name="uq_reviews_user_product"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="ck_reviews_rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    rating: Mapped[int]
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
    product: Mapped[Product] = relationship()


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (CheckConstraint("sender_id <> recipient_id", name="ck_messages_not_self"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])


class Coupon(Base):
    __tablename__ = "coupons"
    __table_args__ = (
        UniqueConstraint("campaign", "code", name="uq_coupons_campaign_code"),
        CheckConstraint("ends_at > starts_at", name="ck_coupons_window"),
        CheckConstraint("percent_off BETWEEN 5 AND 50", name="ck_coupons_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(12))
    percent_off: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
