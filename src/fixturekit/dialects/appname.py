"""The name fixturekit's own connections give the server, so an operator can find and end them.

PostgreSQL shows it as `pg_stat_activity.application_name`; MySQL and MariaDB receive it as the
`program_name` connection attribute (visible in `performance_schema.session_connect_attrs` when
the performance schema is on). SQLite has no server to tell. A name the user put in the URL
(`?application_name=...`) is kept as it is.
"""

from __future__ import annotations

from typing import Any

_command = "fixturekit"


def set_command(name: str | None) -> None:
    """Set once per process: by the CLI (`seed`, `load`, `generate`...), the plugin (`test`)."""
    global _command
    _command = f"fixturekit {name}" if name else "fixturekit"


def application_name() -> str:
    return _command


def connect_args(url: Any) -> dict[str, Any]:
    """`create_engine(..., connect_args=...)` that name the connection on `url`'s server."""
    if "application_name" in url.query or "program_name" in url.query:
        return {}
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend == "postgresql":
        if driver == "asyncpg":
            return {"server_settings": {"application_name": _command}}
        return {"application_name": _command}
    if backend in ("mysql", "mariadb") and driver == "pymysql":
        return {"program_name": _command}
    return {}
