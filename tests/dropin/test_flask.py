"""Flask-SQLAlchemy: models named as a models module or through the `db` object, and the
example app's view tests (views committing through `db.session`) on every server."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixturekit.cli import _register, cli
from fixturekit.errors import ModelsNotLoaded
from fixturekit.schema.loading import load_models

_register()
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "flask_blog"


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_example_view_tests_pass(
    dialect: str, request: pytest.FixtureRequest, pytester: pytest.Pytester
) -> None:
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith(("PYTEST_", "FIXTUREKIT_"))]:
            patch.delenv(name)
        if dialect != "sqlite":
            fixture = "pg_admin_url" if dialect == "postgresql" else "mysql_admin_url"
            admin = request.getfixturevalue(fixture)
            url = admin.set(database=f"fkflask_{uuid.uuid4().hex[:8]}")
            patch.setenv("FIXTUREKIT_DATABASE_URL", url.render_as_string(hide_password=False))
        result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=6)


def test_routing_survives_request_teardown_and_is_undone(tmp_path: Path) -> None:
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import Column, Integer, String, create_engine, select
    from sqlalchemy.orm import Session

    from fixturekit.plugin.flask_db import extensions_of, routed

    db = SQLAlchemy()

    class Note(db.Model):
        __tablename__ = "notes"
        id = Column(Integer, primary_key=True)
        text = Column(String(40), nullable=False)

    app = Flask("notes")
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    db.init_app(app)

    @app.post("/notes")
    def add_note():
        db.session.add(Note(text="hello"))
        db.session.commit()
        return {"ok": True}

    assert extensions_of([Note]) == [db]
    engine = create_engine(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    db.metadata.create_all(engine)
    original = db.session.registry
    with Session(engine) as session, routed([db], session):
        assert app.test_client().post("/notes").status_code == 200  # teardown calls remove()
        assert session.scalars(select(Note.text)).all() == ["hello"]  # still open, same session
        with app.app_context():
            assert db.session() is session
    assert db.session.registry is original
    with app.app_context():
        assert db.session() is not session  # the app's own session again
        db.create_all()
        assert db.session.scalars(select(Note)).all() == []  # nothing went to the app's engine
    engine.dispose()


def test_example_factories_are_current() -> None:
    previous = Path.cwd()
    os.chdir(EXAMPLE)
    sys.path.insert(0, str(EXAMPLE))
    try:
        result = CliRunner().invoke(
            cli,
            [
                "generate",
                "blog.extensions:db",
                "--import",
                "blog.models",
                "-o",
                "tests/factories.py",
                "--check",
            ],
        )
    finally:
        os.chdir(previous)
        sys.path.remove(str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert "name says" not in result.output  # --check prints no field report


def test_models_module_and_db_object_forms() -> None:
    by_module = load_models("blog.models", root=EXAMPLE)
    by_db = load_models("blog.extensions:db", root=EXAMPLE, imports=["blog.models"])
    by_spec = load_models("blog.extensions:db blog.models", root=EXAMPLE)
    names = {t.name for t in by_module.tables}
    assert names == {"users", "posts"}
    assert {t.name for t in by_db.tables} == names == {t.name for t in by_spec.tables}
    assert {c.__name__ for c in by_db.classes} == {"User", "Post"}


def test_db_without_models_and_wrong_objects_get_clear_messages(tmp_path: Path) -> None:
    package = tmp_path / "emptyapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "extensions.py").write_text(
        "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\nlimiter = object()\n"
    )
    with pytest.raises(ModelsNotLoaded) as caught:
        load_models("emptyapp.extensions:db", root=tmp_path)
    assert "no model is registered on it" in str(caught.value)
    assert "--import" in str(caught.value)
    with pytest.raises(ModelsNotLoaded) as caught:
        load_models("emptyapp.extensions:limiter", root=tmp_path)
    assert "is a object, not a declarative Base" in str(caught.value)
    assert "Flask-SQLAlchemy" in str(caught.value)

    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["generate", "emptyapp.extensions:db"])
        init = CliRunner().invoke(cli, ["init", "emptyapp.extensions:db"])
    finally:
        os.chdir(previous)
    assert result.exit_code == 2
    assert "--import" in result.output and "Traceback" not in result.output
    assert init.exit_code == 2 and "no model is registered" in init.output
    assert not (tmp_path / "tests").exists()
