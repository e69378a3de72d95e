"""The corpus's failing real-schema patterns, each in its minimal form, on PostgreSQL.

tests/schemas/corpus_gaps.py and corpus_no_metadata.py hold the models; every generated
factory must create one row and then a batch, the way a test suite would use it.
"""

from __future__ import annotations

import dataclasses

import pytest
from gen_helpers import ROOT, import_file, run_cli
from sqlalchemy import Column, Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, Session, mapped_column

from fixturekit import factory_for
from fixturekit.codegen.factory_boy import render_module
from fixturekit.construct import bypasses_init
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.loading import load_models
from fixturekit.schema.model import RelationKind
from fixturekit.schema.sqlalchemy import read_loaded

GAPS = ROOT / "tests" / "schemas" / "corpus_gaps.py"
NO_METADATA = ROOT / "tests" / "schemas" / "corpus_no_metadata.py"


def _classes(loaded) -> dict[str, type]:
    return {c.__name__: c for c in loaded.classes}


@pytest.fixture
def gaps(pg_url, tmp_path):
    """(generated module, loaded models, session) over a PostgreSQL database with the schema."""
    out = tmp_path / "factories.py"
    result = run_cli("generate", str(GAPS), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    module = import_file(out)
    loaded = load_models(str(GAPS))
    engine = create_engine(pg_url)
    loaded.metadatas[0].create_all(engine)
    with Session(engine) as session:
        module.bind_session(session)
        yield module, loaded, session, out.read_text()
        module.bind_session(None)
    engine.dispose()


def test_every_generated_factory_creates_one_row_then_a_batch(gaps):
    module, _, session, _ = gaps
    for name, factory_class in module.FACTORIES.items():
        first = factory_class.create()
        batch = factory_class.create_batch(30)
        built = factory_class.build()
        session.flush()
        assert first is not None and len(batch) == 30 and built is not None, name


def test_constructor_without_keyword_arguments_is_bypassed(gaps):
    module, loaded, session, _ = gaps
    classes = _classes(loaded)
    # the table's factory is for the subclass that maps all its columns
    assert "model = TaskExtended" in gaps[3]
    task = module.FACTORIES["TaskExtended"].create(result="ok", worker="w1")
    assert isinstance(task, classes["TaskExtended"]) and task.worker == "w1"
    assert task.task_id and task.result == "ok"
    session.refresh(task)
    assert task.status == "PENDING"  # the model default still applies
    realm = module.FACTORIES["Realm"].create(name="Main")
    assert realm.name == "Main"  # set as the attribute, not through Realm(realm)
    runtime = factory_for(classes["Task"], session=session)  # maps fewer columns: still works
    assert {t.status for t in runtime.create_batch(5)} <= {"PENDING"}
    assert bypasses_init(classes["Task"]) and bypasses_init(classes["Realm"])
    assert not bypasses_init(classes["Role"])


def test_classes_that_are_not_module_attributes_are_reached_through_the_registry(gaps):
    module, loaded, _session, text = gaps
    assert 'mapped_class("corpus_gaps", "GroupRoleMap", "group_role_map")' in text
    assert "import GroupRoleMap" not in text and "<locals>" not in text.split("class _Factory")[0]
    link = module.FACTORIES["GroupRoleMap"].create()
    assert type(link) is loaded.module.role_maps["group"]
    entry = module.FACTORIES["AuditEntry"].create()
    assert type(entry) is loaded.module.audit_classes["audit"]


def test_mutable_json_columns_get_their_shape(gaps):
    module, loaded, _session, _ = gaps
    table = read_loaded(loaded).table("jobs")
    assert table.column("scoped_permissions").type.shape == "json_array"
    assert table.column("settings").type.shape == "json_object"
    for job in [module.FACTORIES["Job"].create(), *module.FACTORIES["Job"].create_batch(20)]:
        assert isinstance(job.scoped_permissions, list) and job.scoped_permissions
        assert isinstance(job.settings, dict)


def test_json_kept_as_text_by_a_type_decorator(gaps):
    module, loaded, _session, _ = gaps
    table = read_loaded(loaded).table("services")
    assert table.column("info").type.shape == "json_object"
    assert table.column("scopes").type.shape == "json_array"
    make = module.FACTORIES["Service"]
    # 250 rows: past the COPY threshold, read back through the decorator
    for service in [make.create(), *make.create_batch(250)]:
        assert isinstance(service.info, dict) and isinstance(service.scopes, list)


def test_singleton_table_returns_its_one_row(gaps):
    module, loaded, session, _ = gaps
    make = module.FACTORIES["VersionInfo"]
    rows = [make.create(), make.create(), *make.create_batch(5)]
    assert {id(r) for r in rows} == {id(rows[0])}
    version_info = _classes(loaded)["VersionInfo"]
    assert session.scalars(select(version_info)).all() == [rows[0]]


def test_singleton_key_with_a_constant_default_returns_its_one_row(gaps):
    # left to `default=1`, every row after the first collided on the key
    module, _, session, text = gaps
    assert 'sqlalchemy_get_or_create = ("storage_version_id",)' in text
    make = module.FACTORIES["StorageVersion"]
    first = make.create()
    assert first.storage_version_id == 1
    assert make.create() is first and make.create_batch(100) == [first] * 100
    session.flush()


def test_batch_of_a_class_with_a_joined_eager_collection(gaps):
    # SQLAlchemy refuses such rows without unique(): the RETURNING path and (past the COPY
    # threshold) the read-back after COPY
    module = gaps[0]
    make = module.FACTORIES["Account"]
    for size in (30, 250):
        accounts = make.create_batch(size)
        assert len({a.id for a in accounts}) == size
        assert all(a.oauth_accounts == [] for a in accounts)
    assert module.FACTORIES["OAuthAccount"].create_batch(30)[0].account_id


def test_joined_eager_collection_batch_on_sqlite(tmp_path):
    loaded = load_models(str(GAPS))
    engine = create_engine(f"sqlite:///{tmp_path / 'gaps.db'}")
    loaded.metadatas[0].create_all(engine)
    with Session(engine) as session:
        make = factory_for(_classes(loaded)["Account"], session=session)
        accounts = make.create_batch(30)
        assert sorted(a.id for a in accounts) == list(range(1, 31))
    engine.dispose()


def test_text_primary_key_with_a_per_row_default_is_left_to_it(gaps):
    module, _, _session, text = gaps
    keys = [module.FACTORIES["ApiKey"].create(), *module.FACTORIES["ApiKey"].create_batch(5)]
    assert all(len(key.id) == 36 and key.id.count("-") == 4 for key in keys)
    assert "class ApiKeyFactory" in text and "fv.unique" not in text.split("class ApiKey")[1][:200]


def test_singleton_by_a_unique_column_returns_its_one_row(gaps):
    module, _, _session, text = gaps
    assert 'sqlalchemy_get_or_create = ("singleton",)' in text
    make = module.FACTORIES["SiteSettings"]
    first = make.create()
    assert make.create() is first and make.create_batch(3) == [first] * 3


def test_seeding_a_singleton_table_refuses_more_than_one_row(pg_url):
    from sqlalchemy import inspect as sa_inspect

    url = pg_url.render_as_string(hide_password=False)
    result = run_cli("seed", str(GAPS), "--url", url, "--rows", "version_info=3")
    assert result.exit_code != 0
    assert "version_info holds a single row" in result.output
    assert "Traceback" not in result.output
    engine = create_engine(pg_url)
    assert not sa_inspect(engine).get_table_names()  # nothing written
    engine.dispose()


def test_scalar_defaults_and_polymorphic_reference(gaps):
    module, loaded, _session, text = gaps
    crontab = module.FACTORIES["CrontabSchedule"].create()
    assert (crontab.minute, crontab.hour, crontab.timezone) == ("*", "*", "UTC")
    make = module.FACTORIES["PeriodicTask"]
    tasks = [make.create(), *make.create_batch(40)]
    assert {t.discriminator for t in tasks} == {"crontabschedule", "intervalschedule"}
    # the id is a real row of the table the discriminator selects (no foreign key says so)
    for task in tasks:
        schedule = getattr(task, f"model_{task.discriminator}")
        assert schedule is not None and schedule.id == task.schedule_id
    runtime = factory_for(_classes(loaded)["PeriodicTask"], session=_session)
    for task in runtime.create_batch(10):  # factory_for makes the same key
        assert getattr(task, f"model_{task.discriminator}").id == task.schedule_id
    crontab_id = module.FACTORIES["CrontabSchedule"].create().id
    given = make.create(discriminator="crontabschedule", schedule_id=crontab_id)
    assert given.model_crontabschedule.id == crontab_id  # a caller's values win
    table = read_loaded(loaded).table("celery_periodictask")
    generic = [r for r in table.relationships if r.kind is RelationKind.GENERIC]
    assert [r.local_columns for r in generic] == [("discriminator", "schedule_id")]
    assert [c[0] for c in generic[0].choices] == ["crontabschedule", "intervalschedule"]
    assert "schedule_id = fv.polymorphic_key(" in text
    assert "FIXME(schedule_id)" not in text


def test_core_table_reached_through_a_mapped_class(pg_url, tmp_path):
    out = tmp_path / "factories.py"
    assert run_cli("generate", str(NO_METADATA), "-o", str(out), "-q").exit_code == 0
    assert 'model = Bill.metadata.tables["billowers"]' in out.read_text()
    module = import_file(out)
    loaded = load_models(str(NO_METADATA))
    engine = create_engine(pg_url)
    loaded.metadatas[0].create_all(engine)
    with Session(engine) as session:
        module.bind_session(session)
        row = module.FACTORIES["billowers"].create()
        assert row.bill_id and row.person_id
        module.bind_session(None)
    engine.dispose()


def test_core_table_with_no_reference_is_skipped_with_a_fixme():
    schema = read_loaded(load_models(str(NO_METADATA)))
    schema.metadata_ref = None
    text = render_module(plan_schema(schema))
    assert "FIXME: no factory for the Core table billowers" in text
    assert '"billowers":' not in text.split("FACTORIES = {")[1]


def test_dataclass_and_plain_constructors_keep_the_normal_call():
    class Base(MappedAsDataclass, DeclarativeBase):
        pass

    class Note(Base):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True, init=False)
        text: Mapped[str] = mapped_column(String(20))

    class Other(DeclarativeBase):
        pass

    class Tag(Other):
        __tablename__ = "tags"
        id = Column(Integer, primary_key=True)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)

    assert dataclasses.is_dataclass(Note) and not bypasses_init(Note)
    assert not bypasses_init(Tag)


def test_every_gap_verifies_without_a_flag(pg_url, tmp_path):
    # single-row tables (get-or-create), link tables of classes built with type(), the
    # polymorphic key: the N more rows go through the factory where built rows cannot
    out = tmp_path / "verified.py"
    shown = pg_url.render_as_string(hide_password=False)
    result = run_cli("generate", str(GAPS), "-o", str(out), "--verify", shown)
    assert result.exit_code == 0, result.output
    summary = next(line for line in result.output.splitlines() if line.startswith("Verified on"))
    assert summary.endswith(f"{len(import_file(out).FACTORIES)} verified."), result.output
    assert "--verify:" not in out.read_text()
