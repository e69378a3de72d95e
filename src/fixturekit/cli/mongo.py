"""`--mongo SCHEMA` for `fixturekit generate` and `fixturekit seed`.

The option is attached to the commands the other modules define, so the SQL and document paths
share one command line: with `--mongo` the command reads a document schema (a `$jsonSchema`
file, or a pydantic model / TypedDict / dataclass) instead of ORM models. When no `seed`
command exists yet, this module defines one that serves `--mongo` alone. Import it after the
other command modules (see `_register`).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fixturekit.cli import cli
from fixturekit.errors import FixturekitError

MONGO_HELP = (
    "Read a MongoDB document schema instead of models: a $jsonSchema .json file, or "
    "module:Name / file.py:Name naming a pydantic model, TypedDict or dataclass."
)

if TYPE_CHECKING:
    from rich.console import Console


def parse_rows(items: tuple[str, ...] | list[str] | str | None) -> dict[str, int]:
    """`users=1000`, repeatable or comma-separated, as {collection: count}."""
    if not items:
        raise FixturekitError("say how many documents to insert, e.g. --rows users=1000")
    if isinstance(items, str):
        items = [items]
    rows: dict[str, int] = {}
    for item in items:
        for part in str(item).split(","):
            name, sep, count = part.partition("=")
            if not sep or not name.strip() or not count.strip().isdigit():
                raise FixturekitError(f"--rows {part!r}: write collection=count, e.g. users=1000")
            rows[name.strip()] = int(count)
    return rows


# -- generate ---------------------------------------------------------------------------------


def print_document_report(plans: list[Any], console: Console, verbose: bool = True) -> int:
    """What each field gets, then the flagged fields; returns how many were flagged."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    rows = [
        (obj.node.path, decl.key, decl.reason, decl.flags)
        for plan in plans
        for obj in sorted(plan.objects, key=lambda o: o.node.path)
        for decl in obj.fields
    ]
    flagged = [row for row in rows if row[3]]
    if verbose:
        table = RichTable(title=f"{len(plans)} collection(s)", expand=False)
        table.add_column("object", style="bold", no_wrap=True)
        table.add_column("field", no_wrap=True)
        table.add_column("gets")
        previous = None
        for path, key, reason, flags in rows:
            why = escape(reason) + (f"; [yellow]⚑ {escape('; '.join(flags))}[/]" if flags else "")
            table.add_row(escape(path) if path != previous else "", escape(key), why)
            previous = path
        console.print(table)
    console.print(f"{len(plans)} collection(s), {len(rows)} fields, {len(flagged)} flagged.")
    for path, key, _, flags in flagged:
        console.print(f"  [yellow]⚑[/] {escape(f'{path}.{key}: ' + '; '.join(flags))}")
    return len(flagged)


def generate_documents(
    schema: str, output: Path | None, *, check: bool, force: bool, quiet: bool
) -> None:
    from rich.console import Console

    from fixturekit.cli.generate import _write_atomic
    from fixturekit.codegen.files import (
        custom_region,
        edited_by_hand,
        is_generated,
        seal,
        summarize_changes,
        unified_diff,
    )
    from fixturekit.codegen.mongo import render_module
    from fixturekit.nosql.plan import plan_documents
    from fixturekit.nosql.sources import load_schemas

    console = Console(stderr=output is None or check, highlight=False)
    command = f"fixturekit generate --mongo {schema}" + (f" -o {output}" if output else "")
    existing = output.read_text(encoding="utf-8") if output and output.exists() else None
    if existing is not None and not force and not check:
        if not is_generated(existing):
            raise FixturekitError(
                f"{output} exists and was not written by fixturekit.",
                hint="Choose another -o path, or pass --force to replace it.",
            )
        if edited_by_hand(existing):
            raise FixturekitError(
                f"The generated part of {output} was edited by hand; regenerating would lose "
                "those edits.",
                hint="Move your changes between the fixturekit markers, or pass --force.",
            )
    schemas = load_schemas(schema)
    plans = plan_documents(schemas)
    custom = custom_region(existing) if existing else None
    text = seal(render_module(plans, source=schema, command=command, custom=custom))
    print_document_report(plans, console, verbose=not quiet)
    if check:
        if output is None:
            raise FixturekitError("--check needs -o: the file to compare with the schema.")
        if existing == text:
            console.print(f"{output} is up to date with the schema.")
            return
        console.print(f"[red]{output} no longer matches the schema.[/] Run `{command}`.")
        click.echo(unified_diff(existing or "", text, str(output)))
        sys.exit(1)
    if output is None:
        click.echo(text, nl=False)
        return
    if existing == text:
        console.print(f"{output}: already up to date.")
        return
    _write_atomic(output, text)
    if existing is None:
        console.print(f"Wrote {output} ({sum(len(p.objects) for p in plans)} factories).")
    else:
        changes = summarize_changes(existing, text)
        console.print(f"Updated {output}: {len(changes)} change(s).")
        for line in changes:
            console.print(f"  {line}", markup=False, soft_wrap=True)


def _generate_hook(mongo: str, kwargs: dict[str, Any]) -> None:
    conflicting = [
        flag
        for name, flag in (
            ("targets", "MODELS"),
            ("url", "--url"),
            ("django", "--django"),
            ("children", "--children"),
        )
        if kwargs.get(name)
    ]
    if conflicting:
        raise FixturekitError(
            f"--mongo reads a document schema; drop {', '.join(conflicting)} from the command"
        )
    generate_documents(
        mongo,
        kwargs.get("output"),
        check=bool(kwargs.get("check")),
        force=bool(kwargs.get("force")),
        quiet=bool(kwargs.get("quiet")),
    )


# -- seed -------------------------------------------------------------------------------------


def seed_documents(
    schema: str,
    url: str | None,
    rows: dict[str, int],
    *,
    batch_size: int,
    seed: int | None,
    config_path: Path | None,
    drop: bool = False,
) -> None:
    from fixturekit.nosql.seed import connect, seed_collections
    from fixturekit.nosql.sources import load_schemas
    from fixturekit.nosql.urls import redact
    from fixturekit.project import tool_section

    if not url:
        raise FixturekitError("--mongo seeding needs --url mongodb://host:port/database")
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    settings, _ = tool_section("seed.mongo", config_path)
    schemas = load_schemas(schema)
    client, database = connect(url)
    try:
        if drop:
            for name in rows:
                database.drop_collection(name)
        results = seed_collections(
            database, schemas, rows, settings=settings, batch_size=batch_size, seed=seed
        )
    finally:
        client.close()
    for result in results:
        console.print(f"{result.collection}: inserted {result.inserted} documents")
    console.print(f"Seeded {redact(url)}.", markup=False)


def _seed_hook(mongo: str, kwargs: dict[str, Any]) -> None:
    config = kwargs.get("config_path") or kwargs.get("config")
    seed_documents(
        mongo,
        kwargs.get("url"),
        parse_rows(kwargs.get("rows")),
        batch_size=int(kwargs.get("batch_size") or 1000),
        seed=kwargs.get("seed"),
        config_path=Path(config) if config else None,
        drop=bool(kwargs.get("drop")),
    )


def attach_mongo(command: click.Command, hook: Any) -> None:
    """Add `--mongo SCHEMA` to another module's command; with it, `hook` runs instead."""
    if any(p.name == "mongo" for p in command.params):
        return
    command.params.append(click.Option(["--mongo"], metavar="SCHEMA", help=MONGO_HELP))
    original = command.callback
    assert original is not None

    @functools.wraps(original)
    def callback(*args: Any, mongo: str | None = None, **kwargs: Any) -> Any:
        if mongo is None:
            return original(*args, **kwargs)
        return hook(mongo, kwargs)

    command.callback = callback


def _own_seed_command() -> click.Command:
    @cli.command("seed")
    @click.option("--mongo", metavar="SCHEMA", required=True, help=MONGO_HELP)
    @click.option("--url", required=True, help="The MongoDB server and database to fill.")
    @click.option("--rows", multiple=True, metavar="COLLECTION=N", help="e.g. users=1000")
    @click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(min=1))
    @click.option("--seed", type=int, help="Make the data reproducible.")
    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="pyproject.toml or a TOML file with [tool.fixturekit.seed.mongo.*].",
    )
    @click.option("--drop", is_flag=True, help="Drop the named collections first.")
    def seed(mongo, url, rows, batch_size, seed, config_path, drop):
        """Insert realistic documents into MongoDB collections."""
        seed_documents(
            mongo,
            url,
            parse_rows(rows),
            batch_size=batch_size,
            seed=seed,
            config_path=config_path,
            drop=drop,
        )

    return seed


def register() -> None:
    generate = cli.commands.get("generate")
    if generate is not None:
        attach_mongo(generate, _generate_hook)
    seed = cli.commands.get("seed")
    if seed is None:
        _own_seed_command()
    else:
        attach_mongo(seed, _seed_hook)


register()
