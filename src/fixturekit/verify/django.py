"""Verifying Django factories: the same loop, with Django's connection on the throwaway database.

Django projects keep their database in settings, and their tests run on a database created
next to it (as Django's test runner does). Without a URL, verification does the same: the
throwaway database is created, marked and dropped by fixturekit on the server of
`DATABASES["default"]` (a temporary SQLite file for a SQLite project). `--verify URL` must name
a server of the same kind. Tables are created with Django's schema editor from the models (no
migrations to run), and each factory runs in a savepoint of one transaction that is rolled back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fixturekit.verify.database import VerifyDatabaseError, VerifySource, resolve_source
from fixturekit.verify.running import FactoryResult, _seed

_FAMILIES = {"postgresql": "postgresql", "mysql": "mysql", "sqlite3": "sqlite"}


def _family(settings_dict: dict) -> str:
    return _FAMILIES.get(settings_dict["ENGINE"].rsplit(".", 1)[-1], "")


def source_for_django(explicit: str | None) -> VerifySource:
    """The explicit URL, else the server of Django's default database."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from sqlalchemy.engine import URL

    settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
    family = _family(settings_dict)
    if explicit:
        return resolve_source(explicit)
    if family == "sqlite":
        return VerifySource("sqlite", "Django's DATABASES (SQLite)")
    driver = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}.get(family)
    if driver is None:
        raise VerifyDatabaseError(
            f"Django's default database uses {settings_dict['ENGINE']}; verification runs on "
            "PostgreSQL, MariaDB/MySQL or SQLite."
        )
    url = URL.create(
        driver,
        username=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=int(settings_dict["PORT"]) if settings_dict.get("PORT") else None,
        database=settings_dict.get("NAME") or None,
    )
    return VerifySource("url", "Django's DATABASES", url.render_as_string(hide_password=False))


def check_kind(backend: str) -> None:
    """Refuse a server of another kind than Django's default database, before creating one."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    family = _family(connection.settings_dict)
    backend = backend.replace("mariadb", "mysql")
    if family != backend:
        raise VerifyDatabaseError(
            f"Django's default database is {family or connection.settings_dict['ENGINE']}, the "
            f"verification URL names {backend}: Django cannot switch database kinds.",
            hint=f"Pass a {family} server with --verify URL, or none to use the settings' one.",
        )


@contextlib.contextmanager
def pointed_at(url: Any) -> Iterator[None]:
    """Django's default connection on the database at `url`, for the duration of the block."""
    from django.db import DEFAULT_DB_ALIAS, connections

    check_kind(url.get_backend_name())
    connection = connections[DEFAULT_DB_ALIAS]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(
        NAME=url.database,
        USER=url.username or "",
        PASSWORD=url.password or "",
        HOST=url.host or "",
        PORT=str(url.port or ""),
    )
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@contextlib.contextmanager
def scratch_file_storage() -> Iterator[None]:
    """Files the factories write while they are verified go to a temporary folder, deleted
    afterwards, never to the project's storage (its MEDIA_ROOT, or a bucket)."""
    import tempfile

    from django.apps import apps
    from django.core.files.storage import FileSystemStorage
    from django.db import models

    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]
    saved = [(field, field.storage) for field in fields]
    with tempfile.TemporaryDirectory(prefix="fixturekit-verify-") as folder:
        scratch = FileSystemStorage(location=folder)
        for field in fields:
            field.storage = scratch
        try:
            yield
        finally:
            for field, storage in saved:
                field.storage = storage


def create_tables() -> None:
    from django.apps import apps
    from django.db import DEFAULT_DB_ALIAS, connections

    with connections[DEFAULT_DB_ALIAS].schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)


def _forget_rolled_back_rows() -> None:
    """Django caches content types per process: one created in a rolled-back savepoint would
    be handed to the next factory, whose rows then name a type the database no longer has."""
    from django.apps import apps

    if apps.is_installed("django.contrib.contenttypes"):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


def run_django_factories(module: Any, engine: Any, targets, rows: int) -> list[FactoryResult]:
    """Create 1 row, then `rows` rows, with each factory, in savepoints of one rolled-back
    transaction (engine is unused: Django's own connection points at the same database)."""
    from django.db import transaction

    results: list[FactoryResult] = []
    with transaction.atomic():
        for key, name, _ in targets:
            result = FactoryResult(key, name)
            factory_class = getattr(module, name)
            _seed(key)
            savepoint = transaction.savepoint()
            try:
                result.stage = "the first row"
                factory_class.create()
                if rows:
                    result.stage = f"{rows} more rows"
                    factory_class.create_batch(rows)
            except Exception as exc:
                result.error = exc
            finally:
                transaction.savepoint_rollback(savepoint)
                transaction.set_rollback(False)  # a failed save marks the block; undone above
                _forget_rolled_back_rows()
            results.append(result)
        transaction.set_rollback(True)
    return results


@dataclass
class DjangoVerifyRequest:
    explicit: str | None
    rows: int = 100
    notice: Callable[[str], None] = print

    def run(self, plan, record, render, inferred):
        from fixturekit.codegen.django import django_factory_name
        from fixturekit.verify.database import verification_database
        from fixturekit.verify.loop import Verifier, unexpected

        source = source_for_django(self.explicit)
        if source.url:
            from sqlalchemy.engine import make_url

            check_kind(make_url(source.url).get_backend_name())
        names = {key: django_factory_name(t.table) for key, t in plan.tables.items()}
        with (
            verification_database(source, lambda engine: None, self.notice) as database,
            pointed_at(database.engine.url),
            scratch_file_storage(),
            unexpected(),
        ):
            create_tables()
            verifier = Verifier(
                plan,
                record,
                render,
                database,
                self.rows,
                inferred,
                runner=run_django_factories,
                names=names,
            )
            return verifier.run()
