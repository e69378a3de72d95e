"""A factory's default object: model defaults kept, usable-object flags, fitted templates, GUID
TypeDecorators and unknown types, on PostgreSQL, MariaDB and SQLite."""

from __future__ import annotations

import uuid

import pytest
from gen_helpers import ROOT, import_file, run_cli
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from fixturekit import factory_for
from fixturekit.dialects.sqlite import install_integer_keys
from fixturekit.infer import strategies as st
from fixturekit.infer.configured import inference_options
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.loading import load_models
from fixturekit.schema.model import DefaultForm, Kind
from fixturekit.schema.sqlalchemy import read_loaded
from fixturekit.values.bulk import BulkContext, bulk_values

MODELS = ROOT / "tests" / "schemas" / "defaults_models.py"


def _schema():
    return read_loaded(load_models(str(MODELS)))


def _fields(config: dict | None = None, seeding: bool = False) -> dict[str, object]:
    options = inference_options(config or {}, ())
    options.factory_object = not seeding
    plan = plan_schema(_schema(), options)
    return {f"{p.table.name}.{f.column.name}": f for p in plan.tables.values() for f in p.fields}


def test_readers_describe_each_form_of_default():
    accounts = _schema().table("accounts")
    public_id = accounts.column("public_id").default
    assert public_id.form is DefaultForm.CALLABLE and public_id.text == "uuid4()"
    newsletter = accounts.column("newsletter").default
    assert newsletter.form is DefaultForm.SCALAR and newsletter.value is False
    plan = accounts.column("plan").default
    assert (plan.form, plan.by_database, plan.value) == (DefaultForm.SCALAR, True, "free")
    joined = accounts.column("joined_at").default
    assert joined.form is DefaultForm.EXPRESSION and joined.by_database


def test_factories_keep_model_defaults_and_make_a_usable_object():
    fields = _fields()
    assert fields["accounts.newsletter"].strategy == st.Literal(False)
    assert "the model default False" in fields["accounts.newsletter"].reason
    assert fields["accounts.credits"].strategy == st.Literal(7)
    assert fields["articles.published"].strategy == st.Literal(False)
    for left in ("accounts.public_id", "accounts.plan", "accounts.joined_at"):
        assert fields[left].strategy is None, left
    assert "left to the ORM" in fields["accounts.public_id"].reason
    assert "left to the database" in fields["accounts.plan"].reason
    # whatever the model's default: usable, without privileges
    assert fields["accounts.is_active"].strategy == st.Literal(True)
    assert "usable object" in fields["accounts.is_active"].reason
    assert fields["accounts.is_admin"].strategy == st.Literal(False)
    assert fields["accounts.is_staff"].strategy == st.Literal(False)
    assert "privilege" in fields["accounts.is_admin"].reason


def test_fill_defaults_draws_values_for_all_or_named_columns():
    drawn = _fields({"fill_defaults": True})
    assert isinstance(drawn["accounts.newsletter"].strategy, st.Boolean)
    assert isinstance(drawn["accounts.credits"].strategy, st.IntRange)
    assert drawn["accounts.plan"].strategy is not None
    assert drawn["accounts.is_active"].strategy == st.Literal(True)  # still a usable object
    one = _fields({"fill_defaults": ["Account.credits"]})
    assert isinstance(one["accounts.credits"].strategy, st.IntRange)
    assert one["accounts.newsletter"].strategy == st.Literal(False)


def test_fill_defaults_must_be_a_switch_or_a_list(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.fixturekit.generate]\nfill_defaults = "yes"\n')
    result = run_cli("generate", str(MODELS), "-o", "f.py", cwd=tmp_path)
    assert result.exit_code != 0
    assert "fill_defaults must be true, false or a list" in result.output
    assert "Traceback" not in result.output


def test_seeding_keeps_drawing_distributions():
    seeded = _fields(seeding=True)
    assert seeded["accounts.is_active"].strategy == st.Boolean(0.9)
    assert isinstance(seeded["accounts.newsletter"].strategy, st.Boolean)
    assert isinstance(seeded["accounts.credits"].strategy, st.IntRange)


def test_generated_runtime_and_bulk_renderings_agree(tmp_path):
    out = tmp_path / "factories.py"
    result = run_cli("generate", str(MODELS), "-o", str(out), "--reasons", "-q")
    assert result.exit_code == 0, result.output
    source = out.read_text()
    module = import_file(out)
    loaded = load_models(str(MODELS))
    runtime = {cls.__name__: factory_for(cls) for cls in loaded.classes}
    plan = plan_schema(_schema())
    for table_plan in plan.tables.values():
        name = table_plan.table.model.name
        generated_decls = module.FACTORIES[name]._meta.declarations
        runtime_decls = runtime[name]._meta.declarations
        for field in table_plan.fields:
            if field.strategy is None:  # left to the ORM or the database: declared nowhere
                assert field.attribute not in generated_decls
                assert field.attribute not in runtime_decls
                assert f"# {field.column.name}: {field.reason}" in source
            elif isinstance(field.strategy, st.Literal):
                value = field.strategy.value
                assert f"    {field.attribute} = {value!r}\n" in source
                assert generated_decls[field.attribute] == runtime_decls[field.attribute] == value
                context = BulkContext(seed=1, table=table_plan.table.name, column=field.column)
                assert list(bulk_values(field.strategy, 4, context)) == [value] * 4


def test_guid_type_decorator_reads_as_a_uuid_on_every_dialect():
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    from fixturekit.schema.sqlalchemy import decorated_type

    GUID = load_models(str(MODELS)).module.GUID

    for dialect in (postgresql.dialect(), mysql.dialect(), sqlite.dialect(), None):
        assert decorated_type(GUID(), dialect).kind is Kind.UUID


def test_templates_fit_their_columns_in_factories_and_in_bulk():
    fields = _fields()
    for key, length in (("articles.sku", 6), ("articles.reference", 7), ("articles.barcode", 6)):
        strategy = fields[key].strategy
        one = [strategy.one(n) for n in range(200)] if strategy.unique else [strategy.one()]
        context = BulkContext(seed=3, table="articles", column=fields[key].column)
        bulk = list(bulk_values(strategy, 5000, context))
        assert all(len(v) <= length for v in one + bulk), key
        if strategy.unique:
            assert len(set(bulk)) == len(bulk), key
    assert "fitted to ???-##" in fields["articles.sku"].reason


def _database_url(request, name: str):
    return request.getfixturevalue(
        {"sqlite": "sqlite_url", "pg": "pg_url", "mysql": "mysql_url"}[name]
    )


@pytest.mark.parametrize("server", ["sqlite", "pg", "mysql"])
def test_generated_and_runtime_factories_give_the_model_defaults(server, request, tmp_path):
    url = _database_url(request, server)
    out = tmp_path / "factories.py"
    assert run_cli("generate", str(MODELS), "-o", str(out), "-q").exit_code == 0
    module = import_file(out)
    loaded = load_models(str(MODELS))
    engine = create_engine(url)
    install_integer_keys(engine)  # what the plugin does for its SQLite databases
    loaded.metadatas[0].create_all(engine)
    try:
        with Session(engine) as session:
            module.bind_session(session)
            article_class = next(c for c in loaded.classes if c.__name__ == "Article")
            runtime_article = factory_for(article_class, session=session)
            for make in (module.FACTORIES["Article"], runtime_article):
                articles = [make.create(), *make.create_batch(50)]
                session.flush()
                for article in articles:
                    account = article.account
                    assert account.is_active is True and account.is_admin is False
                    assert account.is_staff is False and account.newsletter is False
                    assert account.credits == 7
                    session.refresh(account)  # server defaults are read back
                    assert account.plan == "free" and account.joined_at is not None
                    assert isinstance(account.public_id, uuid.UUID)
                    assert article.published is False
                    assert isinstance(article.guid, uuid.UUID)
                    assert len(article.sku) <= 6 and len(article.barcode) <= 6
                    assert isinstance(article.label, str) and article.label
            session.rollback()
    finally:
        module.bind_session(None)
        engine.dispose()
