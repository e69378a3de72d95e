"""Real-world corpus: fixturekit on SQLAlchemy and Django applications nobody here wrote.

    make corpus                                # every package
    python benchmarks/corpus.py --only optuna --only taggit --rows 100 --json out.json
    python benchmarks/corpus.py --fixturekit /path/to/other/checkout   # test another checkout

For each package (pinned, installed from PyPI into its own venv under `.corpus/`, git-ignored):

1. list its models (tables) — the denominator;
2. `python -m fixturekit generate TARGET -o factories.py`, through the CLI as a user runs it, and
   again with `--verify` when `generate --help` offers it;
3. build the schema on a scratch PostgreSQL database (`metadata.create_all`, or Django's
   `migrate --run-syncdb`), created and dropped by this script;
4. with every factory: create 1 row, then `--rows` rows (default 100), each factory in its own
   transaction, rolled back.

A model passes when its factory exists and both creates succeed. The figures are printed per
package and in total, with every failure (model, column, first line of the error).

fixturekit is not installed in the venvs: the checkout's `src/` goes first on PYTHONPATH, so the
code under test is the working tree's, and `--fixturekit` points at another checkout without
reinstalling anything.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "corpus_runner.py"
PG_SERVER = os.environ.get("CORPUS_PG", "postgresql://postgres@127.0.0.1:5432")
FIXTUREKIT_DEPS = ["factory_boy>=3.3", "Faker>=25", "click>=8.1", "rich>=13", "numpy>=1.26"]
PSYCOPG = "psycopg[binary]>=3.1"
MARKER = "@@corpus-json@@"


@dataclass
class Package:
    name: str
    kind: str  # "sqlalchemy" or "django"
    requirements: list[str]
    targets: list[str]  # SQLAlchemy model specs, or Django app labels
    glue: str = ""  # a module `corpus_glue` for models that need a few lines to exist
    installed_apps: list[str] = field(default_factory=list)  # Django: besides contrib
    settings_extra: str = ""
    # Python run with `engine` bound, for schemas that only their migrations build correctly
    schema_code: str = ""
    # a module `corpus_app` and environment variables: the project set up as its own test
    # configuration sets it up (FLASK_APP naming a test app, as a conftest would create it)
    app_code: str = ""
    env: dict[str, str] = field(default_factory=dict)


DJANGO_CONTRIB = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.admin",
    "django.contrib.staticfiles",
]

PACKAGES: list[Package] = [
    # --- SQLAlchemy -------------------------------------------------------------------------
    Package(
        "optuna",
        "sqlalchemy",
        ["optuna==5.0.0"],
        ["optuna.storages._rdb.models"],
    ),
    Package(
        "mlflow",
        "sqlalchemy",
        ["mlflow-skinny==3.17.2", "sqlalchemy<2.1", "alembic"],
        ["corpus_glue"],
        glue=(
            "import mlflow.store.tracking.dbmodels.models  # noqa: F401\n"
            "import mlflow.store.model_registry.dbmodels.models  # noqa: F401\n"
            "from mlflow.store.db.base_sql_model import Base\n"
        ),
        # create_all cannot build mlflow's schema on PostgreSQL (an FK to a non-unique
        # column): mlflow builds it with its Alembic migrations, as here.
        schema_code=(
            "from mlflow.store.db.utils import _initialize_tables\n_initialize_tables(engine)\n"
        ),
    ),
    Package("jupyterhub", "sqlalchemy", ["jupyterhub==6.1.1"], ["jupyterhub.orm"]),
    Package(
        "celery",
        "sqlalchemy",
        ["celery==5.7.0", "sqlalchemy"],
        ["celery.backends.database.models"],
    ),
    Package(
        "flask-appbuilder",
        "sqlalchemy",
        ["Flask-AppBuilder==5.3.0"],
        ["flask_appbuilder.security.sqla.models"],
    ),
    Package(
        "fastapi-users",
        "sqlalchemy",
        ["fastapi-users-db-sqlalchemy==7.0.0"],
        ["corpus_glue"],
        # The package ships mixins: these are the concrete classes its documentation writes.
        glue=(
            "from fastapi_users_db_sqlalchemy import (\n"
            "    SQLAlchemyBaseOAuthAccountTableUUID, SQLAlchemyBaseUserTableUUID)\n"
            "from fastapi_users_db_sqlalchemy.access_token import (\n"
            "    SQLAlchemyBaseAccessTokenTableUUID)\n"
            "from sqlalchemy.orm import DeclarativeBase, Mapped, relationship\n\n"
            "class Base(DeclarativeBase):\n    pass\n\n"
            "class OAuthAccount(SQLAlchemyBaseOAuthAccountTableUUID, Base):\n    pass\n\n"
            "class User(SQLAlchemyBaseUserTableUUID, Base):\n"
            "    oauth_accounts: Mapped[list[OAuthAccount]] = relationship(lazy='joined')\n\n"
            "class AccessToken(SQLAlchemyBaseAccessTokenTableUUID, Base):\n    pass\n"
        ),
    ),
    Package(
        "sqlalchemy-celery-beat",
        "sqlalchemy",
        ["sqlalchemy-celery-beat==0.9.1"],
        ["sqlalchemy_celery_beat.models"],
    ),
    Package("ihatemoney", "sqlalchemy", ["ihatemoney==7.2.1"], ["ihatemoney.models"]),
    Package(
        "privacyidea",
        "sqlalchemy",
        ["privacyidea==3.14"],
        ["privacyidea.models"],
        # Token() encrypts its key with the file PI_ENCFILE names: the app in its testing
        # configuration with a key file of its own, as privacyidea's tests set it up
        app_code=(
            "import os\n"
            "from privacyidea.app import create_app\n\n"
            "KEY = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'enckey')\n"
            "if not os.path.exists(KEY):\n"
            "    with open(KEY, 'wb') as out:\n"
            "        out.write(os.urandom(96))\n"
            "app = create_app('testing', '', silent=True)\n"
            "app.config['PI_ENCFILE'] = KEY\n"
        ),
        env={"FLASK_APP": "corpus_app:app"},
    ),
    Package(
        "buildbot",
        "sqlalchemy",
        ["buildbot==4.3.0"],
        ["corpus_glue"],
        glue="from buildbot.db.model import Model\n\nmetadata = Model.metadata\n",
    ),
    Package(
        "dagster",
        "sqlalchemy",
        ["dagster==1.13.28"],
        [
            "dagster._core.storage.runs.schema:RunStorageSqlMetadata",
            "dagster._core.storage.event_log.schema:SqlEventLogStorageMetadata",
            "dagster._core.storage.schedules.schema:ScheduleStorageSqlMetadata",
        ],
    ),
    # --- Django -----------------------------------------------------------------------------
    Package(
        "django-taggit", "django", ["django-taggit==6.1.0"], ["taggit"], installed_apps=["taggit"]
    ),
    Package(
        "django-allauth",
        "django",
        ["django-allauth[mfa]==65.21.1"],
        ["account", "socialaccount", "mfa", "usersessions"],
        installed_apps=[
            "allauth",
            "allauth.account",
            "allauth.socialaccount",
            "allauth.mfa",
            "allauth.usersessions",
        ],
        settings_extra="MIDDLEWARE += ['allauth.account.middleware.AccountMiddleware']\n",
    ),
    Package(
        "django-oauth-toolkit",
        "django",
        ["django-oauth-toolkit==3.4.1"],
        ["oauth2_provider"],
        installed_apps=["oauth2_provider"],
    ),
    Package(
        "django-celery-beat",
        "django",
        ["django-celery-beat==2.9.0"],
        ["django_celery_beat"],
        installed_apps=["django_celery_beat"],
    ),
    Package(
        "django-celery-results",
        "django",
        ["django-celery-results==2.6.0"],
        ["django_celery_results"],
        installed_apps=["django_celery_results"],
    ),
    Package(
        "django-guardian",
        "django",
        ["django-guardian==3.5.2"],
        ["guardian"],
        installed_apps=["guardian"],
    ),
    Package(
        "django-filer",
        "django",
        ["django-filer==3.6.0"],
        ["filer", "easy_thumbnails"],
        installed_apps=["easy_thumbnails", "filer"],
    ),
    Package(
        "django-reversion",
        "django",
        ["django-reversion==6.4.0"],
        ["reversion"],
        installed_apps=["reversion"],
    ),
    Package(
        "django-otp",
        "django",
        ["django-otp==1.7.5"],
        ["otp_totp", "otp_hotp", "otp_static", "otp_email"],
        installed_apps=[
            "django_otp",
            "django_otp.plugins.otp_totp",
            "django_otp.plugins.otp_hotp",
            "django_otp.plugins.otp_static",
            "django_otp.plugins.otp_email",
        ],
    ),
    Package(
        "django-waffle",
        "django",
        ["django-waffle==5.0.0"],
        ["waffle"],
        installed_apps=["waffle"],
    ),
    Package(
        "wagtail",
        "django",
        ["wagtail==8.0.1"],
        [
            "wagtailcore",
            "wagtailimages",
            "wagtaildocs",
            "wagtailforms",
            "wagtailredirects",
            "wagtailusers",
            "wagtailembeds",
            "wagtailsearch",
            "wagtailadmin",
            "taggit",
        ],
        installed_apps=[
            "wagtail.contrib.forms",
            "wagtail.contrib.redirects",
            "wagtail.embeds",
            "wagtail.sites",
            "wagtail.users",
            "wagtail.snippets",
            "wagtail.documents",
            "wagtail.images",
            "wagtail.search",
            "wagtail.admin",
            "wagtail",
            "modelcluster",
            "taggit",
        ],
        settings_extra="WAGTAIL_SITE_NAME = 'corpus'\nWAGTAILADMIN_BASE_URL = 'http://localhost'\n",
    ),
]

SETTINGS_TEMPLATE = """\
import os
from urllib.parse import urlsplit

_url = urlsplit(os.environ["CORPUS_DATABASE_URL"])
SECRET_KEY = "corpus-not-secret"
DEBUG = False
USE_TZ = True
SITE_ID = 1
ROOT_URLCONF = "corpus_urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = {apps!r}
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {{"context_processors": ["django.template.context_processors.request"]}}}}]
DATABASES = {{"default": {{
    "ENGINE": "django.db.backends.postgresql",
    "NAME": _url.path.lstrip("/"),
    "USER": _url.username or "postgres",
    "HOST": _url.hostname,
    "PORT": _url.port or 5432,
}}}}
# as test settings usually do: django-oauth-toolkit hashes client secrets on save
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_URL = "/static/"
MEDIA_ROOT = os.path.join(os.path.dirname(__file__), "media")
{extra}
"""


# --- environment ------------------------------------------------------------------------------


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(package: Package, cache: Path, log) -> Path:
    """The package's own venv, installed once per requirement set (fixturekit's dependencies
    too; fixturekit itself comes from the checkout under test, on PYTHONPATH)."""
    venv = cache / "venvs" / package.name
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{package.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two harness runs never install into one venv at once
        return _ensure_venv_locked(package, venv, log)


def _ensure_venv_locked(package: Package, venv: Path, log) -> Path:
    requirements = [*package.requirements, *FIXTUREKIT_DEPS, PSYCOPG]
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:16]
    stamp = venv / ".corpus-installed"
    python = _venv_python(venv)
    if not (stamp.exists() and stamp.read_text() == digest):
        if venv.exists():
            shutil.rmtree(venv)
        log(f"  installing {' '.join(package.requirements)} into {venv} ...")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *requirements],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pip install failed: {done.stderr.strip().splitlines()[-1:]}")
        stamp.write_text(digest)
    return python


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def sqlalchemy_url(database: str) -> str:
    return f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://', 1)}/{database}"


# --- one package ------------------------------------------------------------------------------


@dataclass
class Step:
    ok: bool
    seconds: float
    output: str
    document: dict[str, Any]


def run_step(python: Path, args: list[str], cwd: Path, env: dict, timeout: int) -> Step:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [str(python), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = done.stdout + done.stderr
        ok = done.returncode == 0
    except subprocess.TimeoutExpired as exc:
        output = f"timed out after {timeout} s\n{exc.stdout or ''}{exc.stderr or ''}"
        ok = False
    document: dict[str, Any] = {}
    if MARKER in output:
        raw = output.rsplit(MARKER, 1)[1].strip().splitlines()[0]
        document = json.loads(raw)
        ok = ok and document.get("ok", False)
    return Step(ok, time.perf_counter() - start, output, document)


def _last_error_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip() and MARKER not in line]
    for line in reversed(lines):
        if re.match(r"^(error|[\w.]*(Error|Exception)\b)", line, re.IGNORECASE) or "✗" in line:
            return line[:300]
    return (lines[-1] if lines else "no output")[:300]


# What --verify needs besides the package: a project's test environment has pytest, and
# fixturekit installed there brings SQLAlchemy (its engine runs the verification database, for
# Django too). Installed on demand, outside the venv's requirement digest, so adding one never
# reinstalls a venv another run shares.
VERIFY_DEPS = {"pytest": "pytest", "sqlalchemy": "SQLAlchemy>=2.0,<2.2"}


def ensure_verify_deps(package: Package, cache: Path, python: Path, log) -> None:
    with open(cache / "venvs" / f"{package.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the venv is shared with concurrent runs
        for module, requirement in VERIFY_DEPS.items():
            missing = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)
            if missing.returncode:
                log(f"  installing {requirement} for --verify ...")
                subprocess.run([str(python), "-m", "pip", "install", "-q", requirement], check=True)


def supports_verify(python: Path, cwd: Path, env: dict) -> bool:
    done = subprocess.run(
        [str(python), "-m", "fixturekit", "generate", "--help"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    return "--verify" in done.stdout


def generate_args(package: Package, output: str, verify: bool) -> list[str]:
    args = ["-m", "fixturekit", "generate"]
    if package.kind == "django":
        args += ["--django", *package.targets, "--settings", "corpus_settings"]
    args += ["-o", output, "--force"]
    if verify:
        args.append("--verify")
    return args


def run_package(package: Package, opts: argparse.Namespace, log) -> dict[str, Any]:
    cache = opts.cache
    report: dict[str, Any] = {"package": package.name, "kind": package.kind}
    started = time.perf_counter()
    try:
        python = ensure_venv(package, cache, log)
    except Exception as exc:
        report["error"] = f"install: {exc}"
        return report
    work = (opts.work or cache / "work") / package.name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    if package.glue:
        (work / "corpus_glue.py").write_text(package.glue)
    if package.schema_code:
        (work / "corpus_schema.py").write_text(package.schema_code)
    if package.app_code:
        (work / "corpus_app.py").write_text(package.app_code)
    database = f"fixturekit_corpus_{re.sub(r'[^a-z0-9]', '_', package.name)}_{uuid.uuid4().hex[:8]}"
    url = sqlalchemy_url(database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(
        CORPUS_DATABASE_URL=url,
        FIXTUREKIT_DATABASE_URL=sqlalchemy_url("postgres"),
        # the checkout under test comes first, before anything installed in the venv
        PYTHONPATH=f"{work}{os.pathsep}{opts.fixturekit / 'src'}",
        **package.env,
    )
    if package.kind == "django":
        apps = [*DJANGO_CONTRIB, *package.installed_apps]
        (work / "corpus_settings.py").write_text(
            SETTINGS_TEMPLATE.format(apps=apps, extra=package.settings_extra)
        )
        (work / "corpus_urls.py").write_text("urlpatterns = []\n")
        env["DJANGO_SETTINGS_MODULE"] = "corpus_settings"
    runner = [str(RUNNER)]
    targets = package.targets

    models = run_step(python, [*runner, "models", package.kind, *targets], work, env, 300)
    if not models.ok:
        report["error"] = (
            f"models: {models.document.get('error') or _last_error_line(models.output)}"
        )
        return report
    report["models"] = models.document["models"]

    pg_admin(f'CREATE DATABASE "{database}"')
    try:
        schema = run_step(python, [*runner, "schema", package.kind, url, *targets], work, env, 600)
        if not schema.ok:
            report["error"] = (
                f"schema: {schema.document.get('error') or _last_error_line(schema.output)}"
            )
            return report
        modes = ["plain"]
        if not opts.no_verify and supports_verify(python, work, env):
            modes.append("verify")
            ensure_verify_deps(package, cache, python, log)
        report["modes"] = {}
        for mode in modes:
            report["modes"][mode] = run_mode(package, mode, python, work, env, url, opts)
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def run_mode(package, mode, python, work, env, url, opts) -> dict[str, Any]:
    """Generate (one factories file per target), then create rows with every factory."""
    outcome: dict[str, Any] = {"generate": [], "results": {}}
    groups = [package.targets] if package.kind == "django" else [[t] for t in package.targets]
    for index, group in enumerate(groups):
        module_name = f"factories_{mode}_{index}"
        args = generate_args(
            Package(package.name, package.kind, [], group), f"{module_name}.py", mode == "verify"
        )
        if package.kind == "sqlalchemy":
            args.insert(3, group[0])
        gen = run_step(python, args, work, env, opts.timeout)
        (work / f"{module_name}.log").write_text(gen.output)
        outcome["generate"].append(
            {
                "targets": group,
                "ok": gen.ok,
                "seconds": round(gen.seconds, 1),
                "error": None if gen.ok else _last_error_line(gen.output),
                "flagged": _flagged(gen.output),
            }
        )
        if not gen.ok:
            continue
        rows = run_step(
            python,
            [*map(str, [RUNNER, "rows", package.kind, url, module_name, opts.rows]), *group],
            work,
            env,
            opts.timeout,
        )
        (work / f"{module_name}.rows.log").write_text(rows.output)
        if not rows.ok:
            error = rows.document.get("error") or _last_error_line(rows.output)
            outcome["generate"][-1]["rows_error"] = error
            continue
        for table, result in rows.document["results"].items():
            outcome["results"].setdefault(table, result)
    return outcome


def _flagged(output: str) -> int:
    match = re.search(r"(\d+) flagged", output)
    return int(match.group(1)) if match else 0


# --- figures ----------------------------------------------------------------------------------


def score(report: dict[str, Any], mode: str) -> tuple[int, int, list[dict[str, Any]]]:
    """(passed, total, failures) for one package in one mode."""
    models = report.get("models") or []
    if "error" in report or mode not in report.get("modes", {}):
        failure = {"model": "*", "error": report.get("error", f"{mode} not run")}
        return 0, max(len(models), 1), [failure]
    outcome = report["modes"][mode]
    failures: list[dict[str, Any]] = []
    file_errors = [g for g in outcome["generate"] if not g["ok"] or g.get("rows_error")]
    for g in file_errors:
        failures.append(
            {
                "model": "*",
                "column": "",
                "error": ("generate: " + g["error"])
                if not g["ok"]
                else ("factories module: " + g["rows_error"]),
            }
        )
    passed = 0
    for name in models:
        result = outcome["results"].get(name)
        if result is None:
            if not file_errors:
                failures.append({"model": name, "column": "", "error": "no factory generated"})
            continue
        if result.get("ok"):
            passed += 1
        else:
            failures.append(
                {
                    "model": name,
                    "column": result.get("column") or result.get("constraint") or "",
                    "error": f"{result.get('step')}: {result.get('error')}",
                    "where": result.get("where", ""),
                }
            )
    return passed, len(models), failures


def print_summary(reports: list[dict[str, Any]], out=print) -> dict[str, Any]:
    modes = ["plain", "verify"]
    verify_seen = any("verify" in r.get("modes", {}) for r in reports)
    if not verify_seen:
        modes = ["plain"]
    totals = {m: [0, 0] for m in modes}
    header = f"{'package':<24} {'kind':<10} {'models':>6} " + " ".join(
        f"{m + ' pass':>16}" for m in modes
    )
    out(header)
    out("-" * len(header))
    summary: dict[str, Any] = {"packages": {}, "failures": []}
    for report in reports:
        cells = []
        for mode in modes:
            passed, total, failures = score(report, mode)
            totals[mode][0] += passed
            totals[mode][1] += total
            share = 100.0 * passed / total if total else 0.0
            cells.append(f"{passed:>4}/{total:<4} {share:5.1f}%")
            summary["packages"].setdefault(report["package"], {})[mode] = {
                "passed": passed,
                "total": total,
            }
            for failure in failures:
                summary["failures"].append({"package": report["package"], "mode": mode, **failure})
        models = len(report.get("models") or [])
        out(f"{report['package']:<24} {report['kind']:<10} {models:>6} " + " ".join(cells))
    out("-" * len(header))
    cells = []
    for mode in modes:
        passed, total = totals[mode]
        cells.append(f"{passed:>4}/{total:<4} {100.0 * passed / max(total, 1):5.1f}%")
        summary.setdefault("total", {})[mode] = {"passed": passed, "total": total}
    out(f"{'TOTAL':<24} {'':<10} {'':>6} " + " ".join(cells))
    out("")
    out("Failures (package [mode] model.column: error):")
    for failure in summary["failures"]:
        column = f".{failure['column']}" if failure.get("column") else ""
        where = f"{failure['package']} [{failure['mode']}] {failure['model']}{column}"
        out(f"  {where}: {failure['error']}")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", action="append", default=[], help="a package (repeatable)")
    parser.add_argument("--rows", type=int, default=100, help="rows per factory after the first")
    parser.add_argument("--json", type=Path, help="write every result to this JSON file")
    parser.add_argument("--cache", type=Path, default=REPO / ".corpus", help="venvs and work dirs")
    parser.add_argument("--work", type=Path, help="work dirs (default: CACHE/work)")
    parser.add_argument("--fixturekit", type=Path, default=REPO, help="the checkout to test")
    parser.add_argument("--no-verify", action="store_true", help="skip the --verify pass")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per step")
    parser.add_argument("--list", action="store_true", help="list the packages and exit")
    parser.add_argument(
        "--summarize",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="print the figures of earlier --json runs (a later file wins for a package)",
    )
    parser.add_argument(
        "--install-only", action="store_true", help="install the venvs, run nothing"
    )
    opts = parser.parse_args(argv)
    # a stopped run still kills its child and drops its scratch database (the finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    opts.cache = opts.cache.resolve()
    opts.fixturekit = opts.fixturekit.resolve()
    opts.work = opts.work.resolve() if opts.work else None
    if opts.summarize:
        merged: dict[str, dict[str, Any]] = {}
        for path in opts.summarize:
            for report in json.loads(path.read_text())["reports"]:
                merged[report["package"]] = report
        order = {p.name: i for i, p in enumerate(PACKAGES)}
        print_summary(sorted(merged.values(), key=lambda r: order.get(r["package"], 99)))
        return 0
    if opts.list:
        for p in PACKAGES:
            print(f"{p.name:<24} {p.kind:<10} {' '.join(p.requirements)}")
        return 0
    chosen = [p for p in PACKAGES if not opts.only or p.name in opts.only]
    unknown = set(opts.only) - {p.name for p in PACKAGES}
    if unknown:
        print(f"Unknown package(s): {', '.join(sorted(unknown))}; see --list.", file=sys.stderr)
        return 2

    def log(text: str) -> None:
        print(text, flush=True)

    if opts.install_only:
        for package in chosen:
            log(f"{package.name} ...")
            ensure_venv(package, opts.cache, log)
        return 0

    reports = []
    for package in chosen:
        log(f"{package.name} ...")
        report = run_package(package, opts, log)
        reports.append(report)
        for mode in report.get("modes", {}) or ["plain"]:
            passed, total, _ = score(report, mode)
            log(f"  {mode}: {passed}/{total} models pass ({report.get('seconds', 0)} s)")
        if report.get("error"):
            log(f"  error: {report['error']}")
    print()
    summary = print_summary(reports)
    if opts.json:
        opts.json.write_text(json.dumps({"summary": summary, "reports": reports}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
