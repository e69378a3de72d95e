"""`generate --verify` when the model itself refuses a row: a flush hook raising a Python error
that names the columns it wants changed (sqlalchemy-celery-beat's PeriodicTask)."""

from __future__ import annotations

import pytest
from verify_helpers import create_rows, repairs_in, run_cli, write_models

HOOK_MODELS = """
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expire_seconds: Mapped[int | None] = mapped_column(Integer)


@event.listens_for(Task, "before_insert")
def _one_of_them(mapper, connection, target):
    if target.expire_seconds is not None and target.expires:
        raise ValueError("Only one can be set, in expires and expire_seconds")


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(String(80), nullable=False)


@event.listens_for(Note, "before_insert")
def _never(mapper, connection, target):
    raise RuntimeError("notes are read-only here")
"""


@pytest.mark.parametrize("server", ["pg_url", "mysql_url", "sqlite_url"])
def test_columns_named_by_a_python_error_are_repaired(tmp_path, request, server):
    url = request.getfixturevalue(server)
    models = write_models(tmp_path, HOOK_MODELS)
    out = tmp_path / "f.py"
    shown = url.render_as_string(hide_password=False)
    result = run_cli("generate", str(models), "-o", str(out), "--verify", shown)
    assert result.exit_code == 0, result.output
    # of the columns the message names, the last declared gets its first candidate (NULL):
    # where a rule allows one of several, the first declared stays, as the usual one
    assert repairs_in(out.read_text()) == {"tasks.expire_seconds": "null"}
    assert "Task.expire_seconds: repaired" in result.output
    assert "Only one can be set" in result.output  # why: the model's own words
    # a Python error that names no column still flags the table
    assert "⚑ Note:" in result.output and "notes are read-only here" in result.output
    tasks_only = out.read_text().replace('"Note": NoteFactory,', "")
    out.write_text(tasks_only)
    create_rows(out, url)
