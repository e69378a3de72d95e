"""Versioned seed files: one CSV per table plus a manifest, written by `seed --export DIR` and
read back by `fixturekit load DIR`.

Values are in canonical text (PostgreSQL's input syntax, NULL as `\\N`), rows in generation
order, so regenerating after a schema change rewrites only what changed: a new column is a new
CSV column; the other columns keep their values (see `fixturekit.seed.columns`).

The manifest records the models spec, the seed, the anchor date, row counts and a description
of the schema the files were made for. `load` compares that description with the current models
and explains any drift (missing, extra or retyped columns, changed keys) before writing.
Foreign keys that close a cycle are in `<table>.cycle.csv` files: primary key plus the key's
columns, applied after every table is loaded, as in a direct seed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError, cannot_write
from fixturekit.schema.model import Column, Schema, Table
from fixturekit.seed.columns import Chunk
from fixturekit.seed.encode import NULL_TEXT, TextColumn, csv_field_texts
from fixturekit.seed.plan import CHUNK_ROWS, SeedPlan, TableSeed

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
csv.field_size_limit(2**31 - 1)


def column_type_text(column: Column) -> str:
    """A column's type as the manifest records it: enough to tell a retyped column."""
    ctype = column.type
    text = ctype.kind.value
    if ctype.length is not None:
        text += f"({ctype.length})"
    elif ctype.precision is not None and ctype.scale is not None:
        text += f"({ctype.precision},{ctype.scale})"
    if ctype.enum_values:
        text += "[" + ",".join(ctype.enum_values) + "]"
    if ctype.item is not None:
        text += f" of {ctype.item.kind.value}"
    if ctype.timezone:
        text += " with time zone"
    return text + ("" if column.nullable else " not null")


def describe_schema(schema: Schema) -> dict[str, Any]:
    tables = {}
    for table in sorted(schema, key=lambda t: t.key):
        tables[table.key] = {
            "columns": {c.name: column_type_text(c) for c in table.columns},
            "primary_key": list(table.primary_key),
            "foreign_keys": sorted(
                f"({', '.join(fk.columns)}) -> "
                f"{fk.referred_table}({', '.join(fk.referred_columns)})"
                for fk in table.foreign_keys
            ),
            "unique": sorted(", ".join(s) for s in table.unique_sets()),
        }
    return tables


def fingerprint(description: dict[str, Any]) -> str:
    canonical = json.dumps(description, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def drift(recorded: dict[str, Any], current: dict[str, Any], loaded: list[str]) -> list[str]:
    """What changed between the schema the files were made for and the current one."""
    problems = []
    for key in loaded:
        if key not in current:
            problems.append(f"table {key} is in the files but not in the models")
            continue
        was, now = recorded.get(key, {}), current[key]
        for name, kind in was.get("columns", {}).items():
            if name not in now["columns"]:
                problems.append(f"{key}.{name} is in the files but no longer in the models")
            elif now["columns"][name] != kind:
                problems.append(
                    f"{key}.{name} was {kind}, the models now say {now['columns'][name]}"
                )
        for name, kind in now["columns"].items():
            if name not in was.get("columns", {}):
                problems.append(f"{key}.{name} ({kind}) is new in the models, not in the files")
        for facet in ("primary_key", "foreign_keys", "unique"):
            if was.get(facet) != now.get(facet):
                problems.append(
                    f"{key}: {facet.replace('_', ' ')} changed "
                    f"({was.get(facet)} -> {now.get(facet)})"
                )
    return problems


class Exporter:
    """Writes seed files into a temporary folder, moved into place only when all went well."""

    def __init__(self, folder: Path, plan: SeedPlan, schema: Schema, models: str) -> None:
        self.folder = folder
        self.plan = plan
        self.schema = schema
        self.models = models
        if folder.exists() and not folder.is_dir():
            raise FixturekitError(f"--export {folder}: it exists and is not a folder.")
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            self._temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
            os.chmod(self._temp, _folder_mode(folder))  # mkdtemp makes it private (0700)
        except OSError as exc:
            raise self._cannot(exc) from None
        self._tables: list[dict[str, Any]] = []
        self._cycles: list[dict[str, Any]] = []

    def tee(self, seed: TableSeed, chunks: Iterable[Chunk]) -> Iterator[Chunk]:
        columns = [seed.table.column(c) for c in seed.columns]
        path = self._temp / f"{_file_stem(seed.table)}.csv"
        rows = 0
        with self._writing(path) as handle:
            handle.write(",".join(_header(c.name) for c in columns) + "\n")
            for chunk in chunks:
                fields = [csv_field_texts(chunk.columns[c.name], c) for c in columns]
                if chunk.count:
                    handle.write("\n".join(map(",".join, zip(*fields, strict=True))) + "\n")
                rows += chunk.count
                yield chunk
        self._tables.append(
            {
                "table": seed.key,
                "file": path.name,
                "rows": rows,
                "columns": [c.name for c in columns],
            }
        )

    def tee_updates(
        self,
        seed: TableSeed,
        keys: list[Column],
        values: list[Column],
        batches: Iterable[tuple[dict[str, Any], dict[str, Any], int]],
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any], int]]:
        path = self._temp / f"{_file_stem(seed.table)}.cycle.{'-'.join(c.name for c in values)}.csv"
        with self._writing(path) as handle:
            handle.write(",".join(_header(c.name) for c in keys + values) + "\n")
            for key_values, new_values, count in batches:
                fields = [csv_field_texts(key_values[c.name], c) for c in keys]
                fields += [csv_field_texts(new_values[c.name], c) for c in values]
                if count:
                    handle.write("\n".join(map(",".join, zip(*fields, strict=True))) + "\n")
                yield key_values, new_values, count
        self._cycles.append(
            {
                "table": seed.key,
                "file": path.name,
                "keys": [c.name for c in keys],
                "columns": [c.name for c in values],
            }
        )

    def finish(self) -> None:
        description = describe_schema(self.schema)
        manifest = {
            "fixturekit_seed_files": FORMAT_VERSION,
            "models": self.models,
            "seed": self.plan.seed,
            "today": self.plan.today.isoformat(),
            "schema_fingerprint": fingerprint(description),
            "tables": self._tables,
            "cycles": self._cycles,
            "schema": description,
        }
        try:
            with self._writing(self._temp / MANIFEST) as handle:
                handle.write(json.dumps(manifest, indent=2) + "\n")
            self._keep_other_files()
            swap_in(self._temp, self.folder)
        except OSError as exc:
            raise self._cannot(exc) from None

    def _keep_other_files(self) -> None:
        """Files of the old folder that are not seed files (a README, .gitattributes) come
        along; seed files of tables no longer seeded do not."""
        if not self.folder.is_dir():
            return
        for item in self.folder.iterdir():
            if item.name == MANIFEST or item.suffix == ".csv":
                continue
            target = self._temp / item.name
            if item.is_dir() and not item.is_symlink():
                shutil.copytree(item, target, symlinks=True)
            else:
                shutil.copy2(item, target, follow_symlinks=False)

    @contextlib.contextmanager
    def _writing(self, path: Path) -> Iterator[Any]:
        """A file of the new folder; a full disk or a refused write is one clear message."""
        try:
            with path.open("w", encoding="utf-8", newline="") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise self._cannot(exc) from None

    def _cannot(self, exc: OSError) -> FixturekitError:
        unchanged = (
            f"The previous seed files in {self.folder} were left as they were."
            if (self.folder / MANIFEST).exists()
            else "Nothing was written."
        )
        return cannot_write(self.folder, exc, unchanged)

    def abort(self) -> None:
        shutil.rmtree(self._temp, ignore_errors=True)


def _folder_mode(folder: Path) -> int:
    if folder.is_dir():
        return folder.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def swap_in(new: Path, folder: Path) -> None:
    """Put the folder `new` in the place of `folder`: rename the old one aside, rename the new
    one in, delete the old one. Both renames are within one parent folder, so each is atomic;
    if the second fails the old folder is renamed back, as it was."""
    if not folder.exists():
        os.rename(new, folder)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    aside.rmdir()  # only the unique name is wanted: rename needs the target absent
    os.rename(folder, aside)
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(aside, folder)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _file_stem(table: Table) -> str:
    return table.key.replace("/", "_")


def _header(name: str) -> str:
    return f'"{name}"' if any(c in name for c in ',"\n') else name


# --- reading -----------------------------------------------------------------------------------


@dataclass
class Manifest:
    folder: Path
    data: dict[str, Any]

    @property
    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.data["today"])

    @property
    def models(self) -> str:
        return self.data.get("models", "")


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if path.is_symlink() and not _inside(path, folder):
        raise FixturekitError(
            f"{path} points outside {folder}; `fixturekit load` reads only files inside the "
            "folder it is given. Nothing was read."
        )
    if not path.is_file():
        raise FixturekitError(
            f"{folder} has no {MANIFEST}: it is not a folder written by `fixturekit seed --export`."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FixturekitError(f"{path} cannot be read: {exc}.") from None
    if not isinstance(data, dict) or data.get("fixturekit_seed_files") != FORMAT_VERSION:
        raise FixturekitError(
            f"{path} is not a fixturekit seed-files manifest of version {FORMAT_VERSION}."
        )
    _check_entries(folder, path, data)
    return Manifest(folder, data)


def recorded_models(manifest: Manifest) -> str:
    """The models spec the manifest recorded, when it is safe to import on the folder's word.

    Importing models runs their code, so a folder must not bring the code it asks to run: a
    spec naming a file inside the seed folder itself is refused, and the user passes --models.
    """
    spec = manifest.models
    for part in spec.replace(",", " ").split():
        target = part.rpartition(":")[0] if ":" in part[2:] else part
        if target.endswith(".py") and _inside(Path(target), manifest.folder):
            raise FixturekitError(
                f"The manifest of {manifest.folder} names models inside that folder ({target}); "
                "`fixturekit load` does not run code that comes with the seed files. "
                "Nothing was read.",
                hint="Pass the project's own models: fixturekit load FOLDER --url URL "
                "--models app/models.py",
            )
    return spec


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _check_entries(folder: Path, manifest: Path, data: dict[str, Any]) -> None:
    """Every file the manifest names is a plain name of a file inside `folder`: a path such as
    `../../etc/passwd`, an absolute path, or a link leading out of the folder is refused by name,
    before any of them is opened."""
    tables, cycles = data.get("tables"), data.get("cycles", [])
    if not isinstance(tables, list) or not isinstance(cycles, list):
        raise FixturekitError(f"{manifest}: 'tables' and 'cycles' must be lists.")
    listed = [(entry, False) for entry in tables] + [(entry, True) for entry in cycles]
    for number, (entry, is_cycle) in enumerate(listed, 1):
        where = f"{manifest}, entry {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("table"), str):
            raise FixturekitError(f"{where}: not a table entry (no 'table' name).")
        name = entry.get("file")
        if not isinstance(name, str) or not name:
            raise FixturekitError(f"{where} ({entry['table']}): no 'file' name.")
        names = ("columns", "keys") if is_cycle else ("columns",)
        for key in names:
            value = entry.get(key)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise FixturekitError(f"{where} ({entry['table']}): '{key}' must list names.")
        if not is_cycle and not (isinstance(entry.get("rows"), int) and entry["rows"] >= 0):
            raise FixturekitError(f"{where} ({entry['table']}): 'rows' must be a count.")
        plain = (
            "/" not in name
            and "\\" not in name
            and name not in (".", "..")
            and not Path(name).is_absolute()
            and "\0" not in name
        )
        if not plain or not _inside(folder / name, folder):
            raise FixturekitError(
                f"{where} ({entry['table']}) names the file {name!r}, which is not inside "
                f"{folder}; `fixturekit load` reads only files inside the folder it is given. "
                "Nothing was read or written.",
                hint="Seed files name their CSVs by plain file name; regenerate the folder with "
                "`fixturekit seed --export` if it was edited.",
            )


def read_chunks(
    path: Path, names: list[str], seed: TableSeed | None = None, chunk_rows: int = CHUNK_ROWS
) -> Iterator[tuple[dict[str, TextColumn], int]]:
    """A seed file's rows in chunks of columns (text)."""
    try:
        yield from _read_chunks(path, names, chunk_rows)
    except UnicodeDecodeError:
        raise FixturekitError(
            f"{path.name}, line {_first_undecodable_line(path)}: not UTF-8 text. Seed files are "
            "UTF-8; nothing was written.",
            hint="Re-save the file as UTF-8, or regenerate the folder with "
            "`fixturekit seed --export`.",
        ) from None


def _first_undecodable_line(path: Path) -> int:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _read_chunks(
    path: Path, names: list[str], chunk_rows: int
) -> Iterator[tuple[dict[str, TextColumn], int]]:
    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != names:
            raise FixturekitError(f"{path.name}: its columns {header} do not match the manifest.")
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) >= chunk_rows:
                yield _columns(batch, names, path), len(batch)
                batch = []
        if batch:
            yield _columns(batch, names, path), len(batch)


def _columns(batch: list[list[str]], names: list[str], path: Path) -> dict[str, TextColumn]:
    width = len(names)
    if any(len(row) != width for row in batch):
        raise FixturekitError(f"{path.name}: a row does not have {width} fields.")
    out = {}
    for i, name in enumerate(names):
        out[name] = TextColumn(None if row[i] == NULL_TEXT else row[i] for row in batch)
    return out
