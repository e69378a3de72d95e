"""The verification schema sent to PostgreSQL as one script: the same schema create_all makes."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.schema import DDL

from fixturekit.plugin import building
from fixturekit.verify.ddl import build_verification_schema


def _metadata() -> MetaData:
    metadata = MetaData()
    Table(
        "ddl_a",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String(20), CheckConstraint("code LIKE 'a%'"), server_default="a%b"),
        Column("kind", Enum("x", "y", name="ddl_kind")),
        # a cycle: one of the two keys is added by ALTER TABLE after both tables exist
        Column("b_id", Integer, ForeignKey("ddl_b.id", use_alter=True, name="fk_a_b")),
    )
    b = Table(
        "ddl_b",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("a_id", Integer, ForeignKey("ddl_a.id")),
    )
    event.listen(b, "after_create", DDL("COMMENT ON TABLE ddl_b IS '100%% made by DDL'"))
    return metadata


def test_one_script_builds_what_create_all_builds(pg_url, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("create_all ran: the script path was not taken")

    monkeypatch.setattr(building, "build_schema", refuse)
    engine = create_engine(pg_url)
    try:
        build_verification_schema(engine, [_metadata()])
        with engine.connect() as conn:
            default = conn.scalar(
                text(
                    "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef "
                    "WHERE adrelid = 'ddl_a'::regclass AND adnum = 2"
                )
            )
            assert default.startswith("'a%b'")
            check = conn.scalar(
                text(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'ddl_a'::regclass AND contype = 'c'"
                )
            )
            assert "'a%'" in check
            assert conn.scalar(text("SELECT count(*) FROM pg_type WHERE typname = 'ddl_kind'"))
            assert conn.scalar(text("SELECT count(*) FROM pg_constraint WHERE conname = 'fk_a_b'"))
            comment = conn.scalar(text("SELECT obj_description('ddl_b'::regclass)"))
            assert comment == "100% made by DDL"
    finally:
        engine.dispose()


def test_a_script_that_fails_falls_back_to_create_all(pg_url):
    engine = create_engine(pg_url)
    metadata = MetaData()
    Table("ddl_c", metadata, Column("id", Integer, primary_key=True))
    with engine.begin() as conn:  # the table exists: the script fails, create_all says why
        conn.execute(text("CREATE TABLE ddl_c (id integer)"))
    try:
        with pytest.raises(building.SchemaBuildError, match="create_all failed"):
            build_verification_schema(engine, [metadata])
    finally:
        engine.dispose()
