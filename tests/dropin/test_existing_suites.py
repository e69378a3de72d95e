"""Dropping fixturekit into a suite that exists: a hand-written factories module and conftest
kept and still working, pytest-factoryboy fixtures next to fixturekit's, generated files that
survive the project's formatter, typed factories, pytest 9's `[tool.pytest]` table, one app-label
grammar and Django's through models named as FACTORIES names them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixturekit.cli import _register, cli
from fixturekit.cli.generate import app_labels

_register()
ROOT = Path(__file__).resolve().parents[2]

MODELS = """
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    pen_name: Mapped[str] = mapped_column(String(60))


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship()
"""

# The team's own suite: hand-written factories on a session their conftest makes.
THEIR_FACTORIES = """
import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import scoped_session, sessionmaker

from app.models import Author

Session = scoped_session(sessionmaker())


class AuthorFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Author
        sqlalchemy_session = Session
        sqlalchemy_session_persistence = "flush"

    email = factory.Sequence(lambda n: f"writer{n}@example.com")
    pen_name = "Anon"
"""

THEIR_CONFTEST = """
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.models import Base  # noqa: E402
from factories import Session  # noqa: E402


@pytest.fixture
def own_session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'own.sqlite3'}")
    Base.metadata.create_all(engine)
    Session.configure(bind=engine)
    yield Session()
    Session.remove()
    engine.dispose()
"""

THEIR_TEST = """
from factories import AuthorFactory


def test_their_factory_on_their_session(own_session):
    author = AuthorFactory()
    assert author.email.startswith("writer")
    assert own_session.get(type(author), author.id) is author


def test_their_factory_in_a_db_session_test(db_session):
    author = AuthorFactory()  # bound to db_session for this test by the plugin
    assert db_session.get(type(author), author.id) is author


def test_their_factory_after_that(own_session):
    # The plugin gave the factory its own session back after the db_session test.
    assert AuthorFactory().pen_name == "Anon"
"""


def _project(folder: Path, pyproject: str = "") -> Path:
    (folder / "app").mkdir()
    (folder / "app" / "__init__.py").write_text("")
    (folder / "app" / "models.py").write_text(MODELS)
    tests = folder / "tests"
    tests.mkdir()
    (tests / "factories.py").write_text(THEIR_FACTORIES)
    (tests / "conftest.py").write_text(THEIR_CONFTEST)
    (tests / "test_theirs.py").write_text(THEIR_TEST)
    if pyproject:
        (folder / "pyproject.toml").write_text(pyproject)
    return folder


def _init(folder: Path, *args: str) -> str:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, ["init", *args])
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    return result.output


def test_init_keeps_a_hand_written_suite_collecting_and_passing(pytester: pytest.Pytester) -> None:
    folder = _project(pytester.path)
    before = (folder / "tests" / "factories.py").read_text()
    output = _init(folder, "app.models")
    assert "wrote    tests/fixturekit_factories.py" in output
    assert "kept     tests/factories.py (your own factories" in output
    assert "kept     tests/conftest.py" in output
    assert (folder / "tests" / "factories.py").read_text() == before
    smoke = (folder / "tests" / "test_fixtures.py").read_text()
    assert "from fixturekit_factories import FACTORIES" in smoke
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)  # their three tests and the smoke test's two


def test_pytest_factoryboy_register_next_to_fixturekit_fixtures(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("pytest_factoryboy")
    folder = pytester.path
    (folder / "app").mkdir()
    (folder / "app" / "__init__.py").write_text("")
    (folder / "app" / "models.py").write_text(MODELS)
    (folder / "pyproject.toml").write_text(
        '[tool.pytest]\nfixturekit_models = "app.models"\n'
        'fixturekit_factories = ["tests/factories.py"]\n'
        "fixturekit_register_fixtures = true\n"
        'asyncio_default_fixture_loop_scope = "function"\n'
    )
    output = _init(folder, "app.models")
    assert "[tool.pytest]" in output  # the table the project uses
    conftest = folder / "tests" / "conftest.py"
    assert "[tool.pytest] (or on the command line)" in conftest.read_text()
    conftest.write_text(
        conftest.read_text()
        + "\nfrom pytest_factoryboy import register\n"
        + "from factories import AuthorFactory\n\n"
        + 'register(AuthorFactory, "writer")\n'
    )
    (folder / "tests" / "test_both.py").write_text(
        "def test_both(writer, author, author_factory, book_factory, db_session):\n"
        "    # pytest-factoryboy's `writer` and fixturekit's `author` share one session\n"
        "    assert writer.id != author.id\n"
        "    assert book_factory(author=writer).author is writer\n"
        "    assert author_factory().email != writer.email\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def _formatted(path: Path) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    command = [
        str(ruff),
        "format",
        "--line-length",
        "72",
        "--config",
        "format.quote-style='single'",
    ]
    subprocess.run([*command, str(path)], check=True, capture_output=True)


def test_formatter_reformatting_is_not_drift_nor_a_hand_edit(tmp_path: Path) -> None:
    out = tmp_path / "factories.py"
    models = str(ROOT / "examples" / "shop" / "models.py")
    runner = CliRunner()
    assert runner.invoke(cli, ["generate", models, "-o", str(out), "-q"]).exit_code == 0
    original = out.read_text()
    _formatted(out)
    formatted = out.read_text()
    assert formatted != original  # the formatter did rewrap and requote it
    check = runner.invoke(cli, ["generate", models, "-o", str(out), "--check"])
    assert check.exit_code == 0, check.output
    assert "up to date" in check.output
    again = runner.invoke(cli, ["generate", models, "-o", str(out), "-q"])
    assert again.exit_code == 0, again.output
    assert out.read_text() == formatted  # nothing to rewrite: the formatting is kept
    # A real edit is still one.
    out.write_text(formatted.replace("class TagFactory(", "class TagFactory(  # mine\n    "))
    refused = runner.invoke(cli, ["generate", models, "-o", str(out), "-q"])
    assert refused.exit_code == 2 and "edited by hand" in refused.output


def test_check_prints_only_the_drift(tmp_path: Path) -> None:
    out = tmp_path / "factories.py"
    models = str(ROOT / "examples" / "shop" / "models.py")
    runner = CliRunner()
    assert runner.invoke(cli, ["generate", models, "-o", str(out), "-q"]).exit_code == 0
    out.write_text(out.read_text().replace("max_length=120", "max_length=99", 1))
    result = runner.invoke(cli, ["generate", models, "-o", str(out), "--check"])
    assert result.exit_code == 1
    assert "no longer matches the models" in result.output
    assert "~ UserFactory.email" in result.output  # the summary line
    assert "+++ " in result.output  # the diff
    assert "flagged" not in result.output and "name says" not in result.output


def test_factories_are_typed_and_the_sample_uses_real_fields(tmp_path: Path) -> None:
    (tmp_path / "typed_app").mkdir()
    (tmp_path / "typed_app" / "__init__.py").write_text("")
    (tmp_path / "typed_app" / "models.py").write_text(MODELS)
    out = tmp_path / "typed_factories.py"
    previous = Path.cwd()
    os.chdir(tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        result = CliRunner().invoke(cli, ["generate", "typed_app.models", "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        text = out.read_text()
        assert "class AuthorFactory(_Factory[Author]):" in text
        assert "# class AuthorFactory(AuthorFactory):" in text
        assert '#     email = factory.Sequence(lambda n: f"author{n}@example.com")' in text
        namespace: dict = {}
        exec(compile(text, str(out), "exec"), namespace)
        from typed_app.models import Author

        factory_class = namespace["AuthorFactory"]
        assert factory_class.__orig_bases__[0].__args__ == (Author,)
        assert factory_class._meta.model is Author
    finally:
        os.chdir(previous)
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("typed_app")]:
            del sys.modules[name]


def test_app_labels_space_or_comma_separated() -> None:
    assert app_labels(("shop", "orders")) == ["shop", "orders"]
    assert app_labels(("shop,orders",)) == ["shop", "orders"]
    assert app_labels(("shop, orders", "reviews")) == ["shop", "orders", "reviews"]


def test_django_report_names_through_models_as_factories_does(tmp_path: Path) -> None:
    pytest.importorskip("django")
    project = tmp_path / "django_shop"
    shutil.copytree(ROOT / "examples" / "django_shop", project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIXTUREKIT_"))}
    env["DJANGO_SETTINGS_MODULE"] = "shop_project.settings"
    result = subprocess.run(
        [sys.executable, "-m", "fixturekit", "generate", "--django", "catalog", "orders"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Product_tags" in result.stderr  # the report
    assert '"Product_tags": ProductTagsFactory' in result.stdout  # FACTORIES
    assert "│ through" not in result.stderr
