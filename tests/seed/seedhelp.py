"""Helpers for the seeding tests: schemas from models, table contents and their hashes."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

HERE = Path(__file__).resolve().parent
SHOP_V1 = f"{HERE / 'shop_v1.py'}:Base"
SHOP_V2 = f"{HERE / 'shop_v2.py'}:Base"
KITCHEN_SINK = f"{HERE.parent / 'schemas' / 'kitchen_sink.py'}:Base"
TODAY = dt.date(2025, 6, 1)


def create_schema(url: URL, models: str) -> None:
    from fixturekit.schema.loading import load_models

    engine = create_engine(url)
    try:
        for metadata in load_models(models).metadatas:
            metadata.create_all(engine)
    finally:
        engine.dispose()


def _plain(value: Any) -> str:
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(round(value, 9))
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def quote(url: URL, name: str) -> str:
    return f"`{name}`" if url.get_backend_name() in ("mysql", "mariadb") else f'"{name}"'


def table_rows(
    url: URL, table: str, columns: list[str] | None = None, order: str = "id"
) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            listed = ", ".join(quote(url, c) for c in columns) if columns else "*"
            query = f"SELECT {listed} FROM {quote(url, table)} ORDER BY {order}"
            return [tuple(row) for row in conn.execute(text(query))]
    finally:
        engine.dispose()


def table_hash(url: URL, table: str, columns: list[str] | None = None, order: str = "id") -> str:
    digest = hashlib.sha256()
    for row in table_rows(url, table, columns, order):
        digest.update("\x1f".join(_plain(v) for v in row).encode() + b"\x1e")
    return digest.hexdigest()


def count(url: URL, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {quote(url, table)}")).scalar_one()
    finally:
        engine.dispose()
