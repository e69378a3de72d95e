"""Running a seed end to end: models -> plan -> chunks -> database and/or seed files.

Everything that can be refused is refused before the first row is written: configuration
mistakes, impossible counts, an unreachable server, tables that already hold rows. Writing then
happens in one transaction per run (per shard with `--shard`), rolled back on any failure or on
Ctrl-C.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer.plan import SchemaPlan
from fixturekit.schema.model import INTEGER_KINDS, Schema, Table
from fixturekit.seed import load as loading
from fixturekit.seed import pipeline
from fixturekit.seed.columns import Chunk, KeyStore, deferred_updates, generate_table
from fixturekit.seed.config import build_config, read_config
from fixturekit.seed.files import Exporter, read_manifest
from fixturekit.seed.limits import check_counts, check_disk, check_key_ranges
from fixturekit.seed.load import Loader, TableLoad, connect, parse_url, redact
from fixturekit.seed.plan import Existing, SeedPlan
from fixturekit.seed.planning import build_plan
from fixturekit.seed.progress import Progress


@dataclass
class SeedRequest:
    """What `fixturekit seed` was asked to do."""

    models: str
    url: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    config_path: Path | None = None
    seed: int | None = None
    append: bool = False
    truncate: bool = False
    export: Path | None = None
    shard: tuple[int, int] = (0, 1)
    today: dt.date | None = None
    # Set by `--jobs`: the coordinator checked the tables are empty before starting the shards.
    checked_empty: bool = False
    like: str | None = None  # a source database to learn the distributions from
    like_out: Path | None = None  # where to write what was learned, as a seed configuration
    scale: float = 1.0  # the learned row counts times this
    learned: Any = None  # what --like learned (fixturekit.seed.learn.Learned), once read


@dataclass
class SeedResult:
    plan: SeedPlan
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


DJANGO_SOURCE = "django:"  # django:[label,label]: Django apps (DJANGO_SETTINGS_MODULE set)
REFLECT_SOURCE = "reflect:"  # the schema of the database being filled, read from its catalog


def read_schema_spec(models: str, url: str | None = None) -> Schema:
    """The schema a seed reads: SQLAlchemy models, Django apps, or the target database itself."""
    if models.startswith(DJANGO_SOURCE):
        from fixturekit.schema.django import read_django

        labels = [label for label in models[len(DJANGO_SOURCE) :].split(",") if label]
        return read_django(labels or None)
    if models == REFLECT_SOURCE:
        if not url:
            raise FixturekitError("--reflect reads the tables of --url; give --url.")
        from fixturekit.schema.reflect import read_database

        return read_database(url)
    from fixturekit.schema.loading import load_models
    from fixturekit.schema.sqlalchemy import read_loaded

    return read_loaded(load_models(models))


def load_schema(models: str, url: str | None = None) -> tuple[Schema, SchemaPlan]:
    """The models' schema and inference's plan for it (with `[tool.fixturekit.generate]`)."""
    from fixturekit.infer.configured import inference_options
    from fixturekit.infer.tables import plan_schema
    from fixturekit.project import tool_section

    schema = read_schema_spec(models, url)
    generate_config, _ = tool_section("generate")
    # Cycles of NOT NULL keys: factories get them flagged; the seed planner refuses them
    # (fixturekit.seed.planning.build_plan), so the plan here is the factories' own, except that
    # seeding draws every column instead of repeating defaults and usable-object flags.
    options = inference_options(generate_config, ())
    options.factory_object = False
    # Counting the pairs of names means importing Faker and reading its names: left to the
    # worker process, which reads them anyway, while this one connects (the seed shows no
    # inference reasons; its --report counts them after the load).
    options.count_name_pairs = False
    return schema, plan_schema(schema, options)


def unique_columns(schema_plan: SchemaPlan) -> set[tuple[str, str]]:
    return {
        (plan.key, f.column.name)
        for plan in schema_plan.tables.values()
        for f in plan.fields
        if f.strategy is not None and f.strategy.unique
    }


def plan_seed(
    request: SeedRequest,
    schema: Schema,
    schema_plan: SchemaPlan,
    existing: dict[str, Existing] | None = None,
) -> SeedPlan:
    raw, source = read_config(request.config_path)
    if request.like:
        raw = _with_learned(request, schema_plan, raw)
    config = build_config(
        raw,
        schema,
        source=source,
        unique_columns=unique_columns(schema_plan),
        cli_rows=request.rows,
        seed=request.seed,
    )
    today = request.today or config.today or _export_anchor(request.export) or dt.date.today()
    check_counts(config.rows, "--rows" if request.rows else source)
    plan = build_plan(schema_plan, config, today=today, shard=request.shard, existing=existing)
    check_key_ranges(plan)
    return plan


def _with_learned(
    request: SeedRequest, schema_plan: SchemaPlan, raw: dict[str, Any]
) -> dict[str, Any]:
    """The configuration learned from --like, under the user's own (which wins)."""
    from fixturekit.seed.learn import follow_counts, learn_config, merge_configs, write_config

    if request.learned is None:
        request.learned = learn_config(request.like or "", schema_plan, request.scale)
        if request.like_out is not None:
            write_config(request.learned, request.like_out, redact(request.like or ""))
    given = set(request.rows) | {
        name for name, spec in raw.get("tables", {}).items() if "rows" in spec
    }
    learned = follow_counts(request.learned.raw, schema_plan.schema, given)
    return merge_configs(learned, raw)


def _export_anchor(folder: Path | None) -> dt.date | None:
    """Regenerating seed files keeps their anchor date, so dates do not move by the day."""
    if folder is None or not (folder / "manifest.json").is_file():
        return None
    try:
        return read_manifest(folder).today
    except (FixturekitError, KeyError, ValueError):
        return None


def _sequence_columns(seed_plan: SeedPlan) -> list[tuple[Table, str, int | None]]:
    return [
        (seed.table, column, first + seed.rows - 1 if seed.rows else None)
        for seed in seed_plan
        for column, first in seed.sequences.items()
    ]


def _cycle_links(
    tables: list[Table], deferred: set[tuple[str, tuple[str, ...]]]
) -> list[tuple[Table, list[str]]]:
    """Nullable keys to clear before DELETE on dialects that check keys row by row."""
    out = []
    for table in tables:
        columns = [
            c
            for fk in table.foreign_keys
            if (table.key, fk.columns) in deferred or fk.referred_table == table.key
            for c in fk.columns
            if table.column(c).nullable
        ]
        if columns:
            out.append((table, columns))
    return out


class Transaction:
    """The checks and the order of a load, shared by `seed` and `load`."""

    def __init__(
        self,
        loader: Loader,
        tables: list[Table],
        *,
        append: bool,
        truncate: bool,
        check_empty: bool,
        deferred: set[tuple[str, tuple[str, ...]]],
    ) -> None:
        self.loader = loader
        self.tables = tables
        self.append = append
        self.truncate = truncate
        self.check_empty = check_empty
        self.deferred = deferred

    def open(self) -> bool:
        """Begin, refuse non-empty tables, empty them with --truncate. True if they are empty."""
        loader = self.loader
        loader.begin()
        loader.check_tables(self.tables)
        if self.truncate:
            loader.empty_tables(self.tables, _cycle_links(self.tables, self.deferred))
            return True
        if not self.check_empty:
            return False
        filled = [t.key for t in self.tables if loader.has_rows(t)]
        if filled and not self.append:
            raise FixturekitError(
                f"{', '.join(filled)} already {'has' if len(filled) == 1 else 'have'} rows in "
                f"{redact(loader.url)}; nothing was written.",
                hint="Add --append to add rows to them, or --truncate to replace their rows.",
            )
        return not filled


def timed(
    progress: Progress | None, key: str, total: int, chunks: Iterable[Chunk]
) -> tuple[Iterator[Chunk], Callable[[Chunk], None] | None]:
    if progress is None:
        return iter(chunks), None
    progress.start(key, total)
    return iter(chunks), lambda chunk: progress.advance(key, chunk.count)


def run_seed(
    request: SeedRequest,
    progress: Progress | None = None,
    on_chunk: Callable[[Chunk], None] | None = None,
    before_commit: Callable[[dict[str, int]], None] | None = None,
) -> SeedResult:
    """Seed a database and/or write seed files. `on_chunk` sees every chunk after it is
    written (tests use it to inject failures); `before_commit` gets the rows written once
    everything is loaded and checked, and may raise to roll back (`--jobs` waits there for
    the coordinator's go-ahead)."""
    if request.append and request.truncate:
        raise FixturekitError("--append and --truncate contradict each other; choose one.")
    if request.url is None and request.export is None:
        raise FixturekitError("Say where the rows go: --url URL, --export DIR, or both.")
    started = time.perf_counter()
    schema, schema_plan = load_schema(request.models, request.url)
    plan = plan_seed(request, schema, schema_plan)  # refuses bad configs before connecting
    sharded = request.shard[1] > 1
    if sharded and request.export is not None:
        raise FixturekitError(
            "--export writes whole tables; it cannot be combined with --shard or --jobs."
        )
    if sharded and (request.truncate or request.append):
        raise FixturekitError(
            "--shard loads one slice of every table into tables the other shards share; "
            "--truncate and --append apply to a whole seed, so they cannot be combined with it.",
            hint="Empty the tables first (or seed without --shard).",
        )
    if request.export is not None:
        check_disk(plan, request.export, f"--export {request.export}")
    if request.url and parse_url(request.url).get_backend_name() == "sqlite":
        database = parse_url(request.url).database or ""
        check_disk(plan, Path(database).parent, redact(request.url))
    # The worker starts before this process connects, so that it generates while the driver
    # is imported, the tables checked and their keys dropped. Not with --append: its plan
    # depends on the rows the tables already hold.
    producer = None
    loader = None
    if (
        request.url
        and request.export is None
        and not request.append
        and parse_url(request.url).get_backend_name() == "postgresql"
        and pipeline.plan_applies(plan)
    ):
        # The tables will be empty when the loader prepares them (checked below, or emptied by
        # --truncate), and it drops every foreign key for a load this large: any order goes.
        will_prepare = not sharded and (request.truncate or not request.checked_empty)
        any_order = will_prepare and plan.total_rows >= loading.FAST_PATH_MIN_ROWS
        producer = pipeline.start_early(plan, any_order)
    try:
        loader = connect(request.url) if request.url else None
        if producer is not None and loader is not None:
            producer.send_formats(loader.copy_formats(plan))  # type: ignore[attr-defined]
    except BaseException:
        if producer is not None:
            producer.close()
        if loader is not None:
            loader.close()
        raise
    exporter = None
    result = SeedResult(plan, 0.0)
    tables = [seed.table for seed in plan]
    deferred = {(seed.key, link.fk.columns) for seed in plan for link in seed.deferred}
    try:
        empty = True
        if loader is not None:
            transaction = Transaction(
                loader,
                tables,
                append=request.append,
                truncate=request.truncate,
                check_empty=not sharded and not request.checked_empty,
                deferred=deferred,
            )
            empty = transaction.open()
            if request.append and not empty:
                existing = {
                    seed.key: loader.existing(
                        seed.table,
                        [c for c in seed.sequences if seed.table.column(c).kind in INTEGER_KINDS],
                    )
                    for seed in plan
                }
                plan = plan_seed(request, schema, schema_plan, existing)
                result.plan = plan
            if empty and not sharded:
                loader.prepare(tables, plan.total_rows)
        if request.export is not None:
            exporter = Exporter(request.export, plan, schema, request.models)
        overlapped = loader is not None and exporter is None and pipeline.applies(loader, plan)
        if overlapped:
            result.rows.update(pipeline.load_overlapped(loader, plan, progress, on_chunk, producer))
        store = KeyStore(plan)
        for seed in plan if not overlapped else ():
            chunks: Iterable[Chunk] = generate_table(plan, seed, store)
            if exporter is not None:
                chunks = exporter.tee(seed, chunks)
            chunks, advance = timed(progress, seed.key, seed.hi - seed.lo, chunks)
            written = write_table(
                loader,
                seed.table,
                [seed.table.column(c) for c in seed.columns],
                chunks,
                advance,
                on_chunk,
            )
            result.rows[seed.key] = written
            if progress is not None:
                progress.done(seed.key)
        for seed in plan:
            for link in seed.deferred:
                keys = [seed.table.column(c) for c in seed.table.primary_key]
                values = [seed.table.column(c) for c in link.fk.columns]
                batches: Iterable[Any] = deferred_updates(plan, seed, link, store)
                if exporter is not None:
                    batches = exporter.tee_updates(seed, keys, values, batches)
                if progress is not None:
                    progress.note(
                        f"{seed.key}: setting {', '.join(link.fk.columns)} "
                        "(closes a foreign-key cycle)"
                    )
                if loader is not None:
                    loader.update(seed.table, keys, values, iter(batches))
                else:
                    for _ in batches:
                        pass
        if loader is not None:
            if progress is not None and loader.rebuilds:
                progress.note("re-creating keys and indexes, validating foreign keys")
            loader.finish(_sequence_columns(plan))
        if exporter is not None:
            exporter.finish()
            exporter = None
        if before_commit is not None:
            if loader is not None:
                loader.check_deferred()
            before_commit(dict(result.rows))
        if loader is not None:
            loader.commit()
    except BaseException:
        if loader is not None:
            loader.rollback()
        if exporter is not None:
            exporter.abort()
        raise
    finally:
        if producer is not None:
            producer.close()
        if loader is not None:
            loader.close()
    result.seconds = time.perf_counter() - started
    return result


def write_table(
    loader: Loader | None,
    table: Table,
    columns: list,
    chunks: Iterator[Chunk],
    advance: Callable[[Chunk], None] | None,
    on_chunk: Callable[[Chunk], None] | None,
) -> int:
    def after(chunk: Chunk) -> None:
        if advance is not None:
            advance(chunk)
        if on_chunk is not None:
            on_chunk(chunk)

    if loader is None:
        written = 0
        for chunk in chunks:
            written += chunk.count
            after(chunk)
        return written
    return loader.load(TableLoad(table, columns), chunks, after)
