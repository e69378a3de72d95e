"""`fixturekit init MODELS`: a working test setup in an existing project.

Writes `tests/factories.py` (through `fixturekit generate`), `tests/conftest.py` (settings
explained, the project root on the import path, an example scenario) and `tests/test_fixtures.py`
(a smoke test: every factory makes a valid row, and nothing is left once the test is over).
A file that exists is kept unless `--force` is given; for an existing conftest the lines to add
are printed instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from fixturekit.cli import cli
from fixturekit.schema.model import RelationKind, Schema

CONFTEST = '''"""Test configuration written by `fixturekit init {models}`.

fixturekit's pytest plugin is active whenever fixturekit is installed. Tests that request
`db_session` get a SQLAlchemy session whose writes vanish after the test, even when the code
under test commits; the factories in {factories_import}.py are bound to it. The schema is built from
the models those factories use, in a test database created next to the one you name (never in
it) and dropped afterwards.

Settings, in pyproject.toml under {table} (or on the command line):
    fixturekit_url = "postgresql+psycopg://localhost/app"    # or FIXTUREKIT_DATABASE_URL,
                                                             # --fixturekit-url; default: a
                                                             # temporary SQLite file
    fixturekit_isolation = "savepoint"    # transaction | truncate | fresh-db
    fixturekit_register_fixtures = true   # <model>_factory and <model> fixtures
Throwaway PostgreSQL for this run: pytest --fixturekit-server=ephemeral. See docs/plugin.md.
"""

import sys
from pathlib import Path

from fixturekit.plugin import scenario

# Tests import the application's models the way the application does: from the project root.
ROOT = Path(__file__).resolve().parents[{depth}]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


{scenario}
'''

SMOKE_TEST = '''"""Smoke test written by `fixturekit init`: the factories make valid rows,
and the test's writes do not outlive it."""

from sqlalchemy import func, select

from {factories_import} import FACTORIES

created = {{}}


def _table(factory_class):
    model = factory_class._meta.model
    return getattr(model, "__table__", model)


def test_every_factory_creates_a_valid_row(db_session):
    for name, factory_class in sorted(FACTORIES.items()):
        factory_class()
        db_session.flush()  # constraints are checked here
        created[name] = _table(factory_class)
    db_session.commit()  # committing inside db_session is safe: it is rolled back afterwards
    for name, tbl in created.items():
        assert db_session.scalar(select(func.count()).select_from(tbl)) >= 1, name


def test_nothing_left_after_the_test(db_engine):
    # A connection of its own sees only committed rows: none may remain from the test above
    # (or, under xdist, from whatever ran before in this worker).
    with db_engine.connect() as connection:
        for name, factory_class in sorted(FACTORIES.items()):
            count = connection.scalar(select(func.count()).select_from(_table(factory_class)))
            assert count == 0, f"{{name}}: {{count}} rows left"
'''


DJANGO_CONFTEST = '''"""Test configuration written by `fixturekit init --django`.

pytest-django provides the database and its isolation: a test that requests `db` (or is marked
`django_db`) runs in a transaction that is rolled back afterwards. fixturekit adds the factories
in {factories_import}.py (regenerate them with `fixturekit generate --django -o
{factories_import}.py`), scenario fixtures such as the example below, and, with
`fixturekit_register_fixtures = true` in [tool.pytest.ini_options], `<model>_factory` and
`<model>` fixtures on top of `db`.

Settings: DJANGO_SETTINGS_MODULE, or pytest-django's `--ds` / ini `DJANGO_SETTINGS_MODULE`.
"""

from fixturekit.plugin import scenario
from {factories_module} import FACTORIES


{scenario}
'''

DJANGO_SMOKE_TEST = '''"""Smoke test written by `fixturekit init --django`: the factories make
valid rows, and pytest-django's transaction per test leaves none of them behind."""

import pytest
from {factories_module} import FACTORIES

created = {{}}


@pytest.mark.django_db
def test_every_factory_creates_a_valid_row():
    for name, factory_class in sorted(FACTORIES.items()):
        obj = factory_class()
        assert type(obj)._default_manager.filter(pk=obj.pk).exists(), name
        created[name] = (type(obj), obj.pk)


@pytest.mark.django_db
def test_nothing_left_after_the_test():
    # Rows made by the test above (when it ran in this process) were rolled back with it.
    for name, (model, pk) in created.items():
        assert not model._default_manager.filter(pk=pk).exists(), f"{{name}} row {{pk}} is left"
'''


def django_scenario_example(schema: Schema) -> str:
    """The Django form of the example scenario: factories from FACTORIES, on `db`."""
    from fixturekit.codegen.django import is_auto_through, model_name

    own_first = sorted(schema, key=lambda t: bool(t.model and t.model.module.startswith("django.")))
    for table in own_first:
        if is_auto_through(table):
            continue
        for rel in table.relationships:
            parent = schema.tables.get(rel.target)
            if (
                rel.kind is RelationKind.MANY_TO_ONE
                and not rel.viewonly
                and parent is not None
                and table.model is not None
                and parent.model is not None
                and parent.key != table.key
                and not _one_to_one(table, rel.local_columns)
            ):
                child, parent_name = model_name(table), model_name(parent)
                return (
                    "@scenario\n"
                    "def example(db):\n"
                    f'    """Two {parent_name} rows, the first with three {child} rows: request\n'
                    '    `example_scenario` in a test to get them."""\n'
                    f'    parents = FACTORIES["{parent_name}"].create_batch(2)\n'
                    f'    children = FACTORIES["{child}"].create_batch(3, {rel.name}=parents[0])\n'
                    '    return {"parents": parents, "children": children}\n'
                )
    first = next((t for t in own_first if t.model is not None), None)
    name = model_name(first) if first is not None else "Model"
    return (
        "@scenario\n"
        "def example(db):\n"
        f'    """Three {name} rows: request `example_scenario` in a test to get them."""\n'
        f'    return {{"rows": FACTORIES["{name}"].create_batch(3)}}\n'
    )


def scenario_example(schema: Schema) -> str:
    """An example @scenario using a parent and a child model of this schema."""
    for table in schema:
        if table.model is None:
            continue
        for rel in table.relationships:
            parent = schema.tables.get(rel.target)
            if (
                rel.kind is RelationKind.MANY_TO_ONE
                and not rel.viewonly
                and parent is not None
                and parent.model is not None
                and parent.key != table.key
                and not _one_to_one(table, rel.local_columns)
            ):
                child, parent_name = table.model.name, parent.model.name
                return (
                    "@scenario\n"
                    "def example(factories, db_session):\n"
                    f'    """Two {parent_name} rows, the first with three {child} rows: request\n'
                    '    `example_scenario` in a test to get them."""\n'
                    f"    parents = factories.{parent_name}.create_batch(2)\n"
                    f"    children = factories.{child}.create_batch(3, {rel.name}=parents[0])\n"
                    '    return {"parents": parents, "children": children}\n'
                )
    first = next((t for t in schema if t.model is not None), None)
    name = first.model.name if first is not None else "Model"
    return (
        "@scenario\n"
        "def example(factories, db_session):\n"
        f'    """Three {name} rows: request `example_scenario` in a test to get them."""\n'
        f'    return {{"rows": factories.{name}.create_batch(3)}}\n'
    )


def _one_to_one(table, columns: tuple[str, ...]) -> bool:
    """A key unique on its own, even partially: a parent may not get three such children."""
    sets = [*table.unique_sets(), *(u.columns for u in table.uniques)]
    return bool(columns) and any(set(unique) <= set(columns) for unique in sets)


def _write(path: Path, text: str, force: bool) -> bool:
    if path.exists() and not force:
        click.echo(f"  kept     {path} (exists; --force replaces it)")
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"  wrote    {path}")
    return True


def pytest_table(root: Path = Path(".")) -> str:
    """The pytest settings table this project uses: pytest 9's native `[tool.pytest]` when its
    pyproject.toml has one, else `[tool.pytest.ini_options]`."""
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return "[tool.pytest.ini_options]"
    table = data.get("tool", {}).get("pytest", {})
    if isinstance(table, dict) and table and "ini_options" not in table:
        return "[tool.pytest]"
    return "[tool.pytest.ini_options]"


def _factories_target(tests_dir: Path, force: bool) -> Path:
    """tests/factories.py, unless the suite has a hand-written one: then a module of our own
    next to it, which the plugin also finds by default, so their suite keeps collecting."""
    from fixturekit.codegen.files import is_generated

    default = tests_dir / "factories.py"
    if default.exists() and not is_generated(default.read_text(encoding="utf-8")):
        return tests_dir / "fixturekit_factories.py"
    return default


@cli.command()
@click.argument("models", nargs=-1, metavar="[MODELS [MODULE...] | APP_LABEL...]")
@click.option(
    "--tests",
    "tests_dir",
    default="tests",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder the test files go in.",
)
@click.option("--force", is_flag=True, help="Replace files that exist.")
@click.option(
    "--django",
    "django",
    is_flag=True,
    help="A Django project (pytest-django isolates); then MODELS are app labels "
    "(space-separated; commas work too).",
)
@click.option("--settings", help="With --django: the settings module.")
@click.option(
    "--import",
    "imports",
    multiple=True,
    metavar="MODULE",
    help="Import MODULE before reading the models, e.g. `app.extensions:db --import app.models`.",
)
@click.option(
    "--no-verify",
    is_flag=True,
    help="Write the factories without proving them in a database first (see generate --verify).",
)
def init(
    models: tuple[str, ...],
    tests_dir: Path,
    force: bool,
    django: bool,
    settings: str | None,
    no_verify: bool = False,
    imports: tuple[str, ...] = (),
) -> None:
    """Scaffold factories, pytest configuration and a smoke test for MODELS.

    MODELS is what `fixturekit generate` takes: app/models.py, app.models[:Base], or a
    Flask-SQLAlchemy `app.extensions:db` followed by the modules that define the models. With
    --django, the Django project's apps are read instead (all, or the app labels given). Files
    that exist are kept unless --force is given; a hand-written tests/factories.py is left alone
    and the factories go to tests/fixturekit_factories.py. The factories are verified in a
    throwaway database first (as `generate --verify` does) unless --no-verify is given. Run
    pytest afterwards.
    """
    from fixturekit.cli.generate import app_labels

    if django:
        _init_django(" ".join(app_labels(models)), settings, tests_dir, force, not no_verify)
        return
    from fixturekit.cli.generate import generate
    from fixturekit.errors import FixturekitError
    from fixturekit.schema.sqlalchemy import read_models

    if not models:
        raise FixturekitError(
            "Name the models, e.g. `fixturekit init app/models.py` (or --django)."
        )
    modules = [*models[1:], *(m for item in imports for m in item.replace(",", " ").split())]
    spec = models[0]
    shown = " ".join([spec, *modules])
    # Fails early, with the loader's message, on bad models: nothing is written.
    schema = read_models(spec, imports=modules)
    table = pytest_table()
    factories_path = _factories_target(tests_dir, force)
    module_name = factories_path.stem
    package = (tests_dir / "__init__.py").exists()
    factories_import = ".".join([*tests_dir.parts, module_name]) if package else module_name
    depth = len(Path(os.path.normpath(tests_dir)).parts)  # conftest -> tests -> root

    click.echo(f"fixturekit init {shown}")
    generate_args = [spec, *(f"--import={m}" for m in modules)]
    if factories_path.name != "factories.py":
        click.echo(
            f"  kept     {tests_dir / 'factories.py'} (your own factories; fixturekit's go to "
            f"{factories_path}, which the plugin binds to db_session too)"
        )
    if factories_path.exists() and not force:
        click.echo(
            f"  kept     {factories_path} (exists; `fixturekit generate "
            f"{' '.join(generate_args)} -o {factories_path}` updates it)"
        )
    else:
        # Through the command line, the stable interface of `generate`.
        arguments = [
            *generate_args,
            "-o",
            str(factories_path),
            "-q",
            *(["--force"] if force else []),
        ]
        _generate_factories(generate, arguments, verify=not no_verify)
        click.echo(f"  wrote    {factories_path}")

    conftest = CONFTEST.format(
        models=shown,
        factories_import=str(factories_path.with_suffix("")),
        depth=depth,
        scenario=scenario_example(schema),
        table=table,
    )
    conftest_path = tests_dir / "conftest.py"
    if not _write(conftest_path, conftest, force):
        click.echo("           to use the example scenario there, add:")
        click.echo("               from fixturekit.plugin import scenario")
        for line in scenario_example(schema).splitlines():
            click.echo(f"               {line}")
    _write(
        tests_dir / "test_fixtures.py", SMOKE_TEST.format(factories_import=factories_import), force
    )
    click.echo(
        "Next: run pytest. Point fixturekit at your database with FIXTUREKIT_DATABASE_URL or "
        f"fixturekit_url in {table}; until then it uses a temporary SQLite file."
    )


def _generate_factories(generate, arguments: list[str], verify: bool) -> None:
    """Generate, verified whenever a database is at hand; without it when none can be made."""
    from fixturekit.verify.database import VerifyDatabaseError

    if verify:
        try:
            generate.main(
                [*arguments, "--verify"], prog_name="fixturekit generate", standalone_mode=False
            )
            return
        except VerifyDatabaseError as exc:
            click.secho(f"  not verified: {exc.message}", fg="yellow", err=True)
    generate.main(arguments, prog_name="fixturekit generate", standalone_mode=False)


def _init_django(
    apps: str, settings: str | None, tests_dir: Path, force: bool, verify: bool = True
) -> None:
    """`fixturekit init --django`: Django factories, a conftest with a scenario, a smoke test."""
    from fixturekit.cli.generate import app_labels, generate
    from fixturekit.schema.django import read_django

    labels = app_labels([apps])
    schema = read_django(labels or None, settings=settings)  # clear errors, before writing
    factories_path = tests_dir / "factories.py"
    package = (tests_dir / "__init__.py").exists()
    module = ".".join([*tests_dir.parts, "factories"]) if package else "factories"
    click.echo(f"fixturekit init --django {apps}".rstrip())
    if factories_path.exists() and not force:
        click.echo(
            f"  kept     {factories_path} (exists; `fixturekit generate --django -o "
            f"{factories_path}` updates it)"
        )
    else:
        arguments = ["--django", *labels, "-o", str(factories_path), "-q"]
        arguments += ["--settings", settings] if settings else []
        arguments += ["--force"] if force else []
        # verified on the settings' server (or SQLite), as `generate --django --verify` does
        _generate_factories(generate, arguments, verify=verify)
        click.echo(f"  wrote    {factories_path}")
    example = django_scenario_example(schema)
    conftest = DJANGO_CONFTEST.format(
        factories_import=str(factories_path.with_suffix("")),
        factories_module=module,
        scenario=example,
    )
    if not _write(tests_dir / "conftest.py", conftest, force):
        click.echo("           to use the example scenario there, add:")
        click.echo("               from fixturekit.plugin import scenario")
        click.echo(f"               from {module} import FACTORIES")
        for line in example.splitlines():
            click.echo(f"               {line}")
    smoke = DJANGO_SMOKE_TEST.format(factories_module=module)
    _write(tests_dir / "test_fixtures.py", smoke, force)
    click.echo("Next: run pytest with pytest-django installed and DJANGO_SETTINGS_MODULE set.")
