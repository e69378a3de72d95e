"""`create_batch` against a hand-written factory_boy factory and Core executemany, same run.

    python benchmarks/batches.py [--rows 10000] [--baseline-rows 10000]
                                 [--pg-admin-url postgresql+psycopg://postgres@127.0.0.1/postgres]
                                 [--no-postgresql] [--no-sqlite]

A child with two levels of parents (order lines -> orders -> customers). For each database:

* fixturekit: `factory_for(OrderLine).create_batch(rows)`: every line gets its own order and
  every order its own customer, as factory_boy makes them, so 3 x rows rows are inserted;
* factory_boy: a hand-written SQLAlchemyModelFactory chain with the same Faker providers and
  `sqlalchemy_session_persistence = "flush"` (one flush per row), `create_batch(baseline_rows)`;
* Core: `connection.execute(insert(table), rows)` of the same number of pre-made rows, keys
  included: the floor for inserting through SQLAlchemy, with no value generation at all.

Speed is rows per second (all three tables counted); the ratios are the point. Each
measurement runs in a transaction that is rolled back. PostgreSQL runs in a scratch database
created for the run and dropped at the end, SQLite in a temporary file.
Numbers on a shared machine move with its load: compare the ratios within one run.
The same chain for generated Django factories is benchmarks/django_batches.py (Django is
configured once per process, so it runs on its own).
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import factory
import factory.fuzzy
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Numeric,
    String,
    create_engine,
    insert,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class Base(DeclarativeBase):
    pass


class OrderStatus(enum.Enum):
    pending = "pending"
    paid = "paid"
    shipped = "shipped"


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("length(country_code) = 2", name="ck_customers_country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    country_code: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (CheckConstraint("total >= 0", name="ck_orders_total"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[OrderStatus] = mapped_column(Enum(OrderStatus, name="bench_order_status"))
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    customer: Mapped[Customer] = relationship()


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 99", name="ck_order_lines_quantity"),
        CheckConstraint("unit_price > 0", name="ck_order_lines_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Numeric(8, 2))

    order: Mapped[Order] = relationship()


# --- the hand-written baseline ------------------------------------------------------------------

_session: Session | None = None


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: _session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class CustomerFB(_Base):
    class Meta:
        model = Customer

    email = factory.Sequence(lambda n: f"user{n}@{factory.Faker._get_faker().free_email_domain()}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    country_code = factory.Faker("country_code")
    created_at = factory.Faker("date_time_between", start_date="-2y", tzinfo=dt.UTC)


class OrderFB(_Base):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"ORD-{n:08d}")
    status = factory.fuzzy.FuzzyChoice(list(OrderStatus))
    placed_at = factory.Faker("date_time_between", start_date="-2y", tzinfo=dt.UTC)
    total = factory.Faker("pydecimal", left_digits=5, right_digits=2, positive=True)
    customer = factory.SubFactory(CustomerFB)


class OrderLineFB(_Base):
    class Meta:
        model = OrderLine

    product_name = factory.Faker("sentence", nb_words=3)
    quantity = factory.fuzzy.FuzzyInteger(1, 99)
    unit_price = factory.Faker(
        "pydecimal", left_digits=4, right_digits=2, positive=True, min_value=1
    )
    order = factory.SubFactory(OrderFB)


# --- measurements ---------------------------------------------------------------------------------


def _timed(engine, work) -> float:
    """Seconds `work(session)` takes inside a transaction that is rolled back afterwards."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            start = time.perf_counter()
            work(session)
            return time.perf_counter() - start
        finally:
            session.close()
            transaction.rollback()


def _fixturekit(rows: int):
    from fixturekit.runtime import bind_session, factory_for

    line_factory = factory_for(OrderLine)

    def work(session: Session) -> None:
        bind_session(session)
        try:
            made = line_factory.create_batch(rows)
            assert len(made) == rows and made[-1].id is not None and made[-1].order.customer.id
        finally:
            bind_session(None)

    return work


def _factory_boy(rows: int):
    def work(session: Session) -> None:
        global _session
        _session = session
        try:
            made = OrderLineFB.create_batch(rows)
            assert len(made) == rows and made[-1].id is not None
        finally:
            _session = None

    return work


def _premade(rows: int) -> dict[str, list[dict]]:
    """Rows as a caller would have them ready: keys assigned, values fixed."""
    now = dt.datetime.now(dt.UTC)
    base = 10_000_000
    customers = [
        {
            "id": base + i,
            "email": f"user{i}@{uuid.uuid4().hex[:6]}.example.org",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "country_code": "GB",
            "created_at": now,
        }
        for i in range(rows)
    ]
    orders = [
        {
            "id": base + i,
            "number": f"ORD-{base + i}",
            "customer_id": base + i,
            "status": OrderStatus.paid,
            "placed_at": now,
            "total": Decimal("12.50"),
        }
        for i in range(rows)
    ]
    lines = [
        {
            "id": base + i,
            "order_id": base + i,
            "product_name": "Blue mug",
            "quantity": 2,
            "unit_price": Decimal("6.25"),
        }
        for i in range(rows)
    ]
    return {"customers": customers, "orders": orders, "order_lines": lines}


def _core(rows: int):
    premade = _premade(rows)

    def work(session: Session) -> None:
        connection = session.connection()
        for table in (Customer.__table__, Order.__table__, OrderLine.__table__):
            connection.execute(insert(table), premade[table.name])

    return work


def measure(label: str, url: str, rows: int, baseline_rows: int) -> dict[str, float]:
    engine = create_engine(url)
    try:
        Base.metadata.create_all(engine)
        _timed(engine, _fixturekit(200))  # warm-up: inference, Faker pools, statement caches
        _timed(engine, _factory_boy(50))
        results = {
            "fixturekit": 3 * rows / _timed(engine, _fixturekit(rows)),
            "factory_boy": 3 * baseline_rows / _timed(engine, _factory_boy(baseline_rows)),
            "core": 3 * rows / _timed(engine, _core(rows)),
        }
    finally:
        engine.dispose()
    print(f"\n{label}: create_batch({rows}) of order lines (+ {rows} orders, {rows} customers)")
    print(f"  fixturekit create_batch      {results['fixturekit']:>10,.0f} rows/s")
    print(
        f"  factory_boy per-row flush    {results['factory_boy']:>10,.0f} rows/s"
        f"   ({baseline_rows} lines)"
    )
    print(f"  Core executemany (pre-made)  {results['core']:>10,.0f} rows/s")
    versus_factory_boy = results["fixturekit"] / results["factory_boy"]
    print(f"  fixturekit / factory_boy     {versus_factory_boy:>10.1f}x")
    print(f"  fixturekit / Core            {results['fixturekit'] / results['core']:>10.2f}x")
    return results


def _postgresql(admin_url: str, rows: int, baseline_rows: int) -> dict[str, float]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"fkt_bench_batches_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        return measure("PostgreSQL", url, rows, baseline_rows)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline-rows", type=int, default=None)
    parser.add_argument("--pg-admin-url", default=PG_ADMIN)
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)
    baseline_rows = args.baseline_rows or args.rows
    if not args.no_postgresql:
        _postgresql(args.pg_admin_url, args.rows, baseline_rows)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'batches.sqlite3'}"
            measure("SQLite", url, args.rows, baseline_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
