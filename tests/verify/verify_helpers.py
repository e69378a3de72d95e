"""Shared pieces of the verification tests: models written per test, the CLI, the proof."""

from __future__ import annotations

import importlib.util
import re
import sys
import uuid
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from fixturekit.cli import _register, cli

ROOT = Path(__file__).resolve().parents[2]

# Fails without repair on every server: a CHECK the parser cannot read (a function call), a
# column whose default is the only valid value, a nullable column a CHECK wants NULL.
PORTABLE_MODELS = """
from sqlalchemy import CheckConstraint, Integer, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Gadget(Base):
    __tablename__ = "gadgets"
    __table_args__ = (
        CheckConstraint("abs(weight) % 7 = 0", name="ck_weight_sevens"),
        CheckConstraint(
            "substr(token, 1, 6) = 'fixed-' AND length(token) = 9", name="ck_token_fixed"
        ),
        CheckConstraint("coalesce(retired_note, '') = ''", name="ck_note_empty"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(12), server_default=text("'fixed-tok'"))
    retired_note: Mapped[str | None] = mapped_column(String(40))


class Part(Base):
    __tablename__ = "parts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(30))
"""

# PostgreSQL only: a type fixturekit does not know, that a CHECK wants filled.
POSTGRES_MODELS = """
from sqlalchemy import CheckConstraint, Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import UserDefinedType


class TsQuery(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return "TSQUERY"


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (CheckConstraint("body IS NOT NULL", name="ck_body_filled"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body = mapped_column(TsQuery, nullable=True)
"""

IMPOSSIBLE_MODELS = """
from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Widget(Base):
    __tablename__ = "widgets"
    __table_args__ = (CheckConstraint("abs(weight) < 0", name="ck_never"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(20))
"""


def write_models(folder: Path, source: str) -> Path:
    """The models as a module of a unique name (tests share one interpreter)."""
    path = folder / f"vmodels_{uuid.uuid4().hex[:10]}.py"
    path.write_text(source)
    return path


def run_cli(*args: str):
    _register()
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def repairs_in(text: str) -> dict[str, str]:
    return dict(re.findall(r"^# fixturekit-repair: (\S+) = (.+)$", text, re.M))


def import_file(path: Path):
    name = f"generated_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def create_rows(factories_path: Path, url, rows: int = 100) -> None:
    """The generated file on its own, no verifier: build the schema, create 1 + N rows each."""
    module = import_file(factories_path)
    engine = create_engine(url)
    try:
        metadata = next(iter(module.FACTORIES.values()))._meta.model.metadata
        metadata.create_all(engine)
        with Session(engine) as session:
            module.bind_session(session)
            for factory_class in module.FACTORIES.values():
                factory_class.create()
                factory_class.create_batch(rows)
            session.commit()
        module.bind_session(None)
    finally:
        engine.dispose()


def leftover_databases(admin_url, stem: str) -> list[str]:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                names = [r[0] for r in conn.execute(text("SELECT datname FROM pg_database"))]
            else:
                names = inspect(conn).get_schema_names()
    finally:
        engine.dispose()
    return [n for n in names if re.fullmatch(re.escape(stem) + r"_test_v\d+", n)]
