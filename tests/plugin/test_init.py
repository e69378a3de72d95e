"""`fixturekit init`: scaffolding that passes `pytest` straight away and never overwrites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import URL

from fixturekit.cli import _register, cli

_register()  # the subcommands, as `fixturekit` itself registers them

ROOT = Path(__file__).resolve().parents[2]

APP_MODELS = """
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship()
"""


def _init(folder: Path, *args: str, verify_url: URL | None = None) -> str:
    """`fixturekit init` in `folder`: verified on `verify_url`'s server, else with --no-verify.

    Left to itself, init would start a throwaway PostgreSQL to verify the factories (slow on a
    loaded machine); tests that are not about verification skip it, the others name the server.
    """
    previous = Path.cwd()
    os.chdir(folder)
    env = {"FIXTUREKIT_DATABASE_URL": None}
    if verify_url is None:
        args = (*args, "--no-verify")
    else:
        env["FIXTUREKIT_DATABASE_URL"] = verify_url.render_as_string(hide_password=False)
    try:
        result = CliRunner().invoke(cli, ["init", *args], catch_exceptions=False, env=env)
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    return result.output


def _pytest(folder: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FIXTUREKIT_"))}
    if url:
        env["FIXTUREKIT_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_bundled_example_passes_right_after_init(tmp_path: Path, pg_admin_url: URL) -> None:
    shutil.copy(ROOT / "examples" / "shop" / "models.py", tmp_path / "models.py")
    output = _init(tmp_path, "models.py", verify_url=pg_admin_url)
    assert "verif" in output.lower()
    for name in ("factories.py", "conftest.py", "test_fixtures.py"):
        assert f"wrote    tests/{name}" in output
    # `pytest` as a user types it: the plugin is found through its entry point.
    result = _pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert "no database configured" in result.stdout  # the default SQLite notice


def test_users_package_project_on_postgresql(tmp_path: Path, pg_admin_url: URL) -> None:
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "__init__.py").write_text("")
    (tmp_path / "blog" / "models.py").write_text(APP_MODELS)
    _init(tmp_path, "blog/models.py")
    conftest = (tmp_path / "tests" / "conftest.py").read_text()
    assert "factories.Author.create_batch(2)" in conftest
    assert "author=parents[0]" in conftest
    (tmp_path / "tests" / "test_scenario.py").write_text(
        "def test_example(example_scenario):\n"
        '    assert len(example_scenario["children"]) == 3\n'
        '    assert {p.author for p in example_scenario["children"]} == '
        '{example_scenario["parents"][0]}\n'
    )
    url = pg_admin_url.set(database=f"fkinit_{uuid.uuid4().hex[:8]}")
    result = _pytest(tmp_path, url=url.render_as_string(hide_password=False))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_existing_files_are_kept_without_force(tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples" / "shop" / "models.py", tmp_path / "models.py")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text("# the team's own conftest\n")
    first = _init(tmp_path, "models.py")
    assert "kept     tests/conftest.py" in first
    assert "from fixturekit.plugin import scenario" in first  # what to add by hand
    assert (tests / "conftest.py").read_text() == "# the team's own conftest\n"
    smoke = tests / "test_fixtures.py"
    smoke.write_text("# edited\n")
    second = _init(tmp_path, "models.py")
    assert "kept     tests/factories.py" in second
    assert smoke.read_text() == "# edited\n"
    _init(tmp_path, "models.py", "--force")
    assert "fixturekit init" in smoke.read_text()
    assert "@scenario" in (tests / "conftest.py").read_text()


def test_models_that_do_not_load_are_reported(tmp_path: Path) -> None:
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["init", "missing/models.py"])
    finally:
        os.chdir(previous)
    assert result.exit_code == 2
    assert "missing/models.py does not exist" in result.output
    assert not (tmp_path / "tests").exists()


@pytest.fixture(autouse=True)
def _isolated_factories_modules():
    # Each project here has its own `factories`/`models` modules; forget them between tests.
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.split(".")[0] in {"models", "factories", "blog"}:
            del sys.modules[name]
