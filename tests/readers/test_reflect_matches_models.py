"""The same schema read from SQLAlchemy models and from the live database it creates agree.

Everything generation depends on is compared: tables, columns, kinds and their facets,
nullability, keys, autoincrement, defaults, uniques, foreign keys and CHECK constraints. Only
model references, attribute names and type spellings may differ, plus the few dialect gaps
listed in DIALECT_GAPS, where the database simply stores something else than the model says.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fixturekit.schema.model import Kind, Schema
from fixturekit.schema.reflect import read_database
from fixturekit.schema.sqlalchemy import read_metadata


class Base(DeclarativeBase):
    pass


class Role(enum.Enum):
    customer = "customer"
    admin = "admin"


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[Role] = mapped_column(default=Role.customer)
    active: Mapped[bool] = mapped_column(server_default="1")
    bio: Mapped[str | None] = mapped_column(Text)
    prefs: Mapped[dict | None] = mapped_column(JSON)
    joined: Mapped[date]
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Product(Base):
    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String(12), primary_key=True)
    price: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    stock: Mapped[int] = mapped_column(server_default="0")
    token: Mapped[uuid.UUID] = mapped_column(unique=True)
    __table_args__ = (CheckConstraint("price > 0", name="price_positive"),)


class Order(Base):
    __tablename__ = "orders"
    region: Mapped[str] = mapped_column(String(2), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    placed: Mapped[datetime] = mapped_column(server_default=func.now())
    note: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("user_id", "note", name="one_note_per_user"),)


class OrderLine(Base):
    __tablename__ = "order_lines"
    region: Mapped[str] = mapped_column(String(2), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    line: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    quantity: Mapped[int]
    __table_args__ = (
        ForeignKeyConstraint(["region", "number"], ["orders.region", "orders.number"]),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("line_sku", "number", "sku", unique=True),
    )


# What the database stores differently from what the model declares, per dialect:
# (table, column) -> the kind the catalog reports.
DIALECT_GAPS = {
    "sqlite": {
        ("products", "token"): Kind.STRING,  # Uuid is CHAR(32) on SQLite
        ("users", "role"): Kind.STRING,  # a non-native Enum is a VARCHAR
    },
    "mysql": {},  # MariaDB 10.7+ stores UUID natively (MySQL 8 would say CHAR(32))
    "postgresql": {},
}


def essentials(schema: Schema, dialect: str) -> dict:
    """What must agree, with the documented dialect gaps applied to the models' side."""
    gaps = DIALECT_GAPS[dialect]
    tables = {}
    for table in schema:
        columns = {}
        for col in table.columns:
            gap = (table.key, col.name) in gaps
            kind = gaps[table.key, col.name] if gap and schema.dialect is None else col.kind
            facets = {}
            if kind in (Kind.STRING, Kind.NUMERIC):
                facets = {"length": col.type.length, "precision": col.type.precision}
                facets["scale"] = col.type.scale
            if kind is Kind.ENUM:
                facets = {"values": col.type.enum_values}
            columns[col.name] = (
                kind,
                {} if gap else facets,
                col.nullable,
                col.primary_key,
                col.autoincrement,
                col.server_default is not None and not col.autoincrement,
                col.unique,
            )
        tables[table.key] = {
            "columns": columns,
            "pk": table.primary_key,
            "fks": sorted(
                (fk.columns, fk.referred_table, fk.referred_columns, fk.ondelete)
                for fk in table.foreign_keys
            ),
            "uniques": sorted((u.columns, u.where) for u in table.uniques),
            "checks": len(table.checks),
        }
    return tables


@pytest.mark.parametrize("server", ["pg_url", "mysql_url", "sqlite_url"])
def test_models_and_live_database_agree(server, request):
    url = request.getfixturevalue(server)
    engine = create_engine(url)
    try:
        Base.metadata.create_all(engine)
        dialect = engine.dialect.name
    finally:
        engine.dispose()
    from_models = read_metadata(Base.metadata, [User, Product, Order, OrderLine])
    from_database = read_database(url)

    expected, actual = essentials(from_models, dialect), essentials(from_database, dialect)
    for key in expected:
        assert actual.get(key) == expected[key], key
    assert actual.keys() == expected.keys()
    # Model references and attribute names are what the models add.
    assert from_models.table("users").model is not None
    assert all(table.model is None for table in from_database)


# A MySQL TEXT holds 65,535 bytes, which the catalog says and the model (Text()) does not.
LENGTH_GAPS = {"mysql": {("users", "bio")}, "postgresql": set(), "sqlite": set()}


def strategies(schema: Schema, dialect: str) -> dict:
    """What the generated factories fill each column with (as factory_boy source)."""
    from fixturekit.infer.tables import plan_schema

    skip = set(DIALECT_GAPS[dialect]) | LENGTH_GAPS[dialect]
    plan = plan_schema(schema)
    sources = {}
    for table_plan in plan:
        for field in table_plan.fields:
            if (table_plan.key, field.column.name) in skip:
                continue
            strategy = field.strategy.source() if field.strategy else None
            if field.column.type.enum_class is not None:
                # The Python enum class is a name the models add; its labels are the values.
                strategy = f"factory.fuzzy.FuzzyChoice({list(field.column.type.enum_values)})"
                strategy = strategy.replace("'", '"')
            sources[table_plan.key, field.column.name] = (strategy, field.flags)
        for link in table_plan.parents:
            sources[table_plan.key, link.fk.columns] = (link.parent, link.empty)
    return sources


@pytest.mark.parametrize("server", ["pg_url", "mysql_url", "sqlite_url"])
def test_models_and_live_database_give_the_same_factories(server, request):
    url = request.getfixturevalue(server)
    engine = create_engine(url)
    try:
        Base.metadata.create_all(engine)
        dialect = engine.dialect.name
    finally:
        engine.dispose()
    models = read_metadata(Base.metadata, [User, Product, Order, OrderLine])
    from_models = strategies(models, dialect)
    from_database = strategies(read_database(url), dialect)
    assert from_database == from_models
