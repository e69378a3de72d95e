"""Building the schema of the template database: `create_all` from the models, or Alembic."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from fixturekit.dialects import TableRef
from fixturekit.errors import FixturekitError


class SchemaBuildError(FixturekitError):
    """The schema could not be built in the template database."""


def metadatas_for(models: str | None, factory_modules: list[ModuleType], root: Path) -> list[Any]:
    """The MetaData objects to build: from the models spec, else from the factories' models."""
    return models_for(models, factory_modules, root)[0]


def models_for(
    models: str | None, factory_modules: list[ModuleType], root: Path
) -> tuple[list[Any], list[type]]:
    """(MetaData objects to build, model classes): from the models spec (plus the factories'
    models), else from the factories' models alone."""
    from fixturekit.plugin.binding import factories_of

    metadatas: list[Any] = []
    classes: list[type] = []
    if models:
        from fixturekit.schema.loading import load_models

        loaded = load_models(models, root=root)
        metadatas.extend(loaded.metadatas)
        classes.extend(loaded.classes)
    for module in factory_modules:
        for factory_class in factories_of(module).values():
            model = getattr(factory_class._meta, "model", None)
            if isinstance(model, type) and model not in classes:
                classes.append(model)
            metadata = getattr(model, "metadata", None)
            if not models and metadata is not None and metadata not in metadatas:
                metadatas.append(metadata)
    return metadatas, classes


@contextlib.contextmanager
def _cwd(folder: Path) -> Iterator[None]:
    # Alembic resolves a relative script_location against the working directory.
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def model_tables(metadatas: list[Any]) -> list[TableRef]:
    return [TableRef(t.name, t.schema) for metadata in metadatas for t in metadata.sorted_tables]


def build_schema(
    engine: Any, metadatas: list[Any], alembic_ini: str | None, root: Path
) -> list[TableRef]:
    """Create the schema in the (empty) database behind `engine`; return the model tables."""
    tables = model_tables(metadatas)
    if alembic_ini:
        _upgrade_head(engine, (root / alembic_ini).resolve())
        return tables
    from sqlalchemy.schema import CreateSchema

    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                for schema in sorted({t.schema for t in tables if t.schema}):
                    conn.execute(CreateSchema(schema, if_not_exists=True))
            # the database is new: asking it table by table whether each exists (one query per
            # table) only matters when several MetaData objects may declare the same table
            for metadata in metadatas:
                metadata.create_all(conn, checkfirst=len(metadatas) > 1)
    except Exception as exc:
        raise SchemaBuildError(
            f"create_all failed in the test database: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0]}",
            hint="The models must create cleanly on this database server.",
        ) from None
    return tables


def _upgrade_head(engine: Any, ini: Path) -> None:
    if not ini.is_file():
        raise SchemaBuildError(f"Alembic config {ini} does not exist.")
    try:
        from alembic import command
        from alembic.config import Config
    except ImportError:
        raise SchemaBuildError(
            "An Alembic config is set but alembic is not installed.",
            hint="pip install 'fixturekit[alembic]'",
        ) from None
    config = Config(str(ini))
    # Configparser interpolation would eat a '%' in the URL.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    try:
        with _cwd(ini.parent), engine.begin() as conn:
            # env.py files that look for a connection (the documented programmatic pattern)
            # use this one; generated ones read sqlalchemy.url set above.
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except Exception as exc:
        raise SchemaBuildError(
            f"'alembic upgrade head' with {ini} failed: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}",
        ) from None
