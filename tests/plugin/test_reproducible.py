"""Reproducible factory values: a printed seed replays a run, and a test's values do not depend
on what ran before it, in which order, or on which xdist worker.

Each case runs a small project's suite in a subprocess (the plugin keeps per-process state) on a
real server and compares the values its generated factories produced, test by test.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import numpy  # noqa: F401  (loaded here: a pytest run inside a test cannot load it twice)
import pytest
from click.testing import CliRunner

import fixturekit.values  # noqa: F401
from fixturekit.cli import _register, cli

_register()

MODELS = """
import datetime
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    rating: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship()
"""

PYPROJECT = """
[tool.pytest.ini_options]
fixturekit_factories = ["tests/factories.py"]
fixturekit_register_fixtures = true
asyncio_default_fixture_loop_scope = "function"
"""

TESTS = """
import json, os

import pytest
from factories import AuthorFactory, PostFactory

def record(name, rows):
    with open(os.environ["VALUES_FILE"], "a") as out:
        out.write(json.dumps({"test": name, "rows": rows}) + "\\n")

def author_row(a):
    return [a.email, a.first_name, a.created_at.isoformat()]

def post_row(p):
    return [p.title, p.rating, p.published_at.isoformat(), p.author.email]

@pytest.fixture(scope="module")
def shared_name(db_engine):
    # Seeded from its own scope: the same whichever test sets it up.
    from fixturekit import values as fv
    return fv.fake("first_name")

def test_authors(db_session):
    record("test_authors", [author_row(a) for a in AuthorFactory.create_batch(3)])

def test_posts(db_session):
    record("test_posts", [post_row(p) for p in PostFactory.create_batch(2)])

def test_fixture_and_body(author, db_session, shared_name):
    record("test_fixture_and_body", [author_row(author), author_row(AuthorFactory()), shared_name])

def test_more_authors(author_factory):
    record("test_more_authors", [author_row(a) for a in author_factory.create_batch(2)])
"""


def _project(folder: Path) -> Path:
    (folder / "seedblog").mkdir()
    (folder / "seedblog" / "__init__.py").write_text("")
    (folder / "seedblog" / "models.py").write_text(MODELS)
    (folder / "tests").mkdir()
    (folder / "pyproject.toml").write_text(PYPROJECT)
    previous = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(
            cli, ["generate", "seedblog/models.py", "-o", "tests/factories.py", "-q"]
        )
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    (folder / "tests" / "test_values.py").write_text(TESTS)
    return folder


def _run(
    pytester: pytest.Pytester, url: str | None, *args: str, subprocess: bool = False
) -> tuple[dict[str, Any], str]:
    values = pytester.path / f"values-{uuid.uuid4().hex[:6]}.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith(("PYTEST_", "FIXTUREKIT_"))]:
            patch.delenv(name)
        patch.setenv("VALUES_FILE", str(values))
        if url:
            patch.setenv("FIXTUREKIT_DATABASE_URL", url)
        run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
        result = run("-p", "no:cacheprovider", "-p", "no:randomly", *args)
    output = "\n".join(result.outlines + result.errlines)
    found: dict[str, Any] = {}
    if values.exists():
        for line in values.read_text().splitlines():
            entry = json.loads(line)
            found[entry["test"]] = entry["rows"]
    return found, output


def _server_url(request: pytest.FixtureRequest, dialect: str) -> str | None:
    if dialect == "sqlite":
        return None  # the plugin's default temporary SQLite file
    admin = request.getfixturevalue(
        "pg_admin_url" if dialect == "postgresql" else "mysql_admin_url"
    )
    return admin.set(database=f"fkseed_{uuid.uuid4().hex[:8]}").render_as_string(
        hide_password=False
    )


ORDER = ["test_more_authors", "test_fixture_and_body", "test_posts", "test_authors"]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_same_seed_same_values_in_any_order_on_servers(
    pytester: pytest.Pytester, request: pytest.FixtureRequest, dialect: str
) -> None:
    _project(pytester.path)
    url = _server_url(request, dialect)
    first, output = _run(pytester, url, "--fixturekit-seed", "4242")
    assert "fixturekit: random seed 4242" in output
    assert "4 passed" in output, output
    assert len(first) == 4
    # Reversed: every test runs after different ones, and another test sets up the module
    # fixture; timestamps included, the values are the same.
    reordered, output = _run(
        pytester, url, "--fixturekit-seed", "4242", *[f"tests/test_values.py::{n}" for n in ORDER]
    )
    assert "4 passed" in output, output
    assert reordered == first


def test_same_seed_same_values_alone_and_in_any_order(pytester: pytest.Pytester) -> None:
    _project(pytester.path)
    first, output = _run(pytester, None, "--fixturekit-seed", "4242")
    assert "4 passed" in output, output
    again, output = _run(pytester, None, "--fixturekit-seed", "4242")
    assert again == first, "two runs with one seed differ (timestamps included)"
    alone, output = _run(
        pytester, None, "--fixturekit-seed", "4242", "tests/test_values.py::test_posts"
    )
    assert "1 passed" in output, output
    assert alone["test_posts"] == first["test_posts"]
    reordered, output = _run(
        pytester, None, "--fixturekit-seed", "4242", *[f"tests/test_values.py::{n}" for n in ORDER]
    )
    assert reordered == first
    other, _ = _run(pytester, None, "--fixturekit-seed", "4243")
    assert other["test_authors"] != first["test_authors"]


def test_sequences_restart_for_each_test(pytester: pytest.Pytester) -> None:
    _project(pytester.path)
    values, output = _run(pytester, None, "--fixturekit-seed", "7")
    assert "4 passed" in output, output
    # Unique emails are numbered from the same sequence start in every test: the earlier
    # tests' rows were rolled back, so nothing collides.
    first_of = {name: rows[0][0] for name, rows in values.items()}
    suffixes = {name: email.split("@")[0][-1] for name, email in first_of.items()}
    assert suffixes["test_authors"] == suffixes["test_more_authors"]


def test_seed_is_printed_picked_per_run_and_shown_with_failures(pytester: pytest.Pytester) -> None:
    folder = _project(pytester.path)
    (folder / "tests" / "test_failing.py").write_text(
        "from factories import AuthorFactory\n\n"
        "def test_fails(db_session):\n"
        "    assert AuthorFactory().email == 'nobody'\n"
    )
    _, output = _run(pytester, None, "tests/test_failing.py")
    header = [line for line in output.splitlines() if line.startswith("fixturekit: random seed")]
    assert len(header) == 1, output
    seed = int(header[0].split()[3])
    assert f"random seed {seed}: replay with --fixturekit-seed {seed}" in output
    # The replay fails the same way: the same email.
    failed_email = next(line for line in output.splitlines() if "AssertionError" in line)
    _, replay = _run(pytester, None, "tests/test_failing.py", "--fixturekit-seed", str(seed))
    assert failed_email in replay


def test_ini_seed_and_xdist_workers(pytester: pytest.Pytester) -> None:
    folder = _project(pytester.path)
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'fixturekit_seed = "99"\n')
    serial, output = _run(pytester, None)
    assert "fixturekit: random seed 99 (ini fixturekit_seed)" in output
    spread, output = _run(pytester, None, "-n", "2", subprocess=True)
    assert "4 passed" in output, output
    assert spread == serial


def test_pytest_randomly_seed_is_the_one_seed(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_randomly")
    _project(pytester.path)
    plain, _ = _run(pytester, None, "--fixturekit-seed", "31337")
    env_args = ["-p", "randomly", "-p", "fixturekit", "--randomly-seed", "31337"]
    # _run disables randomly first; a later -p enables it again.
    shuffled, output = _run(pytester, None, *env_args)
    assert "fixturekit: random seed 31337 (pytest-randomly)" in output, output
    assert shuffled == plain
