"""Flask-SQLAlchemy models whose flush needs an application context (ihatemoney's versioning
hook reads `flask.g`; privacyidea's Token reads the app's configuration), created by generated
factories with no app context pushed, and a `db.Table` whose inserted values an execution hook
reads (SQLAlchemy-Continuum)."""

from __future__ import annotations

import importlib
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from fixturekit.cli import _register, cli
from fixturekit.errors import FixturekitError

_register()

MODELS = """
import flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, ForeignKey, Integer, String, event
from sqlalchemy.orm import object_session

db = SQLAlchemy()


class Project(db.Model):
    __tablename__ = "projects"
    id = Column(Integer, primary_key=True)
    name = Column(String(60), nullable=False)
    actor = Column(String(40))
    origin = Column(String(10))


class Person(db.Model):
    __tablename__ = "people"
    id = Column(Integer, primary_key=True)
    project_id = Column(ForeignKey("projects.id"), nullable=False)
    name = Column(String(60), nullable=False)


members = db.Table(
    "members",
    Column("project_id", ForeignKey("projects.id"), primary_key=True),
    Column("person_id", ForeignKey("people.id"), primary_key=True),
)


class Token(db.Model):
    __tablename__ = "tokens"
    id = Column(Integer, primary_key=True)
    serial = Column(String(40), nullable=False)


@event.listens_for(Token, "before_insert")
def _prefix(mapper, connection, target):
    # the project's configuration, as privacyidea's Token reads its key file's path
    target.serial = flask.current_app.config.get("TOKEN_PREFIX", "none-") + target.serial[:8]


@event.listens_for(Project, "before_insert")
def _audit(mapper, connection, target):
    # outside an app context flask.g raises "Working outside of application context"
    target.actor = flask.g.get("actor", "nobody")
    target.origin = "same" if db.session() is object_session(target) else "other"
"""


def _project(tmp_path: Path) -> str:
    name = f"flaskctx_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(MODELS)
    return name


def _generate(tmp_path: Path, models: str, *extra: str):
    out = tmp_path / f"{models}_factories.py"
    result = CliRunner().invoke(
        cli, ["generate", f"{tmp_path / models}.py", "-o", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)
    name = _project(tmp_path)
    yield tmp_path, name
    for module in [m for m in sys.modules if m.startswith("flaskctx_")]:
        del sys.modules[module]


@pytest.mark.parametrize("server", ["pg_url", "sqlite_url"])
def test_factories_push_a_context_when_none_is_active(project, request, server):
    import flask

    tmp_path, name = project
    url = request.getfixturevalue(server)
    out, _ = _generate(tmp_path, name)
    models = importlib.import_module(name)
    factories = importlib.import_module(out.stem)
    engine = create_engine(url)
    models.db.metadata.create_all(engine)
    executed: list[dict] = []

    @event.listens_for(engine, "before_execute")
    def _watch(conn, clauseelement, multiparams, params, execution_options):
        # what SQLAlchemy-Continuum reads to version an association table's rows
        if getattr(clauseelement, "is_insert", False) and clauseelement.table.name == "members":
            executed.extend(multiparams or [params])

    assert not flask.has_app_context()
    with Session(engine) as session:
        factories.bind_session(session)
        projects = [factories.ProjectFactory.create(), *factories.ProjectFactory.create_batch(30)]
        assert {(p.actor, p.origin) for p in projects} == {("nobody", "same")}
        factories.PersonFactory.create_batch(5)
        member = factories.MembersFactory.create()
        factories.MembersFactory.create_batch(3)
        assert not flask.has_app_context()  # popped again
        assert executed[0] == {"project_id": member.project_id, "person_id": member.person_id}
        assert len(executed) == 4 and all(p["project_id"] for p in executed)
        assert session.scalar(select(models.Project.origin).limit(1)) == "same"
        # the project's own context (its conftest's) is used as it is
        app = flask.Flask("real")
        with app.app_context():
            flask.g.actor = "ada"
            assert factories.ProjectFactory.create().actor == "ada"
        factories.bind_session(None)
    engine.dispose()


def test_verify_proves_such_models(project, pg_url):
    tmp_path, name = project
    shown = pg_url.render_as_string(hide_password=False)
    _, output = _generate(tmp_path, name, "--verify", shown)
    for model in ("Project", "Person", "members", "Token"):
        assert f"{model}: verified" in output, output
    assert "application context" not in output


APP = """
from flask import Flask


def create_app(prefix):
    app = Flask(__name__)
    app.config["TOKEN_PREFIX"] = prefix
    return app
"""


def test_flask_app_names_the_app_whose_context_is_pushed(project, sqlite_url, monkeypatch):
    tmp_path, name = project
    out, _ = _generate(tmp_path, name)
    models = importlib.import_module(name)
    factories = importlib.import_module(out.stem)
    engine = create_engine(sqlite_url)
    models.db.metadata.create_all(engine)
    with Session(engine) as session:
        factories.bind_session(session)
        assert factories.TokenFactory.create().serial.startswith("none-")  # the stand-in app
        (tmp_path / f"{name}_app.py").write_text(APP)
        monkeypatch.setenv("FLASK_APP", f"{name}_app:create_app('tk-')")
        tokens = [factories.TokenFactory.create(), *factories.TokenFactory.create_batch(20)]
        assert all(t.serial.startswith("tk-") for t in tokens)
        monkeypatch.setenv("FLASK_APP", f"{name}_app:no_such_factory")
        with pytest.raises(FixturekitError) as caught:
            factories.TokenFactory.create()
        assert f"FLASK_APP={name}_app:no_such_factory" in caught.value.message
        assert "cannot be loaded" in caught.value.message
        factories.bind_session(None)
    engine.dispose()
