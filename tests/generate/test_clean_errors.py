"""Errors reach the command line as one clean message: BulkError, and anything unforeseen."""

from __future__ import annotations

import subprocess
import sys

from gen_helpers import ROOT
from sqlalchemy import create_engine

MODELS = """
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Payee(Base):
    __tablename__ = "payees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iban: Mapped[str] = mapped_column(String(10), unique=True)  # no IBAN fits in 10
"""


def _fixturekit(cwd, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "fixturekit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_a_bulk_error_while_seeding_is_a_message_naming_the_column(tmp_path):
    (tmp_path / "models.py").write_text(MODELS)
    database = tmp_path / "app.sqlite3"
    sys.path.insert(0, str(tmp_path))
    try:
        from models import Base  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("models", None)
    engine = create_engine(f"sqlite:///{database}")
    Base.metadata.create_all(engine)
    engine.dispose()
    result = _fixturekit(
        tmp_path, "seed", "models.py", "--url", f"sqlite:///{database}", "--rows", "payees=2000"
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: Seeding payees failed: payees.iban" in result.stderr
    assert "[tables.payees.columns]" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_an_internal_error_is_one_message_and_a_way_to_see_more(tmp_path, monkeypatch):
    # A models file whose import succeeds but whose schema reader meets an object it cannot
    # handle stands for any bug: here the reader itself is broken through a site hook.
    (tmp_path / "sitecustomize.py").write_text(
        "import fixturekit.cli.generate as g\n"
        "def broken(*a, **k):\n"
        "    raise KeyError('unforeseen')\n"
        "g.read_source = broken\n"
    )
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"}
    result = _fixturekit(tmp_path, "generate", "models.py", "-o", "f.py", env=env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "internal error: KeyError: 'unforeseen'" in result.stderr
    assert "FIXTUREKIT_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr
    debug = _fixturekit(
        tmp_path, "generate", "models.py", "-o", "f.py", env={**env, "FIXTUREKIT_DEBUG": "1"}
    )
    assert "Traceback" in debug.stderr and "KeyError" in debug.stderr
    assert not (tmp_path / "f.py").exists()
