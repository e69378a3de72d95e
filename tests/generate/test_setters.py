"""Columns behind a property setter are set through it; a bare secret is flagged."""

from __future__ import annotations

import sys

import pytest
from gen_helpers import ROOT, import_file, run_cli
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from fixturekit import factory_for
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.loading import load_models
from fixturekit.schema.sqlalchemy import read_metadata

MODELS = ROOT / "tests" / "schemas" / "private_columns.py"


def _plan():
    loaded = load_models(str(MODELS))
    return plan_schema(read_metadata(loaded.metadatas[0], loaded.classes))


def test_setters_are_found_and_declared_by_their_public_name():
    plan = _plan()
    accounts = {f.column.name: f for f in plan.tables["accounts"].fields}
    assert accounts["password"].column.setter == "password"
    assert accounts["password"].attribute == "password"
    assert "set through the password property setter" in accounts["password"].reason
    members = {f.column.name: f for f in plan.tables["members"].fields}
    assert members["password_hash"].attribute == "password"
    secret = {f.column.name: f for f in plan.tables["api_clients"].fields}["client_secret"]
    assert any("secret-like column with no property setter" in flag for flag in secret.flags)
    assert not any("secret-like" in flag for f in accounts.values() for flag in f.flags)


def test_report_flags_the_secret_without_a_setter(tmp_path):
    out = tmp_path / "factories.py"
    result = run_cli("generate", str(MODELS), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "ApiClient.client_secret: secret-like column with no property setter" in " ".join(
        result.output.split()
    )
    source = out.read_text()
    assert "    password = factory." in source and "rename" not in source


@pytest.mark.parametrize("kind", ["generated", "runtime"])
@pytest.mark.parametrize("server", ["pg_url", "mysql_url", "sqlite_url"])
def test_factories_set_passwords_through_the_setter(server, kind, request, tmp_path):
    url = request.getfixturevalue(server)
    loaded = load_models(str(MODELS))
    engine = create_engine(url)
    loaded.metadatas[0].create_all(engine)
    module = None
    try:
        with Session(engine) as session:
            if kind == "generated":
                out = tmp_path / "factories.py"
                assert run_cli("generate", str(MODELS), "-o", str(out), "-q").exit_code == 0
                module = import_file(out)
                module.bind_session(session)
                factories = module.FACTORIES
            else:
                factories = {c.__name__: factory_for(c, session=session) for c in loaded.classes}
            made = factories["Account"].create()
            assert made._password.startswith("sha256$")
            chosen = factories["Account"].create(password="hunter2")
            assert chosen.check_password("hunter2")
            member = factories["Member"].create(password="s3cret")
            digest = sys.modules[type(member).__module__].digest
            assert member.password_hash == digest("s3cret")
            assert len(factories["Member"].create_batch(20)) == 20
            # Batches set the property too (no bulk path around the setter).
            batch = factories["Account"].create_batch(10, password="pw")
            assert all(account.check_password("pw") for account in batch)
            assert factories["ApiClient"].create().client_secret
            session.commit()
    finally:
        if module is not None:
            module.bind_session(None)
        engine.dispose()
