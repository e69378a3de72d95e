"""`fixturekit load`: seed files written by `seed --export`, checked against the current models,
loaded into a database with the same all-or-nothing transaction as `seed`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fixturekit.errors import FixturekitError
from fixturekit.schema.model import INTEGER_KINDS
from fixturekit.seed.columns import Chunk
from fixturekit.seed.files import read_chunks, read_manifest, recorded_models
from fixturekit.seed.load import connect
from fixturekit.seed.plan import SeedPlan
from fixturekit.seed.progress import Progress
from fixturekit.seed.run import SeedResult, Transaction, read_schema_spec, timed, write_table


@dataclass
class LoadRequest:
    folder: Path
    url: str
    models: str | None = None
    append: bool = False
    truncate: bool = False


def run_load(
    request: LoadRequest,
    progress: Progress | None = None,
    on_chunk: Callable[[Chunk], None] | None = None,
) -> SeedResult:
    """Load seed files after checking them against the current models."""
    from fixturekit.seed.files import describe_schema, drift
    from fixturekit.seed.plan import TableSeed

    if request.append and request.truncate:
        raise FixturekitError("--append and --truncate contradict each other; choose one.")
    started = time.perf_counter()
    manifest = read_manifest(request.folder)
    models = request.models or recorded_models(manifest)
    if not models:
        raise FixturekitError("The manifest does not name the models; pass --models.")
    schema = read_schema_spec(models, request.url)
    entries = manifest.data["tables"]
    changes = drift(
        manifest.data.get("schema", {}), describe_schema(schema), [e["table"] for e in entries]
    )
    if changes:
        raise FixturekitError(
            f"The seed files in {request.folder} were made for another version of the models; "
            "nothing was written:\n  - " + "\n  - ".join(changes),
            hint=f"Regenerate them: fixturekit seed {models} --export {request.folder} "
            f"--seed {manifest.data.get('seed', 0)}",
        )
    for entry in entries + manifest.data.get("cycles", []):
        if not (request.folder / entry["file"]).is_file():
            raise FixturekitError(f"{request.folder / entry['file']} is missing.")
    tables = [schema.table(e["table"]) for e in entries]
    deferred = {(c["table"], tuple(c["columns"])) for c in manifest.data.get("cycles", [])}
    loader = connect(request.url)
    result = SeedResult(SeedPlan({}, int(manifest.data.get("seed", 0)), manifest.today), 0.0)
    try:
        transaction = Transaction(
            loader,
            tables,
            append=request.append,
            truncate=request.truncate,
            check_empty=True,
            deferred=deferred,
        )
        if transaction.open():
            loader.prepare(tables, sum(int(e["rows"]) for e in entries))
        for entry, table in zip(entries, tables, strict=True):
            columns = [table.column(c) for c in entry["columns"]]
            placeholder = TableSeed(table, rows=int(entry["rows"]))
            chunks = (
                Chunk(placeholder, 0, count, values)
                for values, count in read_chunks(request.folder / entry["file"], entry["columns"])
            )
            chunks, advance = timed(progress, table.key, int(entry["rows"]), chunks)
            result.rows[table.key] = write_table(loader, table, columns, chunks, advance, on_chunk)
            if progress is not None:
                progress.done(table.key)
        for cycle in manifest.data.get("cycles", []):
            table = schema.table(cycle["table"])
            keys = [table.column(c) for c in cycle["keys"]]
            values = [table.column(c) for c in cycle["columns"]]
            names = cycle["keys"] + cycle["columns"]
            batches = (
                (
                    {k: v for k, v in data.items() if k in cycle["keys"]},
                    {k: v for k, v in data.items() if k in cycle["columns"]},
                    count,
                )
                for data, count in read_chunks(request.folder / cycle["file"], names)
            )
            loader.update(table, keys, values, batches)
        loader.finish(
            [
                (t, c.name, None)
                for t in tables
                for c in t.columns
                if c.autoincrement and c.kind in INTEGER_KINDS
            ]
        )
        loader.commit()
    except BaseException:
        loader.rollback()
        raise
    finally:
        loader.close()
    result.seconds = time.perf_counter() - started
    return result
