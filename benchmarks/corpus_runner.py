"""Runs inside one corpus package's own venv (see corpus.py): lists the models, builds the schema
on a scratch PostgreSQL database, and creates rows with a generated factories module.

Kept separate from corpus.py because it imports the package under test, its ORM and fixturekit
in the package's environment, and prints one JSON document on stdout for the harness.

    python corpus_runner.py models KIND TARGET...
    python corpus_runner.py schema KIND URL TARGET...
    python corpus_runner.py rows KIND URL FACTORIES_MODULE ROWS TARGET...
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text.splitlines()[0]}"[:300]


def _diag(exc: BaseException) -> dict[str, str | None]:
    """The column and constraint the database named: psycopg's diagnostics, anywhere in the
    exception chain."""
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for candidate in (current, getattr(current, "orig", None)):
            diag = getattr(candidate, "diag", None)
            if diag is not None and getattr(diag, "sqlstate", None):
                return {
                    "sqlstate": diag.sqlstate,
                    "table": diag.table_name,
                    "column": diag.column_name,
                    "constraint": diag.constraint_name,
                }
        current = current.__cause__ or current.__context__
    return {}


def _where(exc: BaseException) -> str:
    """The innermost frame of the generated factories module, to tell codegen bugs apart."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(("factories.py", "factories_verify.py")):
            return f"line {frame.lineno}: {frame.line}"
    return ""


# --- SQLAlchemy -------------------------------------------------------------------------------


def _sqla_loaded(targets: list[str]):
    from fixturekit.schema.loading import load_models

    return [load_models(t) for t in targets]


def _sqla_models(targets: list[str]) -> list[str]:
    names: list[str] = []
    for loaded in _sqla_loaded(targets):
        names += [t.name for t in loaded.tables if t.name not in names]
    return names


def _sqla_schema(url: str, targets: list[str]) -> dict[str, Any]:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    if os.path.exists("corpus_schema.py"):
        loaded = _sqla_loaded(targets)
        with open("corpus_schema.py") as source:
            code = source.read()
        exec(compile(code, "corpus_schema.py", "exec"), {"engine": engine, "url": url})
        engine.dispose()
        return {"ok": True}
    with engine.begin() as conn:
        for loaded in _sqla_loaded(targets):
            schemas = {t.schema for m in loaded.metadatas for t in m.tables.values() if t.schema}
            for name in schemas:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
            for metadata in loaded.metadatas:
                metadata.create_all(conn)
    engine.dispose()
    return {"ok": True}


def _table_of(factory_class: Any) -> str:
    model = factory_class._meta.model
    table = getattr(model, "__table__", model)
    return getattr(table, "name", str(model))


def _sqla_rows(url: str, module_name: str, rows: int, targets: list[str]) -> dict[str, Any]:
    import importlib

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    _sqla_loaded(targets)  # the models import first, as in a test suite
    module = importlib.import_module(module_name)
    engine = create_engine(url)
    results: dict[str, Any] = {}
    for key, factory_class in module.FACTORIES.items():
        table = _table_of(factory_class)
        outcome: dict[str, Any] = {"factory": factory_class.__name__, "key": key}
        with engine.connect() as conn:
            trans = conn.begin()
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            module.bind_session(session)
            step = "1 row"
            try:
                factory_class.create()
                session.flush()
                step = f"{rows} rows"
                factory_class.create_batch(rows)
                session.flush()
                outcome["ok"] = True
            except Exception as exc:  # every failure is a finding, whatever its class
                outcome.update(ok=False, step=step, error=_first_line(exc), where=_where(exc))
                outcome.update(_diag(exc))
            finally:
                module.bind_session(None)
                session.close()
                trans.rollback()
        results.setdefault(table, outcome)
    engine.dispose()
    return {"ok": True, "results": results}


# --- Django -----------------------------------------------------------------------------------


def _django_models(labels: list[str]) -> list[str]:
    import django
    from django.apps import apps

    django.setup()
    names: list[str] = []
    for label in labels:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            opts = model._meta
            if not (opts.proxy or opts.abstract or opts.swapped or not opts.managed):
                names.append(opts.db_table)
    return names


def _django_schema(labels: list[str]) -> dict[str, Any]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    return {"ok": True}


def _django_rows(module_name: str, rows: int) -> dict[str, Any]:
    import importlib

    import django
    from django.db import transaction

    django.setup()
    module = importlib.import_module(module_name)

    class _Rollback(Exception):
        pass

    results: dict[str, Any] = {}
    for key, factory_class in module.FACTORIES.items():
        table = factory_class._meta.model._meta.db_table
        outcome: dict[str, Any] = {"factory": factory_class.__name__, "key": key}
        step = "1 row"
        try:
            with transaction.atomic():
                factory_class.create()
                step = f"{rows} rows"
                factory_class.create_batch(rows)
                outcome["ok"] = True
                raise _Rollback
        except _Rollback:
            pass
        except Exception as exc:  # every failure is a finding, whatever its class
            outcome.update(ok=False, step=step, error=_first_line(exc), where=_where(exc))
            outcome.update(_diag(exc))
        results.setdefault(table, outcome)
    return {"ok": True, "results": results}


def main(argv: list[str]) -> dict[str, Any]:
    command, kind = argv[0], argv[1]
    sys.path.insert(0, os.getcwd())
    if command == "models":
        names = _django_models(argv[2:]) if kind == "django" else _sqla_models(argv[2:])
        return {"ok": True, "models": names}
    if command == "schema":
        return _django_schema(argv[3:]) if kind == "django" else _sqla_schema(argv[2], argv[3:])
    if command == "rows":
        url, module_name, rows = argv[2], argv[3], int(argv[4])
        if kind == "django":
            return _django_rows(module_name, rows)
        return _sqla_rows(url, module_name, rows, argv[5:])
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    try:
        document = main(sys.argv[1:])
    except BaseException as exc:  # the harness records the failure; the traceback goes to stderr
        traceback.print_exc()
        document = {"ok": False, "error": _first_line(exc)}
    print("\n@@corpus-json@@" + json.dumps(document, default=str))
