"""Import the user's SQLAlchemy models the way the application does, with readable failures.

A models spec is a file path (`app/models.py`), a module path (`app.models`), or either followed
by `:Name` naming a declarative Base, a `registry` or a `MetaData` in that module.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from fixturekit.errors import ModelsNotLoaded


@dataclass
class LoadedModels:
    """What a models spec resolved to: the metadata objects and the mapped classes over them."""

    spec: str
    module: ModuleType
    metadatas: list[Any] = field(default_factory=list)  # sqlalchemy.MetaData
    classes: list[type] = field(default_factory=list)  # mapped classes, in registry order

    @property
    def tables(self) -> list[Any]:
        seen: dict[str, Any] = {}
        for metadata in self.metadatas:
            for table in metadata.sorted_tables:
                seen.setdefault(table.fullname, table)
        return list(seen.values())


def split_spec(spec: str) -> tuple[str, str | None]:
    """`path/or.module[:Name]` -> (target, name). A Windows drive letter is not a separator."""
    target, sep, name = spec.rpartition(":")
    if not sep or (len(target) == 1 and target.isalpha()) or not name.isidentifier():
        return spec, None
    return target, name


def _module_name_for_file(path: Path) -> tuple[str, Path]:
    """The dotted name a file is imported under, and the directory that must be on sys.path.

    Walks up while the parent folders are packages, so `app/models.py` inside a package `app`
    is imported as `app.models` with relative imports working, as the application imports it.
    """
    path = path.resolve()
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def _ensure_on_path(folder: Path) -> None:
    text = str(folder)
    if text not in sys.path:
        sys.path.insert(0, text)


def _user_frame(exc: BaseException) -> str:
    """`file:line` of the innermost frame outside the standard library and site-packages."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        name = frame.filename
        if "site-packages" in name or name.startswith("<") or "/lib/python3" in name:
            continue
        return f"{name}:{frame.lineno}"
    return frames[-1].filename + f":{frames[-1].lineno}" if frames else "?"


def import_target(target: str, *, root: Path | None = None) -> ModuleType:
    """Import a file path or a dotted module path, raising ModelsNotLoaded with a clear message."""
    root = (root or Path.cwd()).resolve()
    _ensure_on_path(root)
    looks_like_file = target.endswith(".py") or "/" in target or "\\" in target
    if looks_like_file:
        path = Path(target)
        if not path.is_absolute():
            path = root / path
        if not path.exists():
            raise ModelsNotLoaded(
                f"Models file {target} does not exist.",
                hint="Give the path of the Python file that defines your models "
                "(e.g. app/models.py) or its module path (e.g. app.models).",
            )
        module_name, folder = _module_name_for_file(path)
        _ensure_on_path(folder)
        shown = str(path)
    else:
        module_name, shown = target, target
    try:
        return importlib.import_module(module_name)
    except SyntaxError as exc:
        where = f"{exc.filename}, line {exc.lineno}" if exc.filename else shown
        raise ModelsNotLoaded(
            f"The models in {shown} could not be imported: syntax error in {where}: {exc.msg}.",
            hint="Fix the syntax error (python -c 'import ...' shows the same) and run again.",
        ) from None
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == module_name or module_name.startswith(exc.name + ".")):
            raise ModelsNotLoaded(
                f"No module named {module_name!r} (from {shown!r}).",
                hint="Run from your project root, or give the file path of the models "
                "(e.g. app/models.py).",
            ) from None
        raise ModelsNotLoaded(
            f"The models in {shown} could not be imported: they import {exc.name!r}, "
            f"which is not installed or not on the path ({_user_frame(exc)}).",
            hint="Install the missing package in this environment or run from the project root.",
        ) from None
    except Exception as exc:
        raise ModelsNotLoaded(
            f"The models in {shown} could not be imported: {type(exc).__name__}: {exc} "
            f"(raised at {_user_frame(exc)}).",
            hint="Importing the module must work on its own, as `python -c 'import ...'` does.",
        ) from None


def _is_declarative_base(obj: Any) -> bool:
    return isinstance(obj, type) and hasattr(obj, "registry") and hasattr(obj, "metadata")


def load_models(spec: str, *, root: Path | None = None) -> LoadedModels:
    """Resolve a models spec to its metadata and mapped classes."""
    from sqlalchemy import MetaData
    from sqlalchemy.orm import registry as Registry

    target, name = split_spec(spec)
    module = import_target(target, root=root)
    loaded = LoadedModels(spec=spec, module=module)
    registries: list[Any] = []

    if name is not None:
        if not hasattr(module, name):
            raise ModelsNotLoaded(
                f"{target} has no attribute {name!r}.",
                hint="After ':' name the declarative Base, registry or MetaData of your models.",
            )
        obj = getattr(module, name)
        if isinstance(obj, MetaData):
            loaded.metadatas.append(obj)
        elif isinstance(obj, Registry):
            registries.append(obj)
        elif _is_declarative_base(obj):
            registries.append(obj.registry)
        else:
            raise ModelsNotLoaded(
                f"{target}:{name} is a {type(obj).__name__}, not a declarative Base, registry "
                "or MetaData.",
                hint="Name the class your models inherit from (e.g. models:Base) or the MetaData.",
            )
    else:
        for value in vars(module).values():
            if isinstance(value, MetaData):
                loaded.metadatas.append(value)
            elif isinstance(value, Registry):
                registries.append(value)
            elif _is_declarative_base(value) and value.registry not in registries:
                registries.append(value.registry)

    for reg in registries:
        if reg.metadata not in loaded.metadatas:
            loaded.metadatas.append(reg.metadata)
        for mapper in sorted(reg.mappers, key=lambda m: (m.class_.__module__, m.class_.__name__)):
            if mapper.class_ not in loaded.classes:
                loaded.classes.append(mapper.class_)

    # configure_mappers resolves string relationship targets now, so a broken relationship
    # is reported here against the model instead of later inside a test.
    if loaded.classes:
        from sqlalchemy.orm import configure_mappers

        try:
            configure_mappers()
        except Exception as exc:
            raise ModelsNotLoaded(
                f"The models in {target} import, but SQLAlchemy cannot configure them: {exc}",
                hint="Fix the relationship or mapping named above.",
            ) from None

    if not loaded.tables:
        raise ModelsNotLoaded(
            f"{target} defines no SQLAlchemy tables or mapped classes.",
            hint="Point at the module that declares your models, or name the Base explicitly "
            "(e.g. app.models:Base).",
        )
    return loaded
