"""A small shop schema with its factories, in one self-contained module.

Used directly by the plugin's tests and copied verbatim into the projects that the pytester
runs create, so it imports nothing local. `roles` is filled when it is created (like seed data
from a migration) so that the leak check's handling of non-empty tables is exercised.
"""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import DDL, ForeignKey, Integer, String, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)


event.listen(
    Role.__table__,
    "after_create",
    DDL("INSERT INTO roles (id, name) VALUES (1, 'customer'), (2, 'admin')"),
)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(100), unique=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id"))
    orders: Mapped[list[Order]] = relationship(back_populates="user")


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user: Mapped[User] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(back_populates="order")


class OrderItem(Base):
    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


class _Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"


class UserFactory(_Factory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")


class ProductFactory(_Factory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"product {n}")


class OrderFactory(_Factory):
    class Meta:
        model = Order

    user = factory.SubFactory(UserFactory)


class OrderItemFactory(_Factory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)


FACTORIES = {
    "User": UserFactory,
    "Product": ProductFactory,
    "Order": OrderFactory,
    "OrderItem": OrderItemFactory,
}


def bind_session(session):
    for factory_class in FACTORIES.values():
        factory_class._meta.sqlalchemy_session = session
