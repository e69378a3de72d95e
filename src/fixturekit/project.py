"""The user's project configuration: `[tool.fixturekit]` in the nearest pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError


def find_pyproject(start: Path | None = None) -> Path | None:
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise FixturekitError(f"{path} is not valid TOML: {exc}.") from None
    except OSError as exc:
        raise FixturekitError(f"Cannot read {path}: {exc.strerror}.") from None


def tool_section(section: str, path: Path | None = None) -> tuple[dict[str, Any], Path | None]:
    """`[tool.fixturekit.<section>]` from `path` (a pyproject.toml or a file of its own).

    A file other than pyproject.toml holds the section's keys at its top level. Returns the
    section (empty when absent) and the file it came from.
    """
    if path is not None:
        if not path.is_file():
            raise FixturekitError(f"Configuration file {path} does not exist.")
        data = read_toml(path)
        if path.name != "pyproject.toml":
            return data, path
    else:
        path = find_pyproject()
        if path is None:
            return {}, None
        data = read_toml(path)
    node: Any = data.get("tool", {}).get("fixturekit", {})
    for part in section.split(".") if section else ():
        node = node.get(part, {}) if isinstance(node, dict) else {}
    if not isinstance(node, dict):
        raise FixturekitError(f"[tool.fixturekit.{section}] in {path} must be a table.")
    return node, path
