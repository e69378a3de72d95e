"""Factory modules bound to the running test's session, and pytest-factoryboy style fixtures.

A factory module (what `fixturekit generate` writes) exposes `bind_session(session)` and
`FACTORIES`. The plugin binds every registered module to `db_session` for the duration of each
test and unbinds it afterwards, so nothing a factory creates outlives the test. Modules are
looked up in `sys.modules` by file first: the test modules have usually imported them already,
maybe under another name, and binding a second copy would leave theirs unbound.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest


def _looks_like_file(spec: str) -> bool:
    return spec.endswith(".py") or "/" in spec or "\\" in spec


def _import_name(path: Path) -> tuple[str, Path]:
    """The name pytest's default import mode gives a file: packages walked up to their root."""
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def _loaded_from(path: Path) -> list[ModuleType]:
    found = []
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve() == path:
            found.append(module)
    return found


def load_factory_modules(specs: list[str], rootdir: Path, *, explicit: bool) -> list[ModuleType]:
    """Import (or find) the factory modules; a missing default file is simply skipped."""
    modules: list[ModuleType] = []
    # Factories import the models; like `fixturekit generate`, resolve those from the project
    # root even when no conftest.py there has put it on the path.
    if str(rootdir) not in sys.path:
        sys.path.append(str(rootdir))
    for spec in specs:
        if _looks_like_file(spec):
            path = (rootdir / spec).resolve()
            if not path.exists():
                if explicit:
                    raise pytest.UsageError(
                        f"fixturekit: ini fixturekit_factories names {spec}, which does not exist "
                        f"(relative to {rootdir})."
                    )
                continue
            loaded = _loaded_from(path)
            if loaded:
                modules.extend(loaded)
                continue
            name, folder = _import_name(path)
            if str(folder) not in sys.path:
                sys.path.insert(0, str(folder))
        else:
            name = spec
        try:
            modules.append(importlib.import_module(name))
        except Exception as exc:
            raise pytest.UsageError(
                f"fixturekit: factory module {spec} (ini fixturekit_factories) could not be "
                f"imported: {type(exc).__name__}: {exc}"
            ) from None
    return list(dict.fromkeys(modules))


def factories_of(module: ModuleType) -> dict[str, Any]:
    """Model name -> factory class, from FACTORIES or, failing that, the module's namespace."""
    declared = getattr(module, "FACTORIES", None)
    if isinstance(declared, dict):
        return dict(declared)
    from factory.alchemy import SQLAlchemyModelFactory

    found: dict[str, Any] = {}
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, SQLAlchemyModelFactory)
            and value is not SQLAlchemyModelFactory
            and getattr(value._meta, "model", None) is not None
            and not value._meta.abstract
        ):
            found[value._meta.model.__name__] = value
    return found


def is_django_factory(factory_class: Any) -> bool:
    """A DjangoModelFactory: pytest-django's `db` isolates it, no session to bind.

    Checked by name so that projects without Django never import `factory.django`.
    """
    return any(
        base.__name__ == "DjangoModelFactory" and base.__module__ == "factory.django"
        for base in getattr(factory_class, "__mro__", ())
    )


def _bind(module: ModuleType, session: Any) -> list[tuple[Any, Any, Any]]:
    """Bind a module's factories; return what a hand-written module's factories had before."""
    binder = getattr(module, "bind_session", None)
    if callable(binder):
        binder(session)
        return []
    previous = []
    for factory_class in factories_of(module).values():
        if not is_django_factory(factory_class):
            meta = factory_class._meta
            previous.append((meta, meta.sqlalchemy_session, meta.sqlalchemy_session_factory))
            # A session factory wins over a session in factory_boy: set it aside meanwhile.
            meta.sqlalchemy_session = session
            meta.sqlalchemy_session_factory = None
    return previous


def bind_all(modules: list[ModuleType], session: Any) -> None:
    """Bind every module to `session` (None unbinds)."""
    for module in modules:
        _bind(module, session)


@contextmanager
def bound(modules: list[ModuleType], session: Any) -> Iterator[None]:
    """Bind every module to `session` for the duration of the block, unbind afterwards.

    Hand-written factories (no `bind_session`) get their own session settings back, so that
    tests without db_session keep working as the suite wrote them.
    """
    saved = [entry for module in modules for entry in _bind(module, session)]
    try:
        yield
    finally:
        for module in modules:
            if callable(getattr(module, "bind_session", None)):
                module.bind_session(None)
        for meta, session_before, factory_before in saved:
            meta.sqlalchemy_session = session_before
            meta.sqlalchemy_session_factory = factory_before


def namespace(modules: list[ModuleType]) -> SimpleNamespace:
    """`factories.User` (by model name) and `factories.UserFactory` (by class name)."""
    entries: dict[str, Any] = {}
    for module in modules:
        for model_name, factory_class in factories_of(module).items():
            entries.setdefault(model_name, factory_class)
            entries.setdefault(factory_class.__name__, factory_class)
    return SimpleNamespace(**entries)


def snake(name: str) -> str:
    """OrderItem -> order_item, HTTPLog -> http_log."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def registration_module(modules: list[ModuleType]) -> ModuleType:
    """A plugin module holding `<model>_factory` and `<model>` fixtures for every factory."""
    holder = ModuleType("fixturekit_registered_factories")
    for model_name, factory_class in namespace_items(modules):
        base = snake(model_name)
        setattr(holder, f"_{base}_factory", _factory_fixture(f"{base}_factory", factory_class))
        setattr(holder, f"_{base}_instance", _instance_fixture(base, factory_class))
    return holder


def namespace_items(modules: list[ModuleType]) -> list[tuple[str, Any]]:
    items: dict[str, Any] = {}
    for module in modules:
        for model_name, factory_class in factories_of(module).items():
            items.setdefault(model_name, factory_class)
    return list(items.items())


def _factory_fixture(name: str, factory_class: Any) -> Any:
    if is_django_factory(factory_class):

        def fixture(db: Any) -> Any:  # pytest-django's transaction-per-test database
            return factory_class

    else:

        def fixture(db_session: Any) -> Any:
            # Requesting db_session is what binds the factory to this test's session.
            return factory_class

    fixture.__name__ = name
    return pytest.fixture(name=name)(fixture)


def _instance_fixture(name: str, factory_class: Any) -> Any:
    if is_django_factory(factory_class):

        def fixture(db: Any) -> Any:
            return factory_class()

    else:

        def fixture(db_session: Any) -> Any:
            instance = factory_class()
            db_session.flush()
            return instance

    fixture.__name__ = name
    return pytest.fixture(name=name)(fixture)
