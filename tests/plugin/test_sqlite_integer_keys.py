"""BIGINT primary keys (no SQLite variant) are numbered in the plugin's SQLite databases, so
`fixturekit init` then `pytest` passes on such models with no database configured."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import BigInteger, Integer, SmallInteger, String, create_engine, inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from fixturekit.cli import _register, cli
from fixturekit.dialects.sqlite import install_integer_keys

ROOT = Path(__file__).resolve().parents[2]

CHECKS = """
from {factories} import FACTORIES


def test_a_usable_object_with_the_model_defaults(db_session):
    account = FACTORIES["Account"].create()
    article = FACTORIES["Article"].create(account=account)
    FACTORIES["Article"].create_batch(20)
    db_session.flush()
    assert account.id >= 1 and article.id >= 1  # numbered by SQLite
    assert account.is_active is True and account.is_admin is False
    assert account.credits == 7 and article.published is False
"""


def test_init_then_pytest_passes_on_bigint_keys_without_a_database(tmp_path: Path) -> None:
    shutil.copy(ROOT / "tests" / "schemas" / "defaults_models.py", tmp_path / "models.py")
    _register()
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["init", "models.py"], catch_exceptions=False)
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    (tmp_path / "tests" / "test_defaults.py").write_text(CHECKS.format(factories="factories"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FIXTUREKIT_"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no database configured" in run.stdout  # the temporary SQLite database was used
    assert " passed" in run.stdout and "failed" not in run.stdout


class Base(DeclarativeBase):
    pass


class Big(Base):
    __tablename__ = "big"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


class Small(Base):
    __tablename__ = "small"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)


class Pair(Base):  # a composite key is not a rowid: left as declared
    __tablename__ = "pair"
    a: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    b: Mapped[int] = mapped_column(Integer, primary_key=True)


def test_only_single_integer_keys_become_the_rowid(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'keys.sqlite3'}")
    install_integer_keys(engine)
    Base.metadata.create_all(engine)
    columns = {
        table: {c["name"]: str(c["type"]) for c in inspect(engine).get_columns(table)}
        for table in ("big", "small", "pair")
    }
    assert columns["big"]["id"] == "INTEGER" and columns["small"]["id"] == "INTEGER"
    assert columns["pair"]["a"] == "BIGINT"
    with Session(engine) as session:
        session.add_all([Big(name="a"), Big(name="b"), Small(), Small()])
        session.flush()
        assert sorted(b.id for b in session.query(Big)) == [1, 2]
    engine.dispose()
    plain = create_engine("sqlite://")  # the models themselves are unchanged elsewhere
    with plain.connect() as conn:
        Big.__table__.create(conn)
        big = {c["name"]: str(c["type"]) for c in inspect(conn).get_columns("big")}
    assert big["id"] == "BIGINT"
