"""The fingerprint of what builds a template: a kept template is reused only when it matches.

It covers everything that decides the template's content:
- the schema source: every table's compiled DDL (with its indexes and the DDL that runs when it
  is created, such as seed INSERTs) for the server's dialect, or, with Alembic, the config file,
  every file of the script directory and the head revisions;
- the fixturekit version (a new version may build differently);
- the build options (dialect, models spec, Alembic config path).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError

#: bumped when the way a template is built changes in a way the version would not show
FORMAT = 1
_SKIPPED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache"}


class FingerprintError(FixturekitError):
    """What builds the template could not be read."""


def fingerprint(
    metadatas: list[Any],
    alembic_ini: Path | None,
    dialect: Any,
    options: dict[str, str],
) -> str:
    """A hex digest that changes whenever the template built from these inputs would."""
    from fixturekit import __version__

    digest = hashlib.sha256()

    def feed(*parts: str) -> None:
        for part in parts:
            digest.update(part.encode())
            digest.update(b"\0")

    feed(f"format={FORMAT}", f"fixturekit={__version__}")
    for key in sorted(options):
        feed(key, options[key])
    if alembic_ini is not None:
        for part in alembic_parts(alembic_ini):
            feed(part)
    else:
        for part in ddl_parts(metadatas, dialect):
            feed(part)
    return digest.hexdigest()[:32]


def _listener_text(listener: Any) -> str:
    target = getattr(listener, "__self__", listener)
    statement = getattr(target, "statement", None)  # DDL("INSERT ...") attached to a table
    if statement is not None:
        return str(statement)
    return getattr(target, "__qualname__", type(target).__qualname__)


def ddl_parts(metadatas: list[Any], dialect: Any) -> list[str]:
    from sqlalchemy.schema import CreateIndex, CreateTable

    parts: list[str] = []
    for metadata in metadatas:
        for table in metadata.sorted_tables:
            parts.append(str(CreateTable(table).compile(dialect=dialect)))
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                parts.append(str(CreateIndex(index).compile(dialect=dialect)))
            for event_name in ("before_create", "after_create"):
                for listener in getattr(table.dispatch, event_name):
                    parts.append(f"{event_name}:{_listener_text(listener)}")
        for event_name in ("before_create", "after_create"):
            for listener in getattr(metadata.dispatch, event_name):
                parts.append(f"metadata {event_name}:{_listener_text(listener)}")
    return parts


def alembic_parts(ini: Path) -> list[str]:
    """The config, every file of the script directory (revisions, env.py), and the heads."""
    try:
        from alembic.config import Config
        from alembic.script import ScriptDirectory
    except ImportError:
        raise FingerprintError(
            "An Alembic config is set but alembic is not installed.",
            hint="pip install 'fixturekit[alembic]'",
        ) from None
    if not ini.is_file():
        raise FingerprintError(f"Alembic config {ini} does not exist.")
    parts = [ini.read_text(encoding="utf-8", errors="replace")]
    config = Config(str(ini))
    location = config.get_main_option("script_location") or ""
    folders = [_resolve(ini, location)]
    extra = config.get_main_option("version_locations") or ""
    folders += [_resolve(ini, f) for f in extra.replace(",", " ").split() if f]
    for folder in dict.fromkeys(folders):
        if not folder.is_dir():
            raise FingerprintError(f"Alembic script directory {folder} (from {ini}) is missing.")
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix in (".pyc", ".pyo"):
                continue
            if _SKIPPED_DIRS.intersection(path.relative_to(folder).parts):
                continue
            parts.append(str(path.relative_to(folder)))
            parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
    from fixturekit.plugin.building import _cwd

    try:
        with _cwd(ini.parent):
            script = ScriptDirectory.from_config(config)
        parts.append("heads=" + ",".join(sorted(script.get_heads())))
    except Exception as exc:
        raise FingerprintError(
            f"Alembic could not read the script directory of {ini}: {type(exc).__name__}: {exc}"
        ) from None
    return parts


def _resolve(ini: Path, location: str) -> Path:
    location = location.replace("%(here)s", str(ini.parent))
    if ":" in location and not Path(location).exists():  # "package:folder"
        import importlib.resources

        package, _, rest = location.partition(":")
        return Path(str(importlib.resources.files(package))) / rest
    path = Path(location)
    return path if path.is_absolute() else (ini.parent / path).resolve()
