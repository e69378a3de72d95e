"""Import the user's SQLAlchemy models the way the application does, with readable failures.

A models spec is a file path (`app/models.py`), a module path (`app.models`), or either followed
by `:Name` naming a declarative Base, a `registry`, a `MetaData`, a Flask-SQLAlchemy object
(`app.extensions:db`) or `SQLModel` in that module. Modules to import before reading the models
(where the model classes live when the spec names a `db` object) follow it, separated by spaces
or commas: `app.extensions:db app.models`, or `imports=` from the command line's `--import`.
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


def is_flask_sqlalchemy(obj: Any) -> bool:
    """A Flask-SQLAlchemy extension object (`db = SQLAlchemy()`), recognised without importing
    Flask-SQLAlchemy, which most projects do not have."""
    return any(
        cls.__name__ == "SQLAlchemy" and cls.__module__.startswith("flask_sqlalchemy")
        for cls in type(obj).__mro__
    )


def _sqlmodel_registry(obj: Any) -> Any:
    """The registry of `SQLModel` (or a SQLModel subclass): it keeps it as `_sa_registry`."""
    if isinstance(obj, type) and any(c.__name__ == "SQLModel" for c in obj.__mro__):
        return getattr(obj, "_sa_registry", None)
    return None


def _mapped_registry(obj: Any) -> Any:
    """The registry of a mapped class (a SQLModel table model, a Flask-SQLAlchemy model)."""
    mapper = getattr(obj, "__mapper__", None) if isinstance(obj, type) else None
    return getattr(mapper, "registry", None)


def split_imports(spec: str) -> tuple[str, list[str]]:
    """`app.extensions:db app.models, app.billing` -> ("app.extensions:db", [the modules])."""
    parts = [p for p in spec.replace(",", " ").split() if p]
    if not parts:
        return spec, []
    return parts[0], parts[1:]


def _registries_of(module: ModuleType, loaded: LoadedModels) -> list[Any]:
    from sqlalchemy import MetaData
    from sqlalchemy.orm import registry as Registry

    registries: list[Any] = []
    for value in vars(module).values():
        found = None
        if isinstance(value, MetaData):
            if value not in loaded.metadatas:
                loaded.metadatas.append(value)
        elif isinstance(value, Registry):
            found = value
        elif _is_declarative_base(value):
            found = value.registry
        elif is_flask_sqlalchemy(value):
            found = value.Model.registry
        else:
            # SQLModel keeps its registry out of sight; its table models are mapped classes.
            found = _mapped_registry(value)
        if found is not None and found not in registries:
            registries.append(found)
    return registries


def _named_object(target: str, name: str, obj: Any, loaded: LoadedModels) -> list[Any]:
    from sqlalchemy import MetaData
    from sqlalchemy.orm import registry as Registry

    if isinstance(obj, MetaData):
        loaded.metadatas.append(obj)
        return []
    if isinstance(obj, Registry):
        return [obj]
    if _is_declarative_base(obj):
        return [obj.registry]
    if is_flask_sqlalchemy(obj):
        loaded.metadatas.extend(m for m in obj.metadatas.values() if m not in loaded.metadatas)
        return [obj.Model.registry]
    sqlmodel_registry = _sqlmodel_registry(obj)
    if sqlmodel_registry is not None:
        return [sqlmodel_registry]
    raise ModelsNotLoaded(
        f"{target}:{name} is a {type(obj).__name__}, not a declarative Base, registry, "
        "MetaData, Flask-SQLAlchemy object (db = SQLAlchemy()) or SQLModel.",
        hint="Name the class your models inherit from (e.g. models:Base), the MetaData, or "
        "the Flask-SQLAlchemy `db` (e.g. app.extensions:db).",
    )


def _no_tables(
    target: str, name: str | None, obj: Any, imports: list[str], module: ModuleType
) -> ModelsNotLoaded:
    imported = f" after importing {', '.join(imports)}" if imports else ""
    if name is not None and is_flask_sqlalchemy(obj):
        return ModelsNotLoaded(
            f"{target}:{name} is a Flask-SQLAlchemy object, but no model is registered on it"
            f"{imported}: importing {target} alone does not import the modules that define "
            "the models.",
            hint=f"Name them with --import (e.g. `--import app.models`), or list them after the "
            f'spec in ini fixturekit_models (e.g. "{target}:{name} app.models").',
        )
    if name is not None and _sqlmodel_registry(obj) is not None:
        return ModelsNotLoaded(
            f"{target}:{name}: no SQLModel table model is defined{imported}.",
            hint="Import the module that defines them with --import, and declare each one with "
            "`class Hero(SQLModel, table=True)`.",
        )
    data_models = _only_sqlmodel_data_models(vars(module))
    if data_models:
        names = ", ".join(sorted(data_models))
        return ModelsNotLoaded(
            f"{target} defines SQLModel classes ({names}) but none with table=True: they are "
            "data models with no table to write rows to.",
            hint="Declare the table models with `class Hero(SQLModel, table=True)`, or point at "
            "the module that does.",
        )
    return ModelsNotLoaded(
        f"{target} defines no SQLAlchemy tables or mapped classes{imported}.",
        hint="Point at the module that declares your models, or name the Base explicitly "
        "(e.g. app.models:Base); with a Flask-SQLAlchemy `db`, add --import for the models.",
    )


def _only_sqlmodel_data_models(namespace: dict[str, Any]) -> list[str]:
    return [
        key
        for key, value in namespace.items()
        if isinstance(value, type)
        and value.__name__ != "SQLModel"
        and _sqlmodel_registry(value) is not None
        and getattr(value, "__table__", None) is None
    ]


def load_models(
    spec: str, *, root: Path | None = None, imports: list[str] | tuple[str, ...] = ()
) -> LoadedModels:
    """Resolve a models spec (plus modules to import first) to its metadata and mapped classes."""
    spec, listed = split_imports(spec)
    imports = [*listed, *imports]
    target, name = split_spec(spec)
    module = import_target(target, root=root)
    for extra in imports:
        import_target(extra, root=root)
    loaded = LoadedModels(spec=spec, module=module)
    obj: Any = None

    if name is not None:
        if not hasattr(module, name):
            raise ModelsNotLoaded(
                f"{target} has no attribute {name!r}.",
                hint="After ':' name the declarative Base, registry or MetaData of your models, "
                "or the Flask-SQLAlchemy `db`.",
            )
        obj = getattr(module, name)
        registries = _named_object(target, name, obj, loaded)
    else:
        registries = _registries_of(module, loaded)

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
        raise _no_tables(target, name, obj, imports, module)
    return loaded
