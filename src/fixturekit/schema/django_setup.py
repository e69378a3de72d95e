"""Setting Django up for fixturekit, and choosing the apps whose models it reads."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError


def setup_django(settings: str | None = None, root: str | Path | None = None) -> None:
    """Configure Django from `settings` (a module path) or DJANGO_SETTINGS_MODULE, once.

    `root` (default: the current directory) goes on sys.path, as `manage.py` puts its folder.
    """
    import django
    from django.apps import apps
    from django.conf import settings as django_settings

    folder = str(Path(root or Path.cwd()).resolve())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    if apps.ready:
        current = os.environ.get("DJANGO_SETTINGS_MODULE")
        if settings and current and settings != current:
            raise FixturekitError(
                f"Django is already set up with {current}; cannot switch to {settings} in the "
                "same process.",
                hint="Run fixturekit in a separate process for each settings module.",
            )
        return
    if settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings
    module = os.environ.get("DJANGO_SETTINGS_MODULE")
    if not module and not django_settings.configured:
        raise FixturekitError(
            "Django settings are not set.",
            hint="Set DJANGO_SETTINGS_MODULE (e.g. myproject.settings) or pass --settings, and "
            "run from the folder that holds manage.py.",
        )
    try:
        django.setup()
    except ModuleNotFoundError as exc:
        raise FixturekitError(
            f"Django settings {module} could not be loaded: no module named {exc.name!r}.",
            hint="Run from the project folder (where manage.py is) or fix the module path; an "
            "installed app that is missing must be installed.",
        ) from None
    except Exception as exc:
        raise FixturekitError(
            f"Django settings {module} could not be loaded: {type(exc).__name__}: {exc}",
            hint="`python manage.py check` shows the same problem with more detail.",
        ) from None


def _is_project_app(config: Any) -> bool:
    """Not Django's own apps and not third-party packages installed into site-packages."""
    if config.name.startswith("django."):
        return False
    path = str(getattr(config, "path", ""))
    return "site-packages" not in path and "dist-packages" not in path


def selected_apps(app_labels: Sequence[str] | None) -> list[Any]:
    from django.apps import apps

    if not app_labels:
        return [c for c in apps.get_app_configs() if _is_project_app(c)]
    configs = []
    for label in app_labels:
        try:
            configs.append(apps.get_app_config(label))
        except LookupError:
            known = ", ".join(sorted(c.label for c in apps.get_app_configs()))
            raise FixturekitError(
                f"No installed Django app with the label {label!r}.",
                hint=f"Installed app labels: {known}.",
            ) from None
    return configs
