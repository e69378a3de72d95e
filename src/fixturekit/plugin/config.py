"""Plugin settings: command-line options, ini keys and the URL environment variable.

Precedence for each setting is command line, then environment (URL only), then ini. Reading the
settings never connects to anything; only values that can be checked without a server (mode
names, URL syntax, dialect) are validated here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

ENV_URL = "FIXTUREKIT_DATABASE_URL"
# A suite's own tests/factories.py, and where `fixturekit init` puts ours next to one.
DEFAULT_FACTORIES = ["tests/factories.py", "tests/fixturekit_factories.py"]
DEFAULT_LOCK_TIMEOUT = 5.0


class Isolation(StrEnum):
    SAVEPOINT = "savepoint"
    TRANSACTION = "transaction"
    TRUNCATE = "truncate"
    FRESH_DB = "fresh-db"


# name -> (help, type, default) for parser.addini
_INI: dict[str, tuple[str, str, Any]] = {
    "fixturekit_url": (
        "fixturekit: database URL the test databases are created next to",
        "string",
        "",
    ),
    "fixturekit_models": (
        "fixturekit: models (app/models.py, app.models, either with :Base)",
        "string",
        "",
    ),
    "fixturekit_factories": ("fixturekit: factory modules bound to db_session", "linelist", []),
    "fixturekit_isolation": (
        "fixturekit: savepoint | transaction | truncate | fresh-db",
        "string",
        "",
    ),
    "fixturekit_server": (
        "fixturekit: 'ephemeral' for a throwaway PostgreSQL server",
        "string",
        "",
    ),
    "fixturekit_alembic": (
        "fixturekit: alembic.ini to build the schema with upgrade head",
        "string",
        "",
    ),
    "fixturekit_leak_check": (
        "fixturekit: check after each test that no rows escaped",
        "bool",
        True,
    ),
    "fixturekit_lock_timeout": (
        "fixturekit: seconds a statement may wait for a lock",
        "string",
        "",
    ),
    "fixturekit_register_fixtures": (
        "fixturekit: add <model>_factory and <model> fixtures",
        "bool",
        False,
    ),
    "fixturekit_seed": (
        "fixturekit: random seed of every run (default: a new one each run, printed)",
        "string",
        "",
    ),
    "fixturekit_keep_template": (
        "fixturekit: keep the built template across runs, reused while its fingerprint matches",
        "bool",
        False,
    ),
    "fixturekit_server_cache": (
        "fixturekit: folder where the ephemeral server keeps its data between runs",
        "string",
        "",
    ),
}


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("fixturekit", "fixturekit database fixtures")
    group.addoption(
        "--fixturekit-url",
        default=None,
        metavar="URL",
        help=f"database URL to create test databases next to (env {ENV_URL}, "
        "ini fixturekit_url). The named database itself is never written to.",
    )
    group.addoption(
        "--fixturekit-models",
        default=None,
        metavar="MODELS",
        help="models to build the schema from: app/models.py or app.models[:Base]",
    )
    group.addoption(
        "--fixturekit-isolation",
        default=None,
        choices=[m.value for m in Isolation],
        help="how db_session isolates tests (default: savepoint)",
    )
    group.addoption(
        "--fixturekit-server",
        default=None,
        choices=["ephemeral"],
        help="start a throwaway PostgreSQL server for this run",
    )
    group.addoption(
        "--fixturekit-alembic",
        default=None,
        metavar="ALEMBIC_INI",
        help="build the schema with 'alembic upgrade head' from this config",
    )
    group.addoption(
        "--fixturekit-no-leak-check",
        action="store_true",
        default=False,
        help="do not check after each test that no rows escaped isolation",
    )
    group.addoption(
        "--fixturekit-keep-template",
        action="store_true",
        default=False,
        help="keep the template database across runs; a later run reuses it while the models "
        "or migrations, fixturekit version and options are unchanged (ini "
        "fixturekit_keep_template)",
    )
    group.addoption(
        "--fixturekit-rebuild",
        action="store_true",
        default=False,
        help="rebuild the kept template even if its fingerprint matches",
    )
    group.addoption(
        "--fixturekit-server-cache",
        default=None,
        metavar="DIR",
        help="keep the ephemeral server's data directory in DIR between runs (ini "
        "fixturekit_server_cache)",
    )
    group.addoption(
        "--fixturekit-seed",
        default=None,
        type=int,
        metavar="N",
        help="replay a run: the random seed factories are reseeded from before each test "
        "(printed in the header and with each failure; ini fixturekit_seed)",
    )
    for name, (help_text, kind, default) in _INI.items():
        parser.addini(name, help_text, type=kind, default=default)


@dataclass
class Settings:
    url: str | None = None
    url_source: str = ""  # which setting the URL came from, for error messages
    models: str | None = None
    factories: list[str] = field(default_factory=list)
    factories_explicit: bool = False
    isolation: Isolation = Isolation.SAVEPOINT
    server: str | None = None
    alembic: str | None = None
    leak_check: bool = True
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    register_fixtures: bool = False
    seed: int = 0
    keep_template: bool = False
    rebuild: bool = False
    server_cache: Path | None = None
    rootdir: Path = field(default_factory=Path.cwd)
    configured: bool = False  # the user set at least one fixturekit setting


def _ini(config: pytest.Config, name: str) -> Any:
    return config.getini(name)


def _ini_is_set(config: pytest.Config, name: str) -> bool:
    # pytest offers no public "was this key given" test; a value other than the default is.
    return config.getini(name) != _INI[name][2]


def read_settings(config: pytest.Config) -> Settings:
    """Resolve every setting; raise pytest.UsageError naming the setting that is wrong."""
    option = config.option
    settings = Settings(rootdir=Path(str(config.rootpath)))
    explicit = [name for name in _INI if _ini_is_set(config, name)]

    if option.fixturekit_url:
        settings.url, settings.url_source = option.fixturekit_url, "--fixturekit-url"
    elif os.environ.get(ENV_URL):
        settings.url, settings.url_source = os.environ[ENV_URL], f"the {ENV_URL} variable"
    elif _ini(config, "fixturekit_url"):
        settings.url, settings.url_source = _ini(config, "fixturekit_url"), "ini fixturekit_url"

    settings.models = option.fixturekit_models or _ini(config, "fixturekit_models") or None
    factories = _ini(config, "fixturekit_factories")
    settings.factories_explicit = bool(factories)
    settings.factories = list(factories) or list(DEFAULT_FACTORIES)

    mode = option.fixturekit_isolation or _ini(config, "fixturekit_isolation") or "savepoint"
    try:
        settings.isolation = Isolation(mode.strip())
    except ValueError:
        raise pytest.UsageError(
            f"fixturekit: ini fixturekit_isolation = {mode!r} is not one of "
            + ", ".join(m.value for m in Isolation)
            + "."
        ) from None

    server = option.fixturekit_server or _ini(config, "fixturekit_server") or None
    if server not in (None, "ephemeral"):
        raise pytest.UsageError(
            f"fixturekit: ini fixturekit_server = {server!r}; the only server fixturekit can "
            "start is 'ephemeral'."
        )
    settings.server = server
    settings.alembic = option.fixturekit_alembic or _ini(config, "fixturekit_alembic") or None
    settings.leak_check = bool(_ini(config, "fixturekit_leak_check")) and not (
        option.fixturekit_no_leak_check
    )
    settings.register_fixtures = bool(_ini(config, "fixturekit_register_fixtures"))
    settings.rebuild = bool(option.fixturekit_rebuild)
    settings.keep_template = settings.rebuild or bool(
        option.fixturekit_keep_template or _ini(config, "fixturekit_keep_template")
    )
    cache = option.fixturekit_server_cache or _ini(config, "fixturekit_server_cache")
    if cache:
        settings.server_cache = (settings.rootdir / cache).resolve()

    timeout = _ini(config, "fixturekit_lock_timeout")
    if timeout:
        try:
            settings.lock_timeout = float(timeout)
            if settings.lock_timeout <= 0:
                raise ValueError
        except ValueError:
            raise pytest.UsageError(
                f"fixturekit: ini fixturekit_lock_timeout = {timeout!r} must be a positive "
                "number of seconds."
            ) from None
    seed = option.fixturekit_seed
    if seed is None:
        seed = str(_ini(config, "fixturekit_seed") or "").strip() or "0"
    try:
        # Declared scenarios draw their row counts from the seed given (0 when none is): their
        # shape stays put run after run while the factory values follow the run's seed.
        settings.seed = int(seed)
    except ValueError:
        raise pytest.UsageError(
            f"fixturekit: ini fixturekit_seed = {seed!r} is not an integer."
        ) from None

    settings.configured = bool(
        explicit
        or settings.url
        or option.fixturekit_models
        or option.fixturekit_isolation
        or option.fixturekit_server
        or option.fixturekit_alembic
        or option.fixturekit_keep_template
        or option.fixturekit_rebuild
    )
    if settings.url:
        check_url(settings.url, settings.url_source)
    if settings.server_cache and settings.server != "ephemeral":
        raise pytest.UsageError(
            "fixturekit: a server cache folder (--fixturekit-server-cache / ini "
            "fixturekit_server_cache) is only used with --fixturekit-server=ephemeral."
        )
    if settings.url and settings.server:
        raise pytest.UsageError(
            f"fixturekit: both a URL ({settings.url_source}) and --fixturekit-server=ephemeral "
            "are set; choose one."
        )
    return settings


def check_url(raw: str, source: str) -> Any:
    """Parse the URL and check its dialect and driver without connecting."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from fixturekit.dialects import SUPPORTED

    try:
        url = make_url(raw)
    except ArgumentError:
        raise pytest.UsageError(
            f"fixturekit: {source} is not a database URL (expected e.g. "
            "postgresql+psycopg://user@localhost/app)."
        ) from None
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() not in ("postgresql", "mysql", "mariadb", "sqlite"):
        raise pytest.UsageError(
            f"fixturekit: {source} = {shown} names a {url.get_backend_name()!r} database; "
            f"fixturekit runs tests on {SUPPORTED}."
        )
    try:
        url.get_dialect()
    except (NoSuchModuleError, ImportError) as exc:
        raise pytest.UsageError(
            f"fixturekit: {source} = {shown}: the driver is not installed ({exc}). Install it "
            "or name an installed one, e.g. postgresql+psycopg:// or mysql+pymysql://."
        ) from None
    try:
        url.get_dialect().import_dbapi()
    except ImportError as exc:
        raise pytest.UsageError(
            f"fixturekit: {source} = {shown}: the driver is not installed ({exc}). Install it "
            "or name an installed one, e.g. postgresql+psycopg:// or mysql+pymysql://."
        ) from None
    return url
