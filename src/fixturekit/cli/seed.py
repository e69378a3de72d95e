"""`fixturekit seed` and `fixturekit load`: realistic populations, in bulk, all-or-nothing."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fixturekit.cli import cli
from fixturekit.errors import FixturekitError

# The seeding machinery (numpy, Faker pools, drivers) is imported by the commands that use it,
# so that `fixturekit generate` and the other commands start as fast as before.
if TYPE_CHECKING:
    from rich.console import Console

    from fixturekit.seed.progress import Progress
    from fixturekit.seed.run import SeedRequest, SeedResult


def parse_shard(text: str | None) -> tuple[int, int]:
    """`--shard 2/4` (1-based, as people count) -> (1, 4) (0-based, as the planner counts)."""
    if not text:
        return 0, 1
    index, sep, total = text.partition("/")
    try:
        i, n = int(index), int(total)
    except ValueError:
        i = n = 0
    if not sep or n < 1 or not 1 <= i <= n:
        raise FixturekitError(f"--shard {text!r}: write I/N with 1 <= I <= N, e.g. --shard 2/4.")
    return i - 1, n


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=False)


def _summary(console: Console, result: SeedResult, where: str, verb: str) -> None:
    rate = result.total_rows / result.seconds if result.seconds else 0
    console.print(
        f"{verb} {result.total_rows:,} rows in {len(result.rows)} tables {where} in "
        f"{result.seconds:.1f} s ({rate:,.0f} rows/s).",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


INTERRUPTED = "interrupted: the load was rolled back, nothing was written."


def _interrupted() -> None:
    click.secho(INTERRUPTED, err=True, fg="red")
    sys.exit(130)


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C ends the command with one line and exit code 130, however it surfaces.

    The driver may turn the KeyboardInterrupt into an error of its own (psycopg cancels the
    running statement and raises "canceling statement due to user request"), which the loader
    reports as a failed load: a SIGINT seen while the command ran decides instead."""
    seen = False
    previous = signal.getsignal(signal.SIGINT)

    def note(signum: int, frame: Any) -> None:
        nonlocal seen
        seen = True
        signal.default_int_handler(signum, frame)

    installed = threading.current_thread() is threading.main_thread()
    if installed:
        signal.signal(signal.SIGINT, note)
    try:
        yield
    except KeyboardInterrupt:
        _interrupted()
    except FixturekitError as exc:
        from fixturekit.seed.jobs import PartialCommit

        if seen and not isinstance(exc, PartialCommit):
            _interrupted()
        raise
    finally:
        if installed:
            signal.signal(signal.SIGINT, previous)


def _run_jobs(request: SeedRequest, jobs: int, console: Console, quiet: bool) -> None:
    """Seed with `jobs` local processes, one shard each, committed together (see seed.jobs)."""
    from fixturekit.seed.jobs import run_jobs
    from fixturekit.seed.load import connect, redact
    from fixturekit.seed.run import load_schema, plan_seed

    if request.export is not None or request.append or request.truncate:
        raise FixturekitError("--jobs cannot be combined with --export, --append or --truncate.")
    if request.url and request.url.startswith("sqlite"):
        raise FixturekitError(
            "--jobs loads shards side by side, but SQLite lets one transaction write at a time; "
            "seed SQLite without --jobs."
        )
    schema, schema_plan = load_schema(request.models, request.url)
    plan = plan_seed(request, schema, schema_plan)  # validate everything once, up front
    loader = connect(request.url)
    try:
        loader.begin()
        filled = [seed.key for seed in plan if loader.has_rows(seed.table)]
    finally:
        loader.rollback()
        loader.close()
    if filled:
        raise FixturekitError(
            f"{', '.join(filled)} already have rows in {redact(request.url)}; "
            "--jobs seeds empty tables only."
        )

    def ready(index: int, rows: dict[str, int]) -> None:
        if not quiet:
            console.print(f"shard {index + 1}/{jobs}: {sum(rows.values()):,} rows loaded, ready")

    totals = run_jobs(request, jobs, on_ready=ready)
    if not quiet:
        console.print(
            f"Seeded {sum(totals.values()):,} rows with {jobs} processes into "
            f"{redact(request.url)} (all shards committed together).",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@cli.command("seed")
@click.argument("models", required=False)
@click.option("--url", help="The database to fill (SQLAlchemy URL).")
@click.option(
    "--rows", multiple=True, metavar="TABLE=N,...", help="Row counts, e.g. users=100,orders=300."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A seed configuration file (default: [tool.fixturekit.seed] in pyproject.toml).",
)
@click.option("--seed", type=click.IntRange(min=0), help="Seed of the random values (default 0).")
@click.option("--append", is_flag=True, help="Add rows to tables that already have some.")
@click.option(
    "--truncate", is_flag=True, help="Replace the rows of the tables (in the same transaction)."
)
@click.option(
    "--export",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also (or, without --url, only) write the rows as seed files into DIR.",
)
@click.option("--shard", metavar="I/N", help="Generate and load only slice I of N of every table.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Load with N local processes, one shard each.",
)
@click.option(
    "--django",
    is_flag=True,
    help="Read Django apps instead of MODELS (MODELS may list app labels, comma-separated).",
)
@click.option("--settings", help="With --django: the settings module.")
@click.option(
    "--reflect", is_flag=True, help="Read the schema from --url itself (no models needed)."
)
@click.option(
    "--like",
    "like",
    metavar="SOURCE_URL",
    help="Learn row counts and distributions from this database's statistics (no rows copied).",
)
@click.option(
    "--like-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --like: also write what was learned as a seed configuration file.",
)
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="With --like: multiply the learned row counts (0.1 seeds a tenth of the source).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an HTML page with what was seeded: counts, distributions, children per parent.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def seed_command(
    models,
    url,
    rows,
    config_path,
    seed,
    append,
    truncate,
    export,
    shard,
    jobs,
    django,
    settings,
    reflect,
    like,
    like_out,
    scale,
    report_path,
    quiet,
):
    """Fill a database with realistic rows generated from MODELS, in one transaction.

    MODELS is a models file or module (app/models.py, app.models:Base); with --django, app
    labels (optional); with --reflect, nothing: the tables of --url are read and filled.
    """
    import os

    from fixturekit.seed.config import parse_rows_option
    from fixturekit.seed.load import redact
    from fixturekit.seed.progress import RichProgress
    from fixturekit.seed.run import DJANGO_SOURCE, REFLECT_SOURCE, SeedRequest, run_seed

    if django:
        if settings:
            os.environ["DJANGO_SETTINGS_MODULE"] = settings
        models = DJANGO_SOURCE + (models or "")
    elif reflect:
        if models:
            raise FixturekitError("--reflect reads the schema from --url; leave out MODELS.")
        models = REFLECT_SOURCE
    if not models:
        raise FixturekitError(
            "Name the models to seed from, e.g. `fixturekit seed app/models.py "
            "--url postgresql://localhost/app` (or --reflect, or --django)."
        )
    request = SeedRequest(
        models=models,
        url=url,
        rows=parse_rows_option(rows),
        config_path=config_path,
        seed=seed,
        append=append,
        truncate=truncate,
        export=export,
        shard=parse_shard(shard),
        like=like,
        like_out=like_out,
        scale=scale,
    )
    if report_path is not None and not url:
        raise FixturekitError("--report describes the rows seeded into --url; give --url.")
    if (like_out is not None or scale != 1.0) and not like:
        raise FixturekitError("--like-out and --scale go with --like SOURCE_URL.")
    # rich is imported only when something is shown: with --quiet, start-up is shorter by it.
    console = None if quiet and jobs <= 1 else _console()
    if jobs > 1:
        if request.shard != (0, 1):
            raise FixturekitError("--jobs runs its own shards; leave out --shard.")
        if not url:
            raise FixturekitError("--jobs needs --url.")
        if report_path is not None:
            raise FixturekitError("--report reads one seed's plan; run it without --jobs.")
        with _interruptible():
            _run_jobs(request, jobs, _console(), quiet)
        return
    progress: Progress | None = None if console is None else RichProgress(console)
    try:
        with _interruptible():
            result = run_seed(request, progress)
    finally:
        if progress is not None:
            progress.close()
    if console is not None and request.learned is not None:
        _learned_summary(console, request, like)
    if report_path is not None:
        from fixturekit.seed.report import write_report

        write_report(report_path, result.plan, url, result.seconds, f"fixturekit seed {models}")
        if console is not None:
            console.print(f"Report: {report_path}")
    if console is not None:
        where = f"into {redact(url)}" if url else ""
        if export is not None:
            where = (where + " and " if where else "") + f"to {export}"
        _summary(console, result, where, "Seeded" if url else "Exported")


def _learned_summary(console: Console, request: Any, like: str) -> None:
    from fixturekit.seed.load import redact

    learned = request.learned
    tables = learned.raw.get("tables", {})
    rules = sum(len(spec.get("columns", {})) for spec in tables.values())
    console.print(
        f"Learned from {redact(like)} ({learned.how}): {len(tables)} tables, {rules} column "
        "distributions" + (f"; written to {request.like_out}" if request.like_out else "")
    )
    for note in learned.notes:
        console.print(f"  {note}")


@cli.command("load")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--url", required=True, help="The database to fill (SQLAlchemy URL).")
@click.option("--models", help="Models to check the files against (default: as recorded).")
@click.option("--append", is_flag=True, help="Add rows to tables that already have some.")
@click.option("--truncate", is_flag=True, help="Replace the rows of the tables (same transaction).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def load_command(folder, url, models, append, truncate, quiet):
    """Load seed files written by `fixturekit seed --export`, after checking them for drift."""
    from fixturekit.seed.load import redact
    from fixturekit.seed.progress import RichProgress
    from fixturekit.seed.replay import LoadRequest, run_load

    console = _console()
    progress: Progress | None = None if quiet else RichProgress(console)
    try:
        with _interruptible():
            result = run_load(LoadRequest(folder, url, models, append, truncate), progress)
    finally:
        if progress is not None:
            progress.close()
    if not quiet:
        _summary(console, result, f"into {redact(url)}", "Loaded")
