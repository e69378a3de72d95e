"""`fixturekit generate`: models in, a factory_boy module out, with a report of every decision."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console

from fixturekit.cli import cli
from fixturekit.errors import FixturekitError
from fixturekit.infer.rules import InferenceOptions
from fixturekit.project import tool_section
from fixturekit.schema.model import Schema


def _parse_range(text: str, where: str) -> tuple[int, int]:
    text = str(text).strip()
    try:
        if ".." in text:
            low, high = text.split("..", 1)
            return int(low), int(high)
        return int(text), int(text)
    except ValueError:
        raise FixturekitError(f"{where}: {text!r} is not a count or a range like 1..3.") from None


def inference_options(config: dict, children: tuple[str, ...]) -> InferenceOptions:
    """Options from `[tool.fixturekit.generate]` plus `--children` on the command line."""
    options = InferenceOptions()
    for key, value in (config.get("children") or {}).items():
        if isinstance(value, list) and len(value) == 2:
            options.children[key] = (int(value[0]), int(value[1]))
        else:
            options.children[key] = _parse_range(value, f"children.{key}")
    for item in children:
        key, sep, value = item.partition("=")
        if not sep:
            raise FixturekitError(f"--children {item!r}: write Model.relationship=1..3.")
        options.children[key.strip()] = _parse_range(value, f"--children {key}")
    overrides = config.get("overrides") or {}
    if not isinstance(overrides, dict) or not all(isinstance(v, str) for v in overrides.values()):
        raise FixturekitError(
            '[tool.fixturekit.generate] overrides must map "table.column" to a factory_boy '
            'declaration written as a string, e.g. "users.email" = "factory.Faker(\'email\')".'
        )
    options.overrides = dict(overrides)
    options.nullable_empty = bool(config.get("nullable_empty", False))
    return options


def read_schema(
    models: str | None,
    url: str | None = None,
    db_schema: str | None = None,
    tables: str | None = None,
) -> Schema:
    """The schema model from whichever source the command line names."""
    if url:
        from fixturekit.schema.reflect import read_database

        names = [t.strip() for t in tables.split(",")] if tables else None
        return read_database(url, schema=db_schema, tables=names)
    if not models:
        raise FixturekitError(
            "Name the models to generate factories for, e.g. `fixturekit generate app/models.py "
            "-o tests/factories.py` (or --url for a live database)."
        )
    from fixturekit.schema.sqlalchemy import read_models

    return read_models(models)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def build_module(
    schema: Schema,
    options: InferenceOptions,
    command: str,
    existing: str | None,
    reasons: bool = False,
):
    """(plan, full module text) for a schema, keeping the user's region of `existing`."""
    from fixturekit.codegen.factory_boy import RenderOptions, render_module
    from fixturekit.codegen.files import custom_region, seal
    from fixturekit.infer.tables import plan_schema

    plan = plan_schema(schema, options)
    custom = custom_region(existing) if existing else None
    text = seal(render_module(plan, RenderOptions(command=command, show_reasons=reasons), custom))
    return plan, text


@cli.command()
@click.argument("models", required=False)
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
@click.option("--url", help="Reflect a live database instead of reading models.")
@click.option("--schema", "db_schema", help="With --url: the database schema to read.")
@click.option("--tables", help="With --url: only these tables (comma-separated).")
@click.option("-q", "--quiet", is_flag=True, help="Print only flagged fields and changes.")
def generate(
    models, output, check, force, children, config_path, reasons, url, db_schema, tables, quiet
):
    """Generate factory_boy factories from MODELS.

    MODELS is a file (app/models.py) or a module (app.models), optionally with :Name naming
    the declarative Base or MetaData. Run it again after a migration: the factories follow the
    models, the code between the fixturekit markers is kept, and the changes are listed.
    """
    from fixturekit.codegen.files import (
        edited_by_hand,
        is_generated,
        summarize_changes,
        unified_diff,
    )
    from fixturekit.infer.report import print_report

    to_stdout = output is None
    console = Console(stderr=to_stdout or check, highlight=False, soft_wrap=True)
    config, _ = tool_section("generate", config_path)
    options = inference_options(config, children)
    schema = read_schema(models, url, db_schema, tables)
    command = "fixturekit generate " + " ".join(
        part
        for part in [models or f"--url {schema.source}", f"-o {output}" if output else ""]
        if part
    )
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
    plan, text = build_module(schema, options, command.strip(), existing, reasons)
    print_report(plan, console, verbose=not quiet)

    if check:
        if output is None:
            raise FixturekitError("--check needs -o: the file to compare with the models.")
        if existing == text:
            console.print(f"{output} is up to date with the models.")
            return
        console.print(
            f"[red]{output} no longer matches the models.[/] Run `{command.strip()}` to update it."
        )
        click.echo(unified_diff(existing or "", text, str(output)))
        sys.exit(1)

    if to_stdout:
        click.echo(text, nl=False)
        return
    if existing == text:
        console.print(f"{output}: already up to date.")
        return
    changes = summarize_changes(existing, text) if existing else []
    _write_atomic(output, text)
    if existing is None:
        console.print(f"Wrote {output} ({len(plan.tables)} factories).")
    else:
        console.print(f"Updated {output}: {len(changes)} change(s).")
        for line in changes:
            console.print(f"  {line}", markup=False, soft_wrap=True)
