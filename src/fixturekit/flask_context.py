"""Flask-SQLAlchemy models whose flush needs a Flask application context.

Some applications reach for Flask's globals while the session flushes: a versioning hook that
reads `flask.g` (ihatemoney's history predicate), a `before_insert` listener that calls
`db.session` or reads `current_app.config`. In the application's own tests a fixture pushes an
app context first; a factory used anywhere else (a script, `generate --verify`, a test that
only asks for `db_session`) would fail with "Working outside of application context".

So when a factory creates rows of a Flask-SQLAlchemy model and no application context is
active, it pushes one for the duration of the call, and routes the extension's `db.session` to
the factory's own session meanwhile, so model code that calls `db.session` works on the same
transaction. The app is the one `FLASK_APP` names, loaded as the `flask` command loads it
(`app.main:create_app('testing')` works), for models that read the project's configuration
(privacyidea's token encryption key file); with no `FLASK_APP`, a stand-in Flask app with the
default config, and nothing of the project's app is imported. An active context (the project's
own app, pushed by its conftest) is used as it is. Nothing here imports Flask unless the models'
module already did.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from fixturekit.errors import FixturekitError

_APPS: dict[str, Any] = {}  # FLASK_APP ("" for the stand-in) -> the app, loaded once


def _extension_of(model: Any) -> Any:
    from sqlalchemy import Table

    from fixturekit.schema.loading import is_flask_sqlalchemy

    if isinstance(model, Table):  # `db.Table(...)`: the extension of a class on its MetaData
        return _table_extension(model)
    extension = getattr(model, "__fsa__", None)
    return extension if extension is not None and is_flask_sqlalchemy(extension) else None


def _table_extension(table: Any) -> Any:
    try:
        from sqlalchemy.orm.mapper import _mapper_registries
    except ImportError:  # pragma: no cover - every supported SQLAlchemy has it
        return None
    for registry in list(_mapper_registries):
        if registry.metadata is not table.metadata:
            continue
        for mapper in registry.mappers:
            extension = _extension_of(mapper.class_)
            if extension is not None:
                return extension
    return None


def needs_context(model: Any) -> Any:
    """The model's Flask-SQLAlchemy extension when a context has to be pushed for it, else
    None (not a Flask-SQLAlchemy model, or a context is already active)."""
    if "flask" not in sys.modules or "flask_sqlalchemy" not in sys.modules:
        return None
    extension = _extension_of(model)
    if extension is None:
        return None
    import flask

    return None if flask.has_app_context() else extension


@contextlib.contextmanager
def flask_context(model: Any, session: Any) -> Iterator[None]:
    """An application context around creating rows of `model` with `session`, when needed."""
    extension = needs_context(model)
    if extension is None:
        yield
        return
    import flask

    from fixturekit.plugin.flask_db import routed

    target = os.environ.get("FLASK_APP", "").strip()
    app = _APPS.get(target)
    if app is None:
        app = _APPS[target] = _project_app(target) if target else flask.Flask("fixturekit")
    with app.app_context(), routed([extension], session):
        yield


def _project_app(target: str) -> Any:
    """The app `FLASK_APP` names, as the `flask` command finds it."""
    from flask.cli import ScriptInfo

    try:
        return ScriptInfo(app_import_path=target, set_debug_flag=False).load_app()
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FixturekitError(
            f"FLASK_APP={target}: the app cannot be loaded to create rows of its models: {message}",
            hint="Point FLASK_APP at the app (module:app or module:create_app(...)), or unset "
            "it to use a stand-in app.",
        ) from None
