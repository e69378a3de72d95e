"""A user's project, written into a pytester directory: shop.py, settings, a conftest that
records what a separate connection sees after every test, and tests for each fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import SHOP_SOURCE

PYPROJECT = """
[tool.pytest.ini_options]
fixturekit_models = "shop.py"
fixturekit_factories = ["shop.py"]
fixturekit_register_fixtures = true
fixturekit_lock_timeout = "1"
asyncio_default_fixture_loop_scope = "function"
asyncio_mode = "auto"
{extra}

[tool.fixturekit.scenarios]
ecommerce = {{ users = 3, products = 2, orders = {{ count = 4, items = [1, 3] }} }}
"""

# After each test (teardown included, so after the plugin's own cleanup) count the rows that a
# brand-new connection sees, and note which database it was. The outer test reads the file.
RECORDER = """
import json, os
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from fixturekit.plugin import scenario

TABLES = ["roles", "users", "products", "orders", "order_items"]
_url = []

@pytest.fixture(scope="session", autouse=True)
def _remember_url(db_engine):
    _url.append(db_engine.url)

def pytest_runtest_logreport(report):
    if report.when != "teardown" or not _url:
        return
    engine = create_engine(_url[0], poolclass=NullPool)
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
    engine.dispose()
    with open(f"counts-{os.getpid()}.jsonl", "a") as out:
        out.write(json.dumps({"test": report.nodeid.split("::")[-1], "database": _url[0].database,
                              "counts": counts}) + "\\n")

@scenario
def checkout(factories, db_session):
    user = factories.User(email="buyer@example.com")
    order = factories.Order(user=user)
    return {"user": user, "order": order,
            "items": factories.OrderItem.create_batch(2, order=order)}
"""

TESTS = """
import asyncio
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from shop import Order, OrderItem, Product, User, UserFactory

ASYNC = {async_ok}


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_commit(db_session):
    db_session.add(User(email="a@x"))
    db_session.commit()
    assert count(db_session, User) == 1


def test_rollback_and_integrity_error(db_session):
    db_session.add(User(email="a@x"))
    db_session.commit()
    db_session.add(User(email="a@x"))
    with pytest.raises(IntegrityError):
        db_session.commit()
    db_session.rollback()
    db_session.add(User(email="b@x"))
    db_session.commit()
    assert count(db_session, User) == 2


def test_begin_nested_and_with_begin(db_session):
    with db_session.begin_nested():
        db_session.add(User(email="n@x"))
    db_session.commit()
    with db_session.begin():
        db_session.add(Product(name="p"))
    assert (count(db_session, User), count(db_session, Product)) == (1, 1)


def test_starts_empty(db_session):
    assert count(db_session, User) == 0
    assert count(db_session, Product) == 0


def test_factories_are_bound(db_session):
    UserFactory.create_batch(3)
    assert count(db_session, User) == 3
    assert UserFactory._meta.sqlalchemy_session is db_session


def test_factories_unbound_outside_db_session():
    assert UserFactory._meta.sqlalchemy_session is None


def test_registered_fixtures(user, order_item_factory, db_session):
    order_item_factory.create_batch(2)
    assert user.id is not None
    assert count(db_session, User) == 3


def test_factories_namespace(factories, db_session):
    factories.Order.create()
    assert factories.User is factories.UserFactory
    assert count(db_session, Order) == 1


def test_declared_scenario(ecommerce_scenario, db_session):
    s = ecommerce_scenario
    assert (len(s.users), len(s.products), len(s.orders)) == (3, 2, 4)
    assert 4 <= len(s["items"]) <= 12
    assert all(order.user in s.users for order in s.orders)
    assert all(item.product in s.products for item in s["items"])
    assert count(db_session, User) == 3


def test_python_scenario(checkout_scenario, db_session):
    assert checkout_scenario["order"].user.email == "buyer@example.com"
    assert count(db_session, OrderItem) == 2


def test_leak_from_second_connection(db_session, db_engine):
    with db_engine.begin() as conn:
        conn.execute(text("INSERT INTO products (name) VALUES ('leaked')"))


def test_clean_after_leak(db_session):
    assert count(db_session, Product) == 0


def test_lock_timeout_is_explained(db_session, db_engine):
    db_session.add(User(id=99, email="held@x"))
    db_session.flush()
    with db_engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, email) VALUES (99, 'other@x')"))


@pytest.mark.fixturekit(isolation="truncate")
def test_truncate_mode_commits_for_real(db_session, db_engine):
    db_session.add(User(email="t@x"))
    db_session.commit()
    with db_engine.connect() as other:
        assert other.execute(text("SELECT count(*) FROM users")).scalar_one() == 1


@pytest.mark.fixturekit(isolation="fresh-db")
def test_fresh_db_mode_allows_ddl(db_session):
    db_session.execute(text("CREATE TABLE scratch (id INT)"))
    db_session.add(User(email="f@x"))
    db_session.commit()
    assert count(db_session, User) == 1


@pytest.mark.fixturekit(isolation="transaction")
def test_transaction_mode(db_session):
    db_session.add(User(email="tx@x"))
    db_session.commit()
    assert count(db_session, User) == 1


def test_fresh_database_sees_commits_across_connections(fresh_database):
    with fresh_database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE ddl_ok (id INT)"))
        conn.execute(text("INSERT INTO users (email) VALUES ('fresh@x')"))
    with fresh_database.engine.connect() as other:
        assert other.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
    with open("fresh-databases.txt", "a") as out:
        out.write(fresh_database.name + "\\n")


@pytest.mark.skipif(not ASYNC, reason="no async driver for this dialect here")
async def test_async_session(async_db_session):
    async_db_session.add(User(email="async@x"))
    await async_db_session.commit()
    async_db_session.add(User(email="async@x"))
    with pytest.raises(IntegrityError):
        await async_db_session.commit()
    await async_db_session.rollback()
    total = await async_db_session.scalar(select(func.count()).select_from(User))
    assert total == 1
"""

# Outcomes of TESTS: the leak and the lock wait fail on purpose.
EXPECTED_FAILURES = {"test_leak_from_second_connection", "test_lock_timeout_is_explained"}


def write_project(pytester: Any, *, extra_ini: str = "", async_ok: bool = True) -> None:
    pytester.makefile(".py", shop=SHOP_SOURCE)
    pytester.makefile(".toml", pyproject=PYPROJECT.format(extra=extra_ini))
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(test_app=TESTS.format(async_ok=async_ok))


def read_counts(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(folder.glob("counts-*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines()]
    return rows
