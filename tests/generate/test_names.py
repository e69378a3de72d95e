"""Odd attribute names on real servers: factories set them, and a caller's own names win."""

from __future__ import annotations

import pytest
from gen_helpers import ROOT, import_file, run_cli
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from fixturekit import factory_for
from fixturekit.naming import FACTORY_ATTRIBUTES, declaration_name, relationship_declaration
from fixturekit.schema.loading import load_models

MODELS = ROOT / "tests" / "schemas" / "odd_names.py"


def test_factory_attributes_cover_every_public_factory_boy_name():
    import factory.alchemy
    import factory.django

    public = set()
    for cls in (factory.Factory, factory.alchemy.SQLAlchemyModelFactory):
        public |= {name for name in dir(cls) if not name.startswith("_")}
    public |= {n for n in dir(factory.django.DjangoModelFactory) if not n.startswith("_")}
    assert public <= FACTORY_ATTRIBUTES


@pytest.mark.parametrize(
    ("name", "declared"),
    [
        ("_token", "token_"),
        ("__secret", "secret"),
        ("create", "create_"),
        ("Meta", "Meta_"),
        ("class", "class_"),
        ("reset_sequence", "reset_sequence_"),
        ("plain", "plain"),
    ],
)
def test_declaration_names(name, declared):
    assert declaration_name(name) == declared


def test_relationship_names_keep_their_underscore():
    assert relationship_declaration("_server") == "_server"
    assert relationship_declaration("create") == "create_"


def _factories(kind: str, session, tmp_path):
    if kind == "generated":
        out = tmp_path / "factories.py"
        result = run_cli("generate", str(MODELS), "-o", str(out), "-q")
        assert result.exit_code == 0, result.output
        module = import_file(out)
        module.bind_session(session)
        return module.FACTORIES, module
    loaded = load_models(str(MODELS))
    return {cls.__name__: factory_for(cls, session=session) for cls in loaded.classes}, None


@pytest.mark.parametrize("kind", ["generated", "runtime"])
@pytest.mark.parametrize("server", ["pg_url", "mysql_url", "sqlite_url"])
def test_odd_names_are_set_and_callers_names_win(server, kind, request, tmp_path):
    url = request.getfixturevalue(server)
    loaded = load_models(str(MODELS))
    engine = create_engine(url)
    loaded.metadatas[0].create_all(engine)
    module = None
    try:
        with Session(engine) as session:
            factories, module = _factories(kind, session, tmp_path)
            connections, mirrors = factories["Connection"], factories["Mirror"]
            made = connections.create()
            assert made._server is not None and made._server_id == made._server.id
            assert made._token and made.create and made.Meta and made._meta and made.class_
            assert made.status in type(made).Status
            # The model's own names, as a caller writes them, override the generated values.
            server_row = factories["Server"].create(hostname="db-1")
            chosen = connections.create(
                _server=server_row,
                _token="t0ken",
                create="made",
                build="built",
                reset_sequence="again",
                Meta="meta",
                Params="params",
                _meta="private",
                status=type(made).Status.CLOSED,
            )
            assert chosen._server is server_row
            assert (chosen._token, chosen.create, chosen.build) == ("t0ken", "made", "built")
            assert (chosen.reset_sequence, chosen.Meta, chosen.Params) == (
                "again",
                "meta",
                "params",
            )
            assert chosen._meta == "private" and chosen.status is type(made).Status.CLOSED
            # The factory_boy classmethods still work next to those attributes.
            assert len(connections.create_batch(50)) == 50
            assert connections.build().create
            mirror = mirrors.create()
            assert mirror._origin_id is not None
            assert mirrors.create(_origin_id=server_row.id)._origin_id == server_row.id
            session.commit()
    finally:
        if module is not None:
            module.bind_session(None)
        engine.dispose()


def test_generated_source_imports_the_nested_enum_through_its_model(tmp_path):
    out = tmp_path / "factories.py"
    assert run_cli("generate", str(MODELS), "-o", str(out), "-q").exit_code == 0
    source = out.read_text()
    assert "list(Connection.Status)" in source
    assert "import Connection, Mirror, Server" in source
    assert '"token_": "_token"' in source and '"create_": "create"' in source
    assert "    _server = factory.SubFactory(" in source
    assert "def _generate(cls, strategy, params):" in source
