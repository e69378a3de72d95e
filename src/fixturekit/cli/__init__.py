"""The `fixturekit` command. Each subcommand lives in a module of its own in this package."""

from __future__ import annotations

import os
import sys

import click

from fixturekit.errors import FixturekitError


class FixturekitGroup(click.Group):
    """Turns a FixturekitError into a one-paragraph message and its exit code, no traceback."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        from fixturekit.dialects.appname import set_command

        name, command, rest = super().resolve_command(ctx, args)
        set_command(command.name if command is not None else name)  # application_name
        return name, command, rest

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FixturekitError as exc:
            click.secho(f"error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(exc.hint, err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            _internal_error(ctx, exc)


DEBUG_ENV = "FIXTUREKIT_DEBUG"
INTERNAL_ERROR_EXIT = 3


def _internal_error(ctx: click.Context, exc: Exception) -> None:
    """Anything fixturekit did not foresee: one message, the command, how to see more."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    command = ctx.invoked_subcommand or ctx.info_name or "fixturekit"
    click.secho(
        f"error: fixturekit {command} stopped on an internal error: "
        f"{type(exc).__name__}: {first}".rstrip(": "),
        fg="red",
        err=True,
    )
    click.echo(
        f"This is a fixturekit bug, not something in your input. Run again with {DEBUG_ENV}=1 "
        "to see the traceback, and report it with that output.",
        err=True,
    )
    sys.exit(INTERNAL_ERROR_EXIT)


@click.group(cls=FixturekitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fixturekit")
def cli() -> None:
    """From ORM models to realistic, isolated database test fixtures."""


def _register() -> None:
    """Import the subcommand modules; they register themselves on the group.

    The order matters: `mongo` comes last because it adds `--mongo` to `generate` and `seed`.
    """
    import importlib

    for name in ("generate", "init", "seed", "mongo"):
        importlib.import_module(f"fixturekit.cli.{name}")


def main() -> None:
    _register()
    cli(prog_name="fixturekit")
