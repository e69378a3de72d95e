"""The base class of document factories, and binding them to the running test's database.

A document factory is a factory_boy `DictFactory` whose `create()` inserts the document into
its collection. The database comes from, in order: `Meta.database` on the factory, or the
database bound for the current context (the `mongo_db` fixture binds the test's database, so
nothing a factory creates outlives the test), else a clear error.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import factory
from factory.base import FactoryOptions, OptionDefault

from fixturekit.errors import FixturekitError

_sync_database: ContextVar[Any] = ContextVar("fixturekit_mongo_database", default=None)
_async_database: ContextVar[Any] = ContextVar("fixturekit_async_mongo_database", default=None)


class _Missing:
    """Marks a key to leave out of the document (`UserFactory(nickname=MISSING)`)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def _strip_missing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_missing(v) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list):
        return [_strip_missing(v) for v in value if v is not MISSING]
    return value


@contextlib.contextmanager
def bind_database(database: Any, *, is_async: bool = False) -> Iterator[Any]:
    """Make `database` the one every document factory without `Meta.database` writes to."""
    var = _async_database if is_async else _sync_database
    token = var.set(database)
    try:
        yield database
    finally:
        var.reset(token)


def bound_database(*, is_async: bool = False) -> Any:
    return (_async_database if is_async else _sync_database).get()


class DocumentOptions(FactoryOptions):
    def _build_default_options(self) -> list[OptionDefault]:
        return [
            *super()._build_default_options(),
            OptionDefault("collection", None, inherit=False),
            OptionDefault("database", None, inherit=True),
        ]


class DocumentFactory(factory.DictFactory):
    """A factory of MongoDB documents: `build()` returns a dict, `create()` inserts it.

    class UserFactory(DocumentFactory):
        class Meta:
            collection = "users"
        email = factory.Faker("email")

    `create_batch` inserts with one `insert_many`; `create_async` and `create_batch_async`
    do the same through an async database (mongomock-motor, motor, pymongo's async client).
    """

    _options_class = DocumentOptions

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy: str, params: dict[str, Any]) -> Any:
        # factory_boy drops keyword arguments that start with "_", so `_id=...` given by the
        # caller is mapped to the attribute that holds it (`id_`) before generation.
        if cls._meta.rename:
            attributes = {key: attr for attr, key in cls._meta.rename.items()}
            params = {attributes.get(k, k): v for k, v in params.items()}
        return super()._generate(strategy, params)

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return _strip_missing(dict(*args, **kwargs))

    @classmethod
    def collection_name(cls) -> str:
        name = cls._meta.collection
        if not name:
            raise FixturekitError(
                f'{cls.__name__} has no collection: set `collection = "..."` in its Meta'
            )
        return name

    @classmethod
    def _database(cls, *, is_async: bool) -> Any:
        database = cls._meta.database or bound_database(is_async=is_async)
        if database is None:
            kind = "async " if is_async else ""
            fixture = "async_mongo_db" if is_async else "mongo_db"
            raise FixturekitError(
                f"{cls.__name__} has no {kind}database to insert into",
                hint=f"Request the `{fixture}` fixture in the test, wrap the code in "
                "`fixturekit.nosql.bind_database(db)`, or set `database = ...` in its Meta. "
                "`build()` makes a document without inserting it.",
            )
        return database

    @classmethod
    def get_collection(cls, *, is_async: bool = False) -> Any:
        return cls._database(is_async=is_async)[cls.collection_name()]

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        document = cls._build(model_class, *args, **kwargs)
        _sync_result(cls, cls.get_collection().insert_one(document))
        return document  # the driver has set `_id` on it when the factory did not

    @classmethod
    def create_batch(cls, size: int, **kwargs: Any) -> list[dict[str, Any]]:
        documents = cls.build_batch(size, **kwargs)
        if documents:
            _sync_result(cls, cls.get_collection().insert_many(documents))
        return documents

    @classmethod
    async def create_async(cls, **kwargs: Any) -> dict[str, Any]:
        document = cls.build(**kwargs)
        await cls.get_collection(is_async=True).insert_one(document)
        return document

    @classmethod
    async def create_batch_async(cls, size: int, **kwargs: Any) -> list[dict[str, Any]]:
        documents = cls.build_batch(size, **kwargs)
        if documents:
            await cls.get_collection(is_async=True).insert_many(documents)
        return documents


def _sync_result(cls: type, result: Any) -> Any:
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()  # never awaited: close it so Python does not warn about it
        raise FixturekitError(
            f"{cls.__name__} is bound to an async database, so create() cannot wait for it",
            hint=f"Use `await {cls.__name__}.create_async()` (or create_batch_async).",
        )
    return result


def document_factories(namespace: Mapping[str, Any]) -> dict[str, type[DocumentFactory]]:
    """The document factories in a module namespace, by collection name."""
    found: dict[str, type[DocumentFactory]] = {}
    for value in namespace.values():
        if (
            isinstance(value, type)
            and issubclass(value, DocumentFactory)
            and getattr(value._meta, "collection", None)
        ):
            found.setdefault(value._meta.collection, value)
    return found
