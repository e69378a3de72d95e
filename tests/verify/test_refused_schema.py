"""`generate --verify` on models whose `create_all` the server refuses (a foreign key to a column
with no unique constraint, as mlflow declares and builds with its own migrations)."""

from __future__ import annotations

import pytest
from verify_helpers import leftover_databases, run_cli, write_models

# inputs.input_uuid is neither the key nor unique: PostgreSQL and MariaDB refuse the foreign key;
# an index with no column (as mlflow declares two) is refused too
REFUSED_FK_MODELS = """
from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Input(Base):
    __tablename__ = "inputs"
    source_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    destination_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    input_uuid: Mapped[str] = mapped_column(String(36), nullable=False)


class InputTag(Base):
    __tablename__ = "input_tags"
    __table_args__ = (Index("index_input_tags_input_uuid"),)  # no column: CREATE INDEX ... ()
    input_uuid: Mapped[str] = mapped_column(
        String(36), ForeignKey("inputs.input_uuid"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), nullable=False)


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), nullable=False)


class Metric(Base):
    __tablename__ = "metrics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), nullable=False)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
"""

# a table the server refuses for another reason than a foreign key: still the usual error
BROKEN_TABLE_MODELS = """
from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    __table_args__ = (CheckConstraint("no_such_column > 0"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
"""


@pytest.mark.parametrize("server", ["pg_url", "mysql_url"])
def test_refused_foreign_key_is_left_out_and_named(tmp_path, request, server, pg_admin_url):
    url = request.getfixturevalue(server)
    models = write_models(tmp_path, REFUSED_FK_MODELS)
    out = tmp_path / "f.py"
    shown = url.render_as_string(hide_password=False)
    result = run_cli("generate", str(models), "-o", str(out), "--verify", shown)
    assert result.exit_code == 0, result.output
    assert "refused 2 foreign key(s) or index(es)" in result.output
    assert "index index_input_tags_input_uuid on input_tags" in result.output
    assert "input_tags(input_uuid) -> inputs(input_uuid)" in result.output
    # every model is proved, the accepted foreign key (metrics -> runs) included
    for model in ("Input", "InputTag", "Run", "Metric"):
        assert f"{model}: verified" in result.output, result.output
    assert "--verify: " not in out.read_text()  # nothing flagged by the database
    if server == "pg_url":
        assert leftover_databases(pg_admin_url, url.database) == []


def test_a_table_refused_for_another_reason_still_stops(tmp_path, pg_url):
    models = write_models(tmp_path, BROKEN_TABLE_MODELS)
    shown = pg_url.render_as_string(hide_password=False)
    result = run_cli("generate", str(models), "-o", str(tmp_path / "f.py"), "--verify", shown)
    assert result.exit_code != 0
    assert "create_all failed in the test database" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "f.py").exists()
