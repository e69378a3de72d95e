"""`fixturekit generate`: models in, a factory_boy module out, with a report of every decision."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fixturekit.cli import cli
from fixturekit.errors import FixturekitError
from fixturekit.infer.configured import inference_options
from fixturekit.project import tool_section
from fixturekit.schema.model import Schema

if TYPE_CHECKING:
    from rich.console import Console

    from fixturekit.infer.rules import InferenceOptions


# `--strict`: the file was written (or is up to date) but something in it is flagged FIXME.
# 1 is --check's "out of date", 2 bad input, 3 an internal error.
STRICT_EXIT = 4


def flagged_count(plan) -> int:
    """Fields and tables flagged FIXME in the module rendered from `plan`."""
    from fixturekit.infer.report import report_rows

    return sum(1 for row in report_rows(plan) if row.flags)


def _strict_exit(console: Console, strict: bool, plan) -> None:
    count = flagged_count(plan) if strict else 0
    if count:
        console.print(
            f"--strict: {count} field(s) or model(s) flagged FIXME (listed above); "
            f"exit code {STRICT_EXIT}.",
            markup=False,
        )
        sys.exit(STRICT_EXIT)


@dataclass
class Source:
    """Where the schema came from, and what that means for the files generate writes."""

    schema: Schema
    label: str  # how the command line named it, for the generated header
    django: bool = False
    reflected: bool = False


def read_source(
    targets: tuple[str, ...],
    url: str | None = None,
    db_schema: tuple[str, ...] = (),
    tables: str | None = None,
    django: bool = False,
    settings: str | None = None,
    imports: tuple[str, ...] = (),
) -> Source:
    """The schema model from whichever source the command line names."""
    if django:
        from fixturekit.schema.django import read_django

        labels = app_labels(targets) or None
        schema = read_django(labels, settings=settings)
        label = "--django" + "".join(f" {t}" for t in targets)
        return Source(schema, label + (f" --settings {settings}" if settings else ""), django=True)
    if url:
        from sqlalchemy.engine import make_url

        from fixturekit.schema.reflect import read_database

        names = [t.strip() for t in tables.split(",")] if tables else None
        schemas = list(db_schema) if len(db_schema) > 1 else (db_schema[0] if db_schema else None)
        schema = read_database(url, schema=schemas, tables=names)
        shown = make_url(url).render_as_string(hide_password=True)
        extra = "".join(f" --schema {name}" for name in db_schema)
        return Source(
            schema,
            f"--url {shown}{extra}" + (f" --tables {tables}" if tables else ""),
            reflected=True,
        )
    if len(targets) != 1:
        raise FixturekitError(
            "Name the models to generate factories for, e.g. `fixturekit generate app/models.py "
            "-o tests/factories.py` (or --url URL for a live database, --django for Django apps)."
        )
    from fixturekit.schema.sqlalchemy import read_models

    modules = [m for item in imports for m in item.replace(",", " ").split()]
    label = targets[0] + "".join(f" --import {m}" for m in modules)
    return Source(read_models(targets[0], imports=modules), label)


def app_labels(items: tuple[str, ...] | list[str]) -> list[str]:
    """Django app labels as given: `shop orders`, `shop,orders` or a mix of both."""
    return [label for item in items for label in item.replace(",", " ").split()]


def _reflected_models(schema: Schema, output: Path | None, command: str):
    """A database without models gets a models module next to the factories, which they use."""
    from fixturekit.codegen.models import (
        models_path,
        module_name_for,
        render_models_module,
        with_model_refs,
    )

    if output is None:
        raise FixturekitError(
            "With --url, give -o: fixturekit writes the model classes for the reflected tables "
            "next to the factories (e.g. -o tests/factories.py writes tests/factories_models.py)."
        )
    models_file = models_path(output)
    text = render_models_module(schema, command)
    return with_model_refs(schema, module_name_for(models_file)), models_file, text


def _write_atomic(path: Path, text: str) -> None:
    from fixturekit.errors import cannot_write

    unchanged = f"{path} was left as it was." if path.exists() else ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise cannot_write(path, exc, unchanged) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc, unchanged) from None
        raise


def build_module(
    schema: Schema,
    options: InferenceOptions,
    command: str,
    existing: str | None,
    reasons: bool = False,
    django: bool = False,
    verify=None,
):
    """(plan, full module text, verification report or None) for a schema, keeping the user's
    region of `existing`.

    Repairs recorded in `existing` by an earlier `--verify` are applied again; with `verify` (a
    VerifyRequest) the factories are proven against a database and repaired first.
    """
    from fixturekit.codegen.factory_boy import RenderOptions, render_module
    from fixturekit.codegen.files import custom_region, seal
    from fixturekit.infer.candidates import apply_repairs
    from fixturekit.infer.tables import plan_schema
    from fixturekit.verify.report import apply_flags, read_record, with_record

    plan = plan_schema(schema, options)
    custom = custom_region(existing) if existing else None
    record = read_record(existing)
    inferred = {(t.key, f.column.name): f for t in plan.tables.values() for f in t.fields}
    for stale in apply_repairs(plan, record.repairs):
        record.repairs.pop(stale, None)
    render = render_module
    if django:
        from fixturekit.codegen.django import render_django_module as render
    render_options = RenderOptions(command=command, show_reasons=reasons)

    def text_for(plan, record) -> str:
        # unsealed: the module verification runs needs no hash line, and sealing (a parse of
        # the whole module) is done once, on the text that is written
        return with_record(render(plan, render_options, custom), record)

    report = None
    if verify is not None:
        report = verify.run(plan, record, text_for, inferred)
    else:
        apply_flags(plan, record)
    text = report.text if report is not None and report.text is not None else None
    return plan, seal(text if text is not None else text_for(plan, record)), report


def verify_request(source: Source, verify: str, rows: int, models_file, models_text, console):
    """The VerifyRequest for `--verify [URL]` on this source."""
    from fixturekit.verify.database import resolve_source
    from fixturekit.verify.loop import VerifyRequest

    if source.django:
        from fixturekit.verify.django import DjangoVerifyRequest

        return DjangoVerifyRequest(
            None if verify == "auto" else verify,
            rows,
            notice=lambda text: console.print(text, markup=False),
        )
    extra: dict[str, str] = {}
    if source.reflected:
        from fixturekit.codegen.models import module_name_for

        extra[module_name_for(models_file)] = models_text

        def metadatas() -> list:
            from fixturekit.verify.running import loaded_module

            with loaded_module(models_text) as module:
                return [module.Base.metadata]
    else:
        target = source.label

        def metadatas() -> list:
            from fixturekit.schema.loading import load_models

            return load_models(target).metadatas

    return VerifyRequest(
        resolve_source(None if verify == "auto" else verify),
        metadatas,
        rows,
        extra,
        notice=lambda text: console.print(text, markup=False),
    )


@cli.command()
@click.argument("targets", nargs=-1, metavar="MODELS | APP_LABEL...")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The factories module to write (tests import it). Printed when omitted.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 with a diff when the file no longer matches the models.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite a file that fixturekit did not write or whose generated part was "
    "edited by hand.",
)
@click.option(
    "--children",
    multiple=True,
    metavar="MODEL.REL=MIN..MAX",
    help="Create children with their parent, e.g. Order.items=1..3 (repeatable).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pyproject.toml or a TOML file with the [tool.fixturekit.generate] keys.",
)
@click.option("--reasons", is_flag=True, help="Write each field's reason as a comment.")
@click.option("--url", help="Reflect a live database instead of reading models (read-only).")
@click.option(
    "--schema",
    "db_schema",
    multiple=True,
    help="With --url: a database schema to read (repeatable).",
)
@click.option("--tables", help="With --url: only these tables (comma-separated).")
@click.option(
    "--django",
    is_flag=True,
    help="Read Django apps (the project's apps by default, or the APP_LABELs given); "
    "needs DJANGO_SETTINGS_MODULE or --settings.",
)
@click.option("--settings", help="With --django: the settings module.")
@click.option(
    "--verify",
    "verify",
    is_flag=False,
    flag_value="auto",
    default=None,
    metavar="[URL]",
    help="Prove every factory in a throwaway database before writing (created on the server "
    "URL names, or from FIXTUREKIT_DATABASE_URL, the pytest ini, a throwaway PostgreSQL, "
    "SQLite), and repair what fails.",
)
@click.option(
    "--verify-rows",
    type=click.IntRange(0),
    default=100,
    show_default=True,
    help="With --verify: rows each factory creates after its first one.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only flagged fields and changes.")
@click.option(
    "--strict",
    is_flag=True,
    help=f"Exit with code {STRICT_EXIT} when anything is left flagged FIXME (after "
    "verification, with --verify); the file is still written. For CI.",
)
@click.option(
    "--import",
    "imports",
    multiple=True,
    metavar="MODULE",
    help="Import MODULE before reading the models (repeatable or comma-separated), e.g. the "
    "models of a Flask-SQLAlchemy `db`: app.extensions:db --import app.models.",
)
def generate(
    targets,
    output,
    check,
    force,
    children,
    config_path,
    reasons,
    url,
    db_schema,
    tables,
    django,
    settings,
    verify,
    verify_rows,
    quiet,
    strict=False,
    imports=(),
):
    """Generate factory_boy factories from MODELS.

    MODELS is a file (app/models.py) or a module (app.models), optionally with :Name naming
    the declarative Base or MetaData; with --django, Django app labels; with --url, nothing.
    Run it again after a migration: the factories follow the models, the code between the
    fixturekit markers is kept, and the changes are listed.
    """
    from fixturekit.codegen.files import (
        edited_by_hand,
        is_generated,
        same_code,
        summarize_changes,
        unified_diff,
    )
    from fixturekit.infer.report import print_report

    to_stdout = output is None
    from rich.console import Console

    console = Console(stderr=to_stdout or check, highlight=False, soft_wrap=True)
    config, _ = tool_section("generate", config_path)
    options = inference_options(config, children)
    if verify not in (None, "auto") and "://" not in verify:
        # `--verify app/models.py`: the option took the models for its URL
        targets, verify = (*targets, verify), "auto"
    source = read_source(targets, url, db_schema, tables, django, settings, imports)
    schema = source.schema
    command = f"fixturekit generate {source.label}" + (f" -o {output}" if output else "")
    models_file = models_text = None
    if source.reflected:
        schema, models_file, models_text = _reflected_models(schema, output, command)
    existing = None
    if output is not None and output.exists():
        existing = output.read_text(encoding="utf-8")
        if not force and not check:
            if not is_generated(existing):
                raise FixturekitError(
                    f"{output} exists and was not written by fixturekit.",
                    hint="Choose another -o path, or pass --force to replace it.",
                )
            if edited_by_hand(existing):
                raise FixturekitError(
                    f"The generated part of {output} was edited by hand; regenerating would "
                    "lose those edits.",
                    hint="Move your changes between the fixturekit markers (subclass the "
                    "factory there), or pass --force to overwrite them.",
                )
    request = None
    if verify is not None:
        request = verify_request(source, verify, verify_rows, models_file, models_text, console)
    plan, text, report = build_module(
        schema, options, command, existing, reasons, source.django, request
    )
    if not check:  # --check says only whether the file drifted, and how
        print_report(plan, console, verbose=not quiet)
        if not source.django and schema.metadata_ref is None:
            for table in schema:
                if table.model is None:
                    console.print(
                        f"Skipped the Core table {table.key}: nothing in the models module "
                        "reaches its MetaData (no metadata, Base or mapped class attribute). "
                        "Generate from MODULE:metadata to get a factory for it.",
                        markup=False,
                        soft_wrap=True,
                    )
        if report is not None:
            from fixturekit.verify.report import print_verify_report

            print_verify_report(report, console, verbose=not quiet)

    if check:
        if output is None:
            raise FixturekitError("--check needs -o: the file to compare with the models.")
        if models_file is not None:
            on_disk = models_file.read_text(encoding="utf-8") if models_file.exists() else ""
            if on_disk != models_text:
                existing_models = on_disk
                console.print(f"[red]{models_file} no longer matches the database.[/]")
                click.echo(unified_diff(existing_models, models_text, str(models_file)))
                sys.exit(1)
        if existing is not None and same_code(existing, text):
            console.print(f"{output} is up to date with the models.")
            _strict_exit(console, strict, plan)
            return
        console.print(
            f"[red]{output} no longer matches the models.[/] Run `{command.strip()}` to update it."
        )
        for line in summarize_changes(existing, text) if existing else []:
            console.print(f"  {line}", markup=False, soft_wrap=True)
        click.echo(unified_diff(existing or "", text, str(output)))
        sys.exit(1)

    if to_stdout:
        click.echo(text, nl=False)
        _strict_exit(console, strict, plan)
        return
    if existing is not None and same_code(existing, text):
        console.print(f"{output}: already up to date.")  # perhaps formatted by the project
        _strict_exit(console, strict, plan)
        return
    changes = summarize_changes(existing, text) if existing else []
    if models_file is not None:
        _write_atomic(models_file, models_text)
        console.print(f"Wrote {models_file} (model classes for the reflected tables).")
    _write_atomic(output, text)
    if existing is None:
        console.print(f"Wrote {output} ({len(plan.tables)} factories).")
    else:
        console.print(f"Updated {output}: {len(changes)} change(s).")
        for line in changes:
            console.print(f"  {line}", markup=False, soft_wrap=True)
    _strict_exit(console, strict, plan)
