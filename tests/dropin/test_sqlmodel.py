"""SQLModel table models: found like declarative models, field constraints read into the schema,
generated factories inserting rows on every server; data models alone get a clear message."""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from fixturekit.cli import _register, cli
from fixturekit.errors import ModelsNotLoaded
from fixturekit.schema.loading import load_models
from fixturekit.schema.sqlalchemy import read_models

_register()
HERE = Path(__file__).resolve().parent
MODELS = "tests/dropin/sqlmodel_models.py"
ROOT = HERE.parents[1]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _generate(spec: str, output: Path) -> str:
    result = CliRunner().invoke(cli, ["generate", spec, "-o", str(output)])
    assert result.exit_code == 0, result.output
    return result.output


def _import(path: Path):
    name = f"generated_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_field_constraints_are_read_into_the_schema() -> None:
    schema = read_models(MODELS)
    hero = schema.table("sm_heroes")
    assert hero.column("name").type.length == 50
    assert hero.column("secret_name").unique
    fee = hero.column("fee").type
    assert (fee.precision, fee.scale) == (6, 2)
    assert hero.column("token").client_default  # default_factory
    assert hero.column("joined_at").client_default
    assert hero.foreign_keys[0].referred_table == "sm_teams"
    checks = {c.sql for c in hero.checks}
    assert {"age >= 16", "age <= 120", "power >= 1", "power <= 10", "fee >= 0"} <= checks
    assert schema.table("sm_teams").column("name").unique
    assert "smheropublic" not in {t.name.lower() for t in schema}


def test_module_colon_sqlmodel_names_the_table_models() -> None:
    loaded = load_models("dropin.sqlmodel_models:SQLModel", root=ROOT / "tests")
    names = {t.name for t in loaded.tables}
    assert {"sm_teams", "sm_heroes"} <= names


def test_data_models_only_get_a_clear_message() -> None:
    with pytest.raises(ModelsNotLoaded) as caught:
        load_models("tests/dropin/sqlmodel_data_only.py", root=ROOT)
    text = str(caught.value)
    assert "HeroCreate, HeroRead" in text
    assert "table=True" in text
    result = CliRunner().invoke(cli, ["generate", "tests/dropin/sqlmodel_data_only.py"])
    assert result.exit_code == 2
    assert "none with table=True" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_generated_factories_insert_1_and_100_rows(
    dialect: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue(
        {"postgresql": "pg_url", "mysql": "mysql_url"}.get(dialect, "sqlite_url")
    )
    output = tmp_path / "sqlmodel_factories.py"
    report = _generate(MODELS, output)
    assert "SmHero" in report
    factories = _import(output)
    from sqlmodel import SQLModel

    from dropin.sqlmodel_models import SmHero, SmTeam

    engine = create_engine(url)
    tables = [SQLModel.metadata.tables[name] for name in ("sm_teams", "sm_heroes")]
    SQLModel.metadata.create_all(engine, tables=tables)
    try:
        with Session(engine) as session:
            factories.bind_session(session)
            one = factories.SmHeroFactory()
            session.commit()
            assert 16 <= (one.age if one.age is not None else 16) <= 120
            many = factories.SmHeroFactory.create_batch(100)
            session.commit()
            assert all(1 <= h.power <= 10 and h.fee >= 0 for h in many)
            assert session.scalar(select(func.count()).select_from(SmHero)) == 101
            assert session.scalar(select(func.count()).select_from(SmTeam)) == 101
            factories.bind_session(None)
    finally:
        engine.dispose()


def test_module_path_of_sqlmodel_models(tmp_path: Path) -> None:
    # The module form, as `fixturekit generate app.models` is written in a project.
    env_path = os.pathsep.join([str(ROOT / "tests"), *sys.path])
    assert env_path  # sys.path already holds tests/ through pytest's rootdir insertion
    output = tmp_path / "factories.py"
    result = CliRunner().invoke(
        cli, ["generate", "dropin.sqlmodel_models", "-o", str(output), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "class SmTeamFactory" in output.read_text()
