"""The base of every value strategy, and the helpers its renderings share.

A strategy renders itself as factory_boy source text (`source()`), and the runtime declaration
and the single value (`declaration()`, `one()`) are that text evaluated in `base_namespace()`:
keeping the evaluation here, next to the literal writer `lit`, is what makes a generated factory
and a runtime one the same code. The strategy families live in the `*_strategies` modules beside
this one; `fixturekit.infer.strategies` gathers them under one name.
"""

from __future__ import annotations

import datetime
import decimal
import importlib
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from fixturekit.schema.model import PythonRef


def resolve_ref(ref: PythonRef) -> Any:
    """The object `ref` names; a mapped class that is no module attribute comes from its mapper."""
    try:
        obj: Any = importlib.import_module(ref.module)
        for part in ref.qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        from fixturekit.mapped_classes import mapped_class

        try:
            return mapped_class(ref.module, ref.qualname)
        except LookupError:
            pass
        raise
    return obj


def base_namespace() -> dict[str, Any]:
    import factory
    import factory.fuzzy

    from fixturekit import values as fv

    return {"factory": factory, "fv": fv, "datetime": datetime, "decimal": decimal, "uuid": uuid}


def lit(value: Any) -> str:
    """A Python literal for a value taken from the schema (labels, patterns, bounds).

    Strings prefer double quotes, as formatters write them; backslashes make a raw string.
    """
    if isinstance(value, str):
        if '"' in value or "\n" in value or "\r" in value or "\t" in value:
            return repr(value)
        if "\\" in value:
            return f'r"{value}"' if not value.endswith("\\") else repr(value)
        return f'"{value}"'
    if isinstance(value, decimal.Decimal):
        return f'decimal.Decimal("{value}")'
    if isinstance(value, datetime.datetime):
        return f"datetime.datetime.fromisoformat({lit(value.isoformat())})"
    if isinstance(value, datetime.time):
        return f"datetime.time.fromisoformat({lit(value.isoformat())})"
    if isinstance(value, datetime.timedelta):
        return f"datetime.timedelta(seconds={value.total_seconds()!r})"
    if isinstance(value, datetime.date):
        return f"datetime.date.fromisoformat({lit(value.isoformat())})"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(lit(v) for v in value)
        return f"[{inner}]"
    return repr(value)


def kwargs_source(kwargs: tuple[tuple[str, Any], ...]) -> str:
    return "".join(f", {key}={lit(value)}" for key, value in kwargs)


@dataclass(frozen=True)
class Strategy:
    """Base of all strategies. Subclasses set `value_source` or override `source`."""

    # True when the strategy guarantees distinct values per sequence number.
    unique: ClassVar[bool] = False

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return ()

    def value_source(self) -> str:
        """A Python expression producing one value (uses `n` when `unique` is True)."""
        raise NotImplementedError

    def source(self) -> str:
        if self.unique:
            return f"factory.Sequence(lambda n: {self.value_source()})"
        return f"factory.LazyFunction(lambda: {self.value_source()})"

    def namespace(self) -> dict[str, Any]:
        namespace = base_namespace()
        for ref in self.python_refs:
            # Sources name a ref by its qualname, so its top-level name is what they need.
            top = ref.qualname.split(".", 1)[0]
            namespace[top] = getattr(importlib.import_module(ref.module), top)
        return namespace

    def declaration(self) -> Any:
        # One source of truth: the runtime declaration is the generated source, evaluated.
        code = compile(self.source(), f"<fixturekit {type(self).__name__}>", "eval")
        return eval(code, self.namespace())

    def one(self, n: int = 0) -> Any:
        """One value, as the generated code would produce it (used by tests and reports)."""
        code = compile(self.value_source(), f"<fixturekit {type(self).__name__}>", "eval")
        return eval(code, {**self.namespace(), "n": n})
