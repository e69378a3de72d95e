"""Running generated factories against the verification database.

The module text is executed as it would be imported by tests (a module object under a private
name, so its lazy `f"{__name__}.XFactory"` references resolve), bound to a Session joined to an
outer transaction that is always rolled back: the plugin's savepoint isolation. Each factory
runs in a savepoint of its own, creates one row and then N more, and its savepoint is rolled
back whatever happened, so one failure does not poison the others and every factory starts
from an empty database. The N rows share the first row's parents (see `_more_rows`).
"""

from __future__ import annotations

import itertools
import sys
import types
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_counter = itertools.count(1)


@contextmanager
def loaded_module(text: str, extra: dict[str, str] | None = None) -> Iterator[types.ModuleType]:
    """The generated module (and any generated modules it imports, by name), importable."""
    added: dict[str, Any] = {}

    def install(name: str, source: str) -> types.ModuleType:
        module = types.ModuleType(name)
        module.__file__ = f"<fixturekit verify {name}>"
        added[name] = sys.modules.get(name)
        sys.modules[name] = module
        exec(compile(source, module.__file__, "exec"), module.__dict__)
        return module

    try:
        for name, source in (extra or {}).items():
            install(name, source)
        yield install(f"_fixturekit_verify_{next(_counter)}", text)
    finally:
        for name, previous in added.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous


@dataclass
class FactoryResult:
    key: str  # Table.key of the factory's table
    factory: str  # the factory's class name
    error: BaseException | None = None
    stage: str = ""  # "the first row" | "N more rows", where it failed

    @property
    def passed(self) -> bool:
        return self.error is None


def _seed(key: str) -> None:
    import factory.random

    # The same values on every run: a repair found once is found again.
    factory.random.reseed_random(f"fixturekit-verify:{key}")


def _more_rows(factory_class: Any, session: Any, rows: int, first: Any, reuse: Reuse) -> None:
    """`rows` more rows sharing the first row's parents, inserted in one flush.

    Each parent factory proves its own rows; sharing them turns N parent chains into none and
    N single-row INSERTs into one multi-row statement, which is what keeps verifying a large
    schema fast. Where the rows cannot be built apart from the database (a factory with its
    own create hooks), they are created one by one, as tests do.
    """
    from sqlalchemy import inspect
    from sqlalchemy.exc import SAWarning

    try:
        overrides = reuse(first) if reuse is not None else {}
    except Exception:
        overrides = {}
    try:
        built = factory_class.build_batch(rows, **overrides)
    except Exception:
        built = None
    if (
        built is None
        or any(inspect(obj, raiseerr=False) is None for obj in built)
        or getattr(factory_class._meta, "sqlalchemy_get_or_create", ())
    ):
        # a Core table's rows, a factory that only creates, or one that gets-or-creates (a
        # single-row table): through the factory itself, as tests create them
        factory_class.create_batch(rows, **overrides)
        return
    nested = session.begin_nested()
    try:
        with warnings.catch_warnings():
            # a NULL key of an incomplete built row warns before the server refuses it
            warnings.simplefilter("ignore", SAWarning)
            session.add_all(built)
            session.flush()
        nested.commit()
    except Exception:
        # built rows are not always complete (a key copied from a parent that was only
        # built): what tests run, the factory's own create_batch, is the proof
        nested.rollback()
        for obj in built:
            if obj in session:
                session.expunge(obj)
        factory_class.create_batch(rows, **overrides)


Reuse = Callable[[Any], dict[str, Any]] | None


def run_factories(
    module: types.ModuleType,
    engine: Any,
    targets: Iterable[tuple[str, str, Reuse]],
    rows: int,
) -> list[FactoryResult]:
    """Create 1 row, then `rows` rows, with each (table key, factory name, parent reuse)."""
    from fixturekit.flask_context import flask_context
    from fixturekit.plugin.binding import bound
    from fixturekit.plugin.config import Isolation
    from fixturekit.plugin.sessions import IsolationScope, joined_session

    results: list[FactoryResult] = []
    scope = IsolationScope(Isolation.SAVEPOINT)
    with joined_session(engine, Isolation.SAVEPOINT, scope) as session, bound([module], session):
        for key, name, reuse in targets:
            result = FactoryResult(key, name)
            factory_class = getattr(module, name)
            _seed(key)
            nested = session.begin_nested()
            try:
                # the rows flushed here, outside the factory's own calls, need what it needs
                with flask_context(factory_class._meta.model, session):
                    result.stage = "the first row"
                    first = factory_class.create()
                    if rows:
                        result.stage = f"{rows} more rows"
                        _more_rows(factory_class, session, rows, first, reuse)
                    session.flush()
            except Exception as exc:
                result.error = exc
            finally:
                try:
                    nested.rollback()  # an inactive savepoint (a failed flush) is closed too
                except Exception:
                    session.rollback()  # only the session's own savepoint: the outer one stays
                session.expunge_all()
            results.append(result)
    return results
