"""Scenario fixtures: named sets of related rows, declared once and requested by name.

Two ways to declare one:

- In Python, in a conftest: `@scenario` on a function whose parameters are fixtures (usually
  `factories` and `db_session`); it becomes the fixture `<name>_scenario`.
- In pyproject.toml, `[tool.fixturekit.scenarios]`, e.g.
  `ecommerce = { users = 3, products = 2, orders = { count = 4, items = [1, 3] } }`: three users,
  two products, four orders each with one to three items. Keys name models (table name or
  pluralised class name) or, below a parent, the parent's one-to-many relationship. A number is a
  count, `[low, high]` a random count per parent. Rows created earlier in the scenario are reused
  for many-to-one references (each order belongs to one of the scenario's users), so the data
  hangs together instead of every factory inventing its own parents.

Either form takes a scope: `@scenario(scope="module")`, or `scope = "module"` in the TOML table.
A module- or class-scoped scenario is created once, on `db_session_module` / `db_session_class`
(see shared.py), and every test of the module or class is rolled back to it.
"""

from __future__ import annotations

import functools
import inspect
import random
import zlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SUFFIX = "_scenario"
SCOPES = ("function", "class", "module")


def scenario(
    func: Callable[..., Any] | None = None, *, name: str | None = None, scope: str = "function"
) -> Any:
    """Turn a function into the fixture `<name>_scenario`; the session is flushed after it.

    With scope="module" or "class" its rows are created once and shared (see shared.py); its
    `db_session` and `factories` arguments are then the module's or class's.
    """
    if scope not in SCOPES:
        raise ValueError(f"@scenario(scope={scope!r}): scope must be one of {', '.join(SCOPES)}")

    def wrap(inner: Callable[..., Any]) -> Any:
        fixture_name = f"{name or inner.__name__}{SUFFIX}"
        if scope != "function":
            return _shared_fixture(fixture_name, scope, _python_builder(inner), inner.__doc__)

        @functools.wraps(inner)
        def fixture(*args: Any, **kwargs: Any) -> Any:
            result = inner(*args, **kwargs)
            session = kwargs.get("db_session")
            if session is not None:
                session.flush()  # rows get their keys before the test queries them
            return result

        return pytest.fixture(name=fixture_name)(fixture)

    return wrap(func) if func is not None else wrap


def _python_builder(inner: Callable[..., Any]) -> Callable[..., Any]:
    """Call `inner` with its arguments resolved at the wider scope."""
    parameters = list(inspect.signature(inner).parameters)

    def build(request: pytest.FixtureRequest, session: Any, state: Any) -> Any:
        from fixturekit.plugin.binding import namespace

        kwargs: dict[str, Any] = {}
        for parameter in parameters:
            if parameter == "db_session":
                kwargs[parameter] = session
            elif parameter == "factories":
                kwargs[parameter] = namespace(state.factory_modules())
            elif parameter == "request":
                kwargs[parameter] = request
            else:
                kwargs[parameter] = request.getfixturevalue(parameter)
        return inner(**kwargs)

    return build


def _shared_fixture(
    fixture_name: str, scope: str, build: Callable[..., Any], doc: str | None
) -> Any:
    """A `scope`-scoped fixture whose rows live in the module's (or class's) shared data."""

    def fixture(request: pytest.FixtureRequest, _fixturekit: Any) -> Any:
        from fixturekit.plugin.fixtures import enter_shared

        session = enter_shared(request, _fixturekit, scope, f"{scope}-scoped {fixture_name}")
        result = build(request, session, _fixturekit)
        session.flush()  # rows get their keys before the tests query them
        return result

    fixture.__name__ = fixture_name
    fixture.__doc__ = doc
    return pytest.fixture(name=fixture_name, scope=scope)(fixture)


class Scenario(dict):
    """The created objects by key (`scenario["orders"]` or `scenario.orders`)."""

    def __getattr__(self, key: str) -> list[Any]:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


class ScenarioError(Exception):
    pass


def _plural_forms(word: str) -> set[str]:
    forms = {word, word + "s"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    return forms


class _SQLAlchemyRelations:
    """How a scenario finds relations between SQLAlchemy mapped classes."""

    @staticmethod
    def table_name(model: type) -> str:
        from sqlalchemy import inspect

        return getattr(inspect(model).local_table, "name", "")

    @staticmethod
    def many_to_one(model: type) -> list[tuple[str, type]]:
        from sqlalchemy import inspect

        return [
            (rel.key, rel.mapper.class_)
            for rel in inspect(model).relationships
            if rel.direction.name == "MANYTOONE" and not rel.viewonly
        ]

    @staticmethod
    def one_to_many(model: type, name: str) -> type | None:
        from sqlalchemy import inspect

        rel = inspect(model).relationships.get(name)
        if rel is not None and rel.direction.name == "ONETOMANY":
            return rel.mapper.class_
        return None


class _DjangoRelations:
    """The same for Django models, read from their `_meta`."""

    @staticmethod
    def table_name(model: type) -> str:
        return model._meta.db_table

    @staticmethod
    def many_to_one(model: type) -> list[tuple[str, type]]:
        return [
            (f.name, f.related_model)
            for f in model._meta.get_fields()
            if getattr(f, "many_to_one", False) and getattr(f, "concrete", False)
        ]

    @staticmethod
    def one_to_many(model: type, name: str) -> type | None:
        for f in model._meta.get_fields():
            if getattr(f, "one_to_many", False) and f.get_accessor_name() == name:
                return f.related_model
        return None


class _Builder:
    def __init__(
        self, factories: dict[str, Any], session: Any, rng: random.Random, relations: Any = None
    ) -> None:
        from fixturekit.plugin.binding import snake

        self.session = session
        self.rng = rng
        self.relations = relations or _SQLAlchemyRelations
        self.by_model: dict[type, Any] = {}
        self.names: dict[str, type] = {}
        for model_name, factory_class in factories.items():
            model = factory_class._meta.model
            if not isinstance(model, type):
                continue  # a Core table's factory: no relationships to follow
            self.by_model[model] = factory_class
            table = self.relations.table_name(model)
            for form in {table, *_plural_forms(snake(model_name)), model_name.lower()}:
                self.names.setdefault(form, model)
        self.created: dict[type, list[Any]] = {}
        self.result = Scenario()

    def model_for(self, key: str) -> type:
        model = self.names.get(key) or self.names.get(key.lower())
        if model is None:
            raise ScenarioError(
                f"{key!r} names no model with a factory (known: {', '.join(sorted(self.names))})"
            )
        return model

    def count(self, value: Any, where: str) -> int:
        if isinstance(value, bool):
            raise ScenarioError(f"{where}: expected a count, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
            return self.rng.randint(value[0], value[1])
        raise ScenarioError(f"{where}: expected a count or [low, high], got {value!r}")

    def _references(self, model: type, skip: set[str]) -> dict[str, Any]:
        """Many-to-one relationships pointed at rows this scenario already made."""
        chosen: dict[str, Any] = {}
        for key, target in self.relations.many_to_one(model):
            if key in skip:
                continue
            pool = self.created.get(target)
            if pool:
                chosen[key] = self.rng.choice(pool)
        return chosen

    def _back_reference(self, model: type, parent: Any) -> str | None:
        return next(
            (key for key, target in self.relations.many_to_one(model) if target is type(parent)),
            None,
        )

    def build(self, key: str, spec: Any, parent: Any = None, parent_key: str = "") -> None:
        where = f"{parent_key}.{key}" if parent_key else key
        if isinstance(spec, dict):
            children = {k: v for k, v in spec.items() if k != "count"}
            count_spec = spec.get("count", 1)
        else:
            children, count_spec = {}, spec
        link: dict[str, Any] = {}
        if parent is not None:
            child = self.relations.one_to_many(type(parent), key)
            model = child if child is not None else self.model_for(key)
            back = self._back_reference(model, parent)
            if back is None:
                raise ScenarioError(
                    f"{where}: {model.__name__} does not refer to {type(parent).__name__}"
                )
            link = {back: parent}
        else:
            model = self.model_for(key)
        factory_class = self.by_model.get(model)
        if factory_class is None:
            raise ScenarioError(f"{where}: no factory for {model.__name__}")
        # A factory that makes its own children (RelatedFactoryList) must not add to the
        # declared ones: a value given for a post-generation declaration replaces it.
        post = factory_class._meta.post_declarations
        suppressed = {name: None for name in children if name in post}
        made = []
        for _ in range(self.count(count_spec, where)):
            kwargs = {**self._references(model, set(link)), **link, **suppressed}
            instance = factory_class(**kwargs)
            made.append(instance)
            self.created.setdefault(model, []).append(instance)
            for child_key, child_spec in children.items():
                self.build(child_key, child_spec, parent=instance, parent_key=where)
        self.result.setdefault(key, []).extend(made)


def build_declared(
    name: str, spec: dict[str, Any], factories: dict[str, Any], session: Any, seed: int
) -> Scenario:
    """Create the rows a TOML-declared scenario describes, in declaration order.

    `session` is None for Django factories: pytest-django's `db` holds the transaction.
    """
    from fixturekit.plugin.binding import is_django_factory

    rng = random.Random(zlib.crc32(f"{seed}:{name}".encode()))
    # The `factories` namespace lists each factory twice (by model and by class name).
    by_model = {getattr(f._meta.model, "__name__", key): f for key, f in factories.items()}
    django = any(is_django_factory(f) for f in by_model.values())
    builder = _Builder(by_model, session, rng, _DjangoRelations if django else None)
    try:
        for key, value in spec.items():
            builder.build(key, value)
    except ScenarioError as exc:
        pytest.fail(
            f"fixturekit: scenario {name!r} in [tool.fixturekit.scenarios]: {exc}", pytrace=False
        )
    if session is not None:
        session.flush()
    return builder.result


def read_declared(pyproject: Path) -> dict[str, dict[str, Any]]:
    """`[tool.fixturekit.scenarios]` from pyproject.toml, {} when absent."""
    if not pyproject.is_file():
        return {}
    import tomllib

    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise pytest.UsageError(f"fixturekit: {pyproject} is not valid TOML: {exc}") from None
    scenarios = data.get("tool", {}).get("fixturekit", {}).get("scenarios", {})
    if not isinstance(scenarios, dict) or not all(isinstance(v, dict) for v in scenarios.values()):
        raise pytest.UsageError(
            f"fixturekit: [tool.fixturekit.scenarios] in {pyproject} must map names to tables, "
            "e.g. ecommerce = { users = 3, orders = { count = 4, items = [1, 3] } }."
        )
    for scenario_name, spec in scenarios.items():
        if spec.get("scope", "function") not in SCOPES:
            raise pytest.UsageError(
                f"fixturekit: [tool.fixturekit.scenarios] {scenario_name} in {pyproject}: scope = "
                f"{spec['scope']!r} is not one of {', '.join(SCOPES)}."
            )
    return scenarios


def declared_module(
    scenarios: dict[str, dict[str, Any]], seed: int, django_factories: dict[str, Any] | None = None
) -> ModuleType:
    """A plugin module with one `<name>_scenario` fixture per declared scenario.

    With `django_factories` (the project's factories are DjangoModelFactory classes) the
    fixtures stand on pytest-django's `db` instead of `db_session`.
    """
    holder = ModuleType("fixturekit_declared_scenarios")
    for scenario_name, declared in scenarios.items():
        spec = {k: v for k, v in declared.items() if k != "scope"}
        scope = declared.get("scope", "function")
        if django_factories:
            if scope != "function":
                raise pytest.UsageError(
                    f"fixturekit: [tool.fixturekit.scenarios] {scenario_name}: scope = {scope!r} "
                    "needs SQLAlchemy factories; pytest-django's `db` is one transaction per test."
                )
            fixture = _declared_django_fixture(scenario_name, spec, seed, django_factories)
        elif scope != "function":
            fixture = _shared_fixture(
                f"{scenario_name}{SUFFIX}",
                scope,
                _declared_builder(scenario_name, spec, seed),
                None,
            )
        else:
            fixture = _declared_fixture(scenario_name, spec, seed)
        setattr(holder, f"_{scenario_name}", fixture)
    return holder


def _declared_builder(scenario_name: str, spec: dict[str, Any], seed: int) -> Callable[..., Any]:
    def build(request: pytest.FixtureRequest, session: Any, state: Any) -> Scenario:
        from fixturekit.plugin.binding import namespace

        factories = vars(namespace(state.factory_modules()))
        return build_declared(scenario_name, spec, factories, session, seed)

    return build


def _declared_fixture(scenario_name: str, spec: dict[str, Any], seed: int) -> Any:
    def fixture(factories: Any, db_session: Any) -> Scenario:
        return build_declared(scenario_name, spec, vars(factories), db_session, seed)

    fixture.__name__ = f"{scenario_name}{SUFFIX}"
    return pytest.fixture(name=f"{scenario_name}{SUFFIX}")(fixture)


def _declared_django_fixture(
    scenario_name: str, spec: dict[str, Any], seed: int, factories: dict[str, Any]
) -> Any:
    def fixture(db: Any) -> Scenario:
        return build_declared(scenario_name, spec, factories, None, seed)

    fixture.__name__ = f"{scenario_name}{SUFFIX}"
    return pytest.fixture(name=f"{scenario_name}{SUFFIX}")(fixture)
