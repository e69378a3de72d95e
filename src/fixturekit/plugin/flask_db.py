"""Flask-SQLAlchemy: `db.session` routed to the test's `db_session` for the test's duration.

Views and services call `db.session.add(...)` and `db.session.commit()` on the extension's
scoped session. For a test that uses `db_session`, the scoped session's registry is swapped for
one that always hands out the test's session, so those writes land in the isolated session and
vanish with it. Swapping the registry (not the `db.session` attribute) also routes code that kept
a reference to `db.session` (hand-written factories with `sqlalchemy_session = db.session`,
module-level `session = db.session`).

Flask-SQLAlchemy calls `db.session.remove()` when each app context ends, after every request in
the test client. That must not close the test's session: the stand-in registry reports that it
holds no session, so `remove()` does nothing, after rolling back a session that a failed flush
left unusable (what `remove()` does for the next request in production).

The extension is found through the model classes (`Model.__fsa__`), so nothing needs configuring.
Flask-SQLAlchemy itself is never imported here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any


def _is_extension(obj: Any) -> bool:
    from fixturekit.schema.loading import is_flask_sqlalchemy

    return is_flask_sqlalchemy(obj)


def extensions_of(classes: Iterable[Any]) -> list[Any]:
    """The Flask-SQLAlchemy `db` objects behind these model classes, in order, no repeats."""
    if "flask_sqlalchemy" not in sys.modules:
        return []
    found: list[Any] = []
    for cls in classes:
        extension = getattr(cls, "__fsa__", None)
        if extension is not None and _is_extension(extension) and extension not in found:
            found.append(extension)
    return found


class RoutedRegistry:
    """Stands in for a scoped session's thread-local registry during one test."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def __call__(self) -> Any:
        return self.session

    def has(self) -> bool:
        # Only `scoped_session.remove()` and `scoped_session(**kw)` ask. Answering False keeps
        # the test's session open through the request teardown's remove().
        if not getattr(self.session, "is_active", True):
            self.session.rollback()
        return False

    def set(self, obj: Any) -> None:
        """`db.session(**options)` made a session of its own: keep handing out the test's."""

    def clear(self) -> None:
        """Nothing to forget: the test's session belongs to db_session."""


@contextmanager
def routed(extensions: list[Any], session: Any) -> Iterator[None]:
    """Route every extension's `db.session` to `session` inside the block."""
    saved = []
    for extension in extensions:
        scoped = extension.session
        saved.append((scoped, scoped.registry))
        scoped.registry = RoutedRegistry(session)
    try:
        yield
    finally:
        for scoped, registry in saved:
            scoped.registry = registry
