"""Build mapped instances the way the declarative constructor would, whatever `__init__` says.

factory_boy makes an object with `Model(**declarations)`. Many real models replace the
declarative constructor with their own `__init__` (`Task.__init__(self, task_id)`,
`Realm.__init__(self, realm)`) whose parameters are not the column attributes, so that call
fails or gives the parameters another meaning. For such a class the object is made as the ORM
makes a loaded one (`ClassManager.new_instance`), the `init` event runs as it would for a
constructor call (polymorphic identity, mutable tracking, model defaults set on init), and
every keyword is set as an attribute, which is what the declarative constructor does.

Ordinary models (the declarative constructor, an `__init__(**kwargs)`, a dataclass mapping) keep
the normal call.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from typing import Any

from sqlalchemy import inspect as sa_inspect


@functools.cache
def bypasses_init(model_class: type) -> bool:
    """True when `model_class(**attributes)` is not how this mapped class takes its columns."""
    mapper = sa_inspect(model_class, raiseerr=False)
    if mapper is None or not hasattr(mapper, "class_manager"):
        return False
    if dataclasses.is_dataclass(model_class):
        return False
    original = getattr(mapper.class_manager, "original_init", None)
    if original is None or original is mapper.registry.constructor or original is object.__init__:
        return False
    try:
        parameters = inspect.signature(original).parameters.values()
    except (TypeError, ValueError):
        return False
    return not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def declarative_instance(model_class: type, attributes: dict[str, Any]) -> Any:
    """An instance with `attributes` set, built without calling the class's own `__init__`."""
    manager = sa_inspect(model_class).class_manager
    obj = manager.new_instance()
    manager.dispatch.init(sa_inspect(obj), (), attributes)
    for key, value in attributes.items():
        if not hasattr(model_class, key):
            raise TypeError(f"{key!r} is an invalid keyword argument for {model_class.__name__}")
        setattr(obj, key, value)
    return obj


def construct(model_class: type, *args: Any, **attributes: Any) -> Any:
    """`model_class(*args, **attributes)`, or the declarative way when its `__init__` differs."""
    if not args and bypasses_init(model_class):
        return declarative_instance(model_class, attributes)
    return model_class(*args, **attributes)
