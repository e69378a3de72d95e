"""The environment of a child process running one of the tests' Django projects on the test's
PostgreSQL database: the project's settings read `<PREFIX>_PG_NAME`/`_HOST`/`_PORT`/`_USER`.

Django can be set up once per process, so each project runs in a child with its own settings;
variables of the parent's Django, project, fixturekit or xdist are left out.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL


def child_env(url: URL, settings: str, project: Path, prefix: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", f"{prefix}_", "FIXTUREKIT_", "PYTEST_XDIST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        PYTHONPATH=str(project),
        **{
            f"{prefix}_PG_NAME": url.database or "",
            f"{prefix}_PG_HOST": url.host or "127.0.0.1",
            f"{prefix}_PG_PORT": str(url.port or 5432),
            f"{prefix}_PG_USER": url.username or "postgres",
        },
        **{f"{prefix}_{name}": value for name, value in extra.items()},
    )
    return env
