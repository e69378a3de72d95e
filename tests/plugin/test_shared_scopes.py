"""Module- and class-scoped scenarios on real servers: created once, every test rolled back to
them whatever it did, nothing left after the module."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from .conftest import SHOP_SOURCE, clean_counts
from .project import RECORDER, read_counts
from .test_plugin_runs import _drop_user_database, _leftovers, _user_database

PYPROJECT = """
[tool.pytest.ini_options]
fixturekit_models = "shop.py"
fixturekit_factories = ["shop.py"]
fixturekit_lock_timeout = "2"

[tool.fixturekit.scenarios]
catalog = { scope = "module", products = 20 }
"""

# Each scenario writes a line when it runs: the outer test counts them per process and module.
CONFTEST = (
    RECORDER
    + """
import pytest
from fixturekit.plugin import scenario


def _created(request, what):
    with open(f"created-{os.getpid()}.jsonl", "a") as out:
        out.write(json.dumps([what, request.node.nodeid]) + "\\n")


@scenario(scope="module")
def shop(factories, db_session, request):
    _created(request, "shop")
    users = factories.User.create_batch(5)
    orders = [factories.Order(user=u) for u in users[:3]]
    return {"users": users, "orders": orders}


@scenario(scope="class")
def vip(factories, db_session, request, shop_scenario):
    _created(request, "vip")
    return {"user": factories.User(email="vip@example.com"), "shop": shop_scenario}


@pytest.fixture(scope="module")
def own_product(db_session_module):
    from shop import Product
    product = Product(name="from a module fixture")
    db_session_module.add(product)
    db_session_module.flush()
    return product
"""
)

SHARED_TESTS = """
import pytest
from sqlalchemy import delete, func, select, text
from shop import Order, Product, User

def count(session, model):
    return session.scalar(select(func.count()).select_from(model))

def shared_state(session):
    return (count(session, User), count(session, Order), count(session, Product),
            sorted(session.scalars(select(User.email))),
            sorted(session.scalars(select(Product.name))))

EXPECTED = {}

def test_first_sees_the_shared_rows(shop_scenario, catalog_scenario, own_product, db_session):
    assert len(shop_scenario["users"]) == 5 and len(catalog_scenario.products) == 20
    EXPECTED["state"] = shared_state(db_session)
    assert EXPECTED["state"][:3] == (5, 3, 21)

def test_commits_deletes_and_edits(shop_scenario, factories, db_session):
    factories.User.create_batch(4)
    factories.Order(user=shop_scenario["users"][4])  # a shared object in the test's writes
    shop_scenario["users"][0].email = "changed@example.com"
    db_session.commit()
    db_session.delete(shop_scenario["orders"][0])
    db_session.commit()
    db_session.execute(delete(Product))
    db_session.commit()
    assert count(db_session, User) == 9 and count(db_session, Product) == 0

def test_sees_exactly_the_shared_rows_again(shop_scenario, db_session):
    assert shared_state(db_session) == EXPECTED["state"]
    assert shop_scenario["users"][0].email != "changed@example.com"
    assert shop_scenario["orders"][0] in db_session
    assert len(shop_scenario["users"][4].orders) == 0

def test_rollback_and_raw_sql(shop_scenario, db_session):
    db_session.add(User(email="x@example.com"))
    db_session.flush()
    db_session.rollback()
    db_session.execute(text("UPDATE products SET name = 'raw'"))
    db_session.commit()

def test_still_the_shared_rows(db_session):
    assert shared_state(db_session) == EXPECTED["state"]

def test_factories_unbound_without_db_session(shop_scenario):
    from shop import UserFactory
    assert UserFactory._meta.sqlalchemy_session is None

class TestVip:
    def test_class_rows_on_top(self, vip_scenario, db_session):
        assert count(db_session, User) == 6
        assert vip_scenario["shop"]["users"][0] in db_session
        vip_scenario["user"].email = "gone@example.com"
        db_session.add(Product(name="class test"))
        db_session.commit()

    def test_class_rows_again(self, vip_scenario, db_session):
        assert count(db_session, User) == 6
        assert vip_scenario["user"].email == "vip@example.com"
        assert count(db_session, Product) == 21

def test_class_rows_gone_after_the_class(db_session):
    assert shared_state(db_session) == EXPECTED["state"]
"""

AFTER_TESTS = """
from sqlalchemy import func, select
from shop import Product, User

def test_next_module_starts_empty(db_session):
    assert db_session.scalar(select(func.count()).select_from(User)) == 0
    assert db_session.scalar(select(func.count()).select_from(Product)) == 0

def test_its_own_module_scenario(catalog_scenario, db_session):
    assert db_session.scalar(select(func.count()).select_from(Product)) == 20
"""


def _write(pytester: Any) -> None:
    pytester.makefile(".py", shop=SHOP_SOURCE)
    pytester.makefile(".toml", pyproject=PYPROJECT)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_a_shared=SHARED_TESTS, test_b_after=AFTER_TESTS)


def _check(result: Any, pytester: Any, workers: int = 1) -> None:
    result.assert_outcomes(passed=SHARED_TESTS.count("def test_") + 2)
    created: dict[tuple[str, str, str], int] = {}
    for path in Path(pytester.path).glob("created-*.jsonl"):
        for line in path.read_text().splitlines():
            what, node = json.loads(line)
            key = (path.name, what, node.split("::")[0])
            created[key] = created.get(key, 0) + 1
    assert created and set(created.values()) == {1}, created  # once per process and module
    assert {k[1] for k in created} == {"shop", "vip"}
    rows = read_counts(Path(pytester.path))
    # A connection of its own after every test: nothing of the shared rows was ever committed.
    assert {r["test"]: r["counts"] for r in rows} == {r["test"]: clean_counts() for r in rows}


@pytest.fixture(autouse=True)
def _no_outer_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def test_postgresql(pytester: Any, pg_admin_url: URL) -> None:
    url = _user_database(pg_admin_url)
    try:
        _write(pytester)
        result = pytester.runpytest(
            "-p", "no:randomly", f"--fixturekit-url={url.render_as_string(False)}"
        )
        _check(result, pytester)
        assert _leftovers(url) == []
    finally:
        _drop_user_database(url)


def test_postgresql_under_xdist(pytester: Any, pg_admin_url: URL) -> None:
    url = _user_database(pg_admin_url)
    try:
        _write(pytester)
        result = pytester.runpytest(
            "-p",
            "no:randomly",
            "-n",
            "2",
            "--dist",
            "loadfile",
            f"--fixturekit-url={url.render_as_string(False)}",
        )
        _check(result, pytester)
        assert _leftovers(url) == []
    finally:
        _drop_user_database(url)


def test_mariadb(pytester: Any, mysql_admin_url: URL) -> None:
    url = _user_database(mysql_admin_url)
    try:
        _write(pytester)
        result = pytester.runpytest(
            "-p", "no:randomly", f"--fixturekit-url={url.render_as_string(False)}"
        )
        _check(result, pytester)
        assert _leftovers(url) == []
    finally:
        _drop_user_database(url)


def test_sqlite(pytester: Any) -> None:
    _write(pytester)
    result = pytester.runpytest("-p", "no:randomly")
    _check(result, pytester)


@pytest.mark.parametrize("mode", ["truncate", "fresh-db"])
def test_modes_that_cannot_nest_refuse(pytester: Any, mode: str) -> None:
    _write(pytester)
    pytester.makepyfile(
        test_a_shared=f"""
        import pytest
        pytestmark = pytest.mark.fixturekit(isolation="{mode}")

        def test_shared(shop_scenario, db_session):
            pass
        """,
        test_b_after="",
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            f"*module-scoped shop_scenario keeps its rows in one open transaction, and isolation "
            f"mode '{mode}' commits for real*"
        ]
    )


def test_myisam_refuses(pytester: Any, mysql_admin_url: URL) -> None:
    pytester.makepyfile(
        legacy="""
        from sqlalchemy import Integer
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Hit(Base):
            __tablename__ = "hits"
            __table_args__ = {"mysql_engine": "MyISAM"}
            id: Mapped[int] = mapped_column(Integer, primary_key=True)
        """,
        test_hits="""
        import pytest

        @pytest.fixture(scope="module")
        def hits(db_session_module):
            return 1

        def test_hits(hits):
            pass
        """,
    )
    pytester.makeini("[pytest]\nfixturekit_models = legacy.py\n")
    url = mysql_admin_url.set(database=f"fkm_{uuid.uuid4().hex[:8]}")
    result = pytester.runpytest(f"--fixturekit-url={url.render_as_string(False)}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*db_session_module needs savepoints, and hits (MyISAM) ignore transactions*"]
    )


LEAK_TESTS = """
from sqlalchemy import func, select, text
from shop import User

def test_leak(shop_scenario, db_session, db_engine):
    with db_engine.begin() as conn:
        conn.execute(text("INSERT INTO users (email) VALUES ('leaked@example.com')"))

def test_shared_rows_still_there(shop_scenario, db_session):
    emails = db_session.scalars(select(User.email)).all()
    assert len(emails) == 5 and "leaked@example.com" not in emails
"""


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_a_leak_inside_shared_data(pytester: Any, request: pytest.FixtureRequest, dialect: str):
    admin = request.getfixturevalue(
        "pg_admin_url" if dialect == "postgresql" else "mysql_admin_url"
    )
    url = _user_database(admin)
    try:
        _write(pytester)
        pytester.makepyfile(test_a_shared=LEAK_TESTS, test_b_after=AFTER_TESTS)
        result = pytester.runpytest(
            "-p", "no:randomly", f"--fixturekit-url={url.render_as_string(False)}"
        )
        result.assert_outcomes(passed=3, failed=1)
        result.stdout.fnmatch_lines(["*FAILED test_a_shared.py::test_leak*"])
        result.stdout.fnmatch_lines(["*rows escaped this test's isolation*", "*users: 1 row*"])
        rows = read_counts(Path(pytester.path))
        # Cleaned at once, or (MariaDB: the shared transaction holds the rows' locks) when the
        # module's shared data ends: the next module starts clean either way.
        after = [r["counts"] for r in rows if r["test"].startswith("test_next_module")]
        assert after == [clean_counts()]
        assert _leftovers(url) == []
    finally:
        _drop_user_database(url)


def test_an_unknown_scope_is_a_usage_error(pytester: Any) -> None:
    pytester.makefile(".py", shop=SHOP_SOURCE)
    pytester.makefile(
        ".toml",
        pyproject=PYPROJECT.replace('scope = "module"', 'scope = "session"'),
    )
    pytester.makepyfile(test_x="def test_x(catalog_scenario):\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*[[]tool.fixturekit.scenarios[]] catalog in *: scope = 'session' is not one of *"]
    )
    with pytest.raises(ValueError, match="scope must be one of function, class, module"):
        from fixturekit.plugin import scenario

        scenario(scope="package")
