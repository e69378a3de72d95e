"""`fixturekit seed --like SOURCE`: learn a seed configuration from a database's statistics.

One more reader, from catalog statistics to the seed configuration's own types: the seeder
reads the result like a configuration a person wrote, and never the source itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer.plan import SchemaPlan
from fixturekit.seed.learn.derive import Learned, derive_config
from fixturekit.seed.learn.toml_out import dump_config

__all__ = ["Learned", "follow_counts", "learn_config", "merge_configs", "write_config"]


def learn_config(source_url: str, plan: SchemaPlan, scale: float = 1.0) -> Learned:
    """The configuration learned from `source_url`'s statistics (no table rows are read on
    PostgreSQL; MariaDB's persistent statistics where ANALYZE recorded them, see `mariadb`;
    elsewhere a bounded sample, see `sample`)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from fixturekit.seed.load import redact

    if scale <= 0:
        raise FixturekitError(f"--scale {scale}: give a positive factor, e.g. --scale 0.1.")
    try:
        url = make_url(source_url)
    except ArgumentError:
        raise FixturekitError(
            "--like: that is not a database URL.",
            hint="Write it as SQLAlchemy does: postgresql+psycopg://user@host/db",
        ) from None
    shown = redact(source_url)
    engine = create_engine(url, **_connect_args(url))
    try:
        with engine.connect() as connection:
            stats = _read(connection, url.get_backend_name())
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0:1]
        raise FixturekitError(
            f"--like: cannot read statistics from {shown}: {first[0] if first else exc}",
            hint="Check that the source server is up and the URL is right.",
        ) from None
    finally:
        engine.dispose()
    return derive_config(stats, plan, scale, source=shown)


def _connect_args(url: Any) -> dict[str, Any]:
    if url.get_backend_name() == "postgresql":
        return {"connect_args": {"connect_timeout": 5, "application_name": "fixturekit seed"}}
    if url.get_backend_name() in ("mysql", "mariadb"):
        return {"connect_args": {"connect_timeout": 5}}
    return {}


def _read(connection: Any, backend: str):
    if backend == "postgresql":
        from fixturekit.seed.learn.postgres import read_pg_stats

        return read_pg_stats(connection)
    if backend in ("mysql", "mariadb") and connection.dialect.is_mariadb:
        from fixturekit.seed.learn.mariadb import read_mariadb_stats

        return read_mariadb_stats(connection)
    from fixturekit.seed.learn.sample import read_sample

    return read_sample(connection)


def follow_counts(learned: dict[str, Any], schema: Any, given: set[str]) -> dict[str, Any]:
    """Learned counts of tables whose children-per-parent hang on a table the user counted
    (`--rows users=100`) are dropped, so they follow that count with the learned shape."""
    tables = {name: dict(spec) for name, spec in learned.get("tables", {}).items()}
    decided = set(given)
    changed = True
    while changed:
        changed = False
        for name, spec in tables.items():
            if name in decided or "rows" not in spec:
                continue
            table = next((t for t in schema if t.name == name), None)
            if table is None:
                continue
            parents = {
                fk.referred_table.rsplit(".", 1)[-1]
                for fk in table.foreign_keys
                if set(fk.columns) & set(spec.get("per_parent", {}))
            }
            if parents & decided:
                del spec["rows"]
                decided.add(name)
                changed = True
    return {**learned, "tables": tables}


def merge_configs(learned: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """The learned configuration under the user's own: what the user wrote wins, key by key."""
    merged = {k: v for k, v in learned.items()}
    for key, value in own.items():
        if key == "tables" and isinstance(value, dict):
            tables = {name: dict(spec) for name, spec in learned.get("tables", {}).items()}
            for name, spec in value.items():
                base = tables.setdefault(name, {})
                for part, content in spec.items():
                    if isinstance(content, dict) and isinstance(base.get(part), dict):
                        base[part] = {**base[part], **content}
                    else:
                        base[part] = content
            merged["tables"] = tables
        else:
            merged[key] = value
    return merged


def write_config(learned: Learned, path: Path, source: str) -> None:
    header = [
        f"# Learned by `fixturekit seed --like` from {source}",
        f"# ({learned.how}). Only statistics were read: counts, NULL rates, ranges, and the",
        "# weights of closed domains (enums, status codes). Edit freely; use it with",
        "# `fixturekit seed MODELS --config THIS_FILE`, or paste it under [tool.fixturekit.seed].",
    ]
    try:
        path.write_text("\n".join(header) + "\n\n" + dump_config(learned.raw))
    except OSError as exc:
        raise FixturekitError(
            f"--like-out {path}: cannot write the file ({exc.strerror or exc}).",
            hint="Choose a folder you can write to.",
        ) from None
