"""Bulk columns -> what each destination reads: PostgreSQL COPY text, CSV, driver values.

The canonical text of a value is PostgreSQL's input syntax (`t`/`f`, `2024-01-31 12:00:00+00`,
`\\x0a0b` for bytes, `{a,b}` for arrays). Seed files store it, COPY reads it, and the MySQL and
SQLite loaders convert it (or the typed column directly) to what their drivers and SQLAlchemy's
storage formats expect (CHAR(32) UUIDs, 0/1 booleans, `YYYY-MM-DD HH:MM:SS.ffffff` on SQLite).

Conversions run per column with lookup tables where the domain is small (days, seconds of the
day, fractions), so a chunk of 65,536 rows costs a few list operations per column, not a Python
call per value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import functools
import json
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np

from fixturekit.schema.model import Column, Kind
from fixturekit.values.bulk import Decimals, number_texts
from fixturekit.values.pools import object_array

NULL_TEXT = "\\N"  # COPY's and the seed files' NULL
_COPY_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_MAX_DAY_TABLE = 2_000_000
_EPOCH = dt.datetime(1970, 1, 1)


class TextColumn(list):
    """A column chunk that is canonical text already (read from a seed file), None for NULL."""


@functools.cache
def _clock_table(micro: bool, zone: str = "") -> np.ndarray:
    """ " HH:MM:SS[.ffffff][zone]" for every second of a day (the leading space included)."""
    suffix = (".000000" if micro else "") + zone
    # Built from its 24 + 60 + 60 parts: one concatenation per second, not one formatting of
    # three numbers (a quarter of the time, which the first chunk of a seed waits for).
    hours = [f" {h:02d}:" for h in range(24)]
    minutes = [f"{m:02d}:" for m in range(60)]
    seconds = [f"{s:02d}{suffix}" for s in range(60)]
    return object_array([h + m + s for h in hours for m in minutes for s in seconds])


def _day_texts(days: np.ndarray) -> np.ndarray:
    """datetime64[D] values as ISO dates, through a table of the days in range."""
    numbers = days.astype(np.int64)
    if not len(numbers):
        return object_array([])
    low, high = int(numbers.min()), int(numbers.max())
    if high - low > _MAX_DAY_TABLE:
        return object_array(np.datetime_as_string(days, unit="D").tolist())
    table = object_array(
        np.datetime_as_string(np.arange(low, high + 1).astype("datetime64[D]"), unit="D").tolist()
    )
    return table[numbers - low]


def datetime_texts(values: np.ndarray, *, micro: bool = False, zone: str = "") -> np.ndarray:
    seconds = values.astype("datetime64[s]")
    days = seconds.astype("datetime64[D]")
    clock = (seconds - days).astype(np.int64)
    return _day_texts(days) + _clock_table(micro, zone)[clock]


def _masked(values: Any) -> tuple[Any, np.ndarray | None]:
    if isinstance(values, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(values)
        return np.ma.getdata(values), mask if mask.any() else None
    return values, None


def _pg_array(items: Sequence[Any]) -> str:
    parts = []
    for item in items:
        if item is None:
            parts.append("NULL")
            continue
        text = value_text(item)
        if text is None:
            parts.append("NULL")
            continue
        text = text.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'"{text}"')
    return "{" + ",".join(parts) + "}"


def value_text(value: Any, kind: Kind | None = None) -> str | None:
    """One Python value in PostgreSQL's input syntax (the slow, general path)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.isoformat(sep=" ") + "+00"
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"{value.total_seconds():g} seconds"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.name if kind is Kind.ENUM else str(value.value)
    if isinstance(value, (list, tuple)):
        if kind is Kind.JSON:
            return json.dumps(value)
        return _pg_array(value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def texts(values: Any, column: Column) -> list[str | None]:
    """A column chunk as canonical text, None for NULL."""
    return _texts(values, column)[0]


def _texts(values: Any, column: Column) -> tuple[list[Any], bool, bool]:
    """(texts, has NULLs, may need escaping): the last two let callers skip whole passes."""
    if isinstance(values, Decimals):
        out = values.texts()
        return out, bool(values.mask.any()), False
    data, mask = _masked(values)
    kind = column.kind
    plain = True  # numbers, dates and booleans never contain a character to escape
    if isinstance(data, np.ndarray) and data.dtype != object:
        code = data.dtype.kind
        if code in "iu":
            out: list[Any] = number_texts(data.astype(np.int64))
        elif code == "b":
            out = object_array(["f", "t"])[data.astype(np.intp)].tolist()
        elif code == "f":
            out = list(map(repr, data.tolist()))
        elif code == "M":
            if np.datetime_data(data.dtype)[0] == "D" and kind is not Kind.DATETIME:
                out = _day_texts(data).tolist()
            else:
                zone = "+00" if column.type.timezone else ""
                out = datetime_texts(data, zone=zone).tolist()
        elif code == "m":
            out = [f"{s} seconds" for s in data.astype("timedelta64[s]").astype(np.int64).tolist()]
        else:
            out, plain = [value_text(v, kind) for v in data.tolist()], False
    else:
        plain = False
        items = data.tolist() if isinstance(data, np.ndarray) else list(data)
        # The types, not the values, are compared in Python: a set of one type per chunk.
        out = items if set(map(type, items)) <= {str} else [value_text(v, kind) for v in items]
    has_null = mask is not None
    if has_null:
        for i in np.flatnonzero(mask).tolist():
            out[i] = None
    elif not plain:
        has_null = None in out
    return out, has_null, not plain


# --- PostgreSQL COPY text ----------------------------------------------------------------------


def copy_field_texts(values: Any, column: Column) -> list[str]:
    """Texts escaped for COPY's text format, with NULL as \\N."""
    out, has_null, may_escape = _texts(values, column)
    if may_escape:
        joined = "\x00".join([v for v in out if v is not None] if has_null else out)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            out = [v.translate(_COPY_SPECIAL) if v is not None else None for v in out]
    if has_null:
        out = [NULL_TEXT if v is None else v for v in out]
    return out


def copy_text(columns: list[list[str]]) -> bytes:
    """Rows of COPY text (already escaped fields) as one buffer."""
    if not columns or not columns[0]:
        return b""
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode()


def copy_chunk(seed: Any, columns: dict[str, Any]) -> bytes:
    """One generated chunk of `seed` (a TableSeed) as COPY text, its columns in `seed.columns`
    order: what the PostgreSQL loader writes, rendered where the worker process can do it."""
    table = seed.table
    return copy_text([copy_field_texts(columns[c], table.column(c)) for c in seed.columns])


# --- CSV (seed files) ----------------------------------------------------------------------------

_CSV_QUOTE_TRIGGERS = (",", '"', "\n", "\r")


def csv_field_texts(values: Any, column: Column) -> list[str]:
    """Fields for a seed file: canonical text, quoted when needed, NULL as \\N.

    A text value that is exactly `\\N` cannot be told from NULL when read back.
    """
    out, has_null, may_escape = _texts(values, column)
    if may_escape:
        joined = "\x00".join([v for v in out if v is not None] if has_null else out)
        if any(t in joined for t in _CSV_QUOTE_TRIGGERS):
            out = [
                '"' + v.replace('"', '""') + '"'
                if v is not None and any(t in v for t in _CSV_QUOTE_TRIGGERS)
                else v
                for v in out
            ]
    if has_null:
        out = [NULL_TEXT if v is None else v for v in out]
    return out


# --- drivers (MariaDB / MySQL, SQLite) -----------------------------------------------------------


def driver_values(values: Any, column: Column, dialect: str) -> list[Any]:
    """A column chunk as the values a DB-API driver takes for `dialect` ("mysql" / "sqlite").

    The representations are SQLAlchemy's own for these dialects, so rows seeded here read back
    through the ORM exactly like rows the application wrote.
    """
    kind = column.kind
    if isinstance(values, TextColumn):
        return [text_to_driver(v, column, dialect) for v in values]
    if isinstance(values, Decimals):
        return values.texts()
    data, mask = _masked(values)
    out: list[Any]
    micro = dialect == "sqlite"
    if isinstance(data, np.ndarray) and data.dtype != object:
        code = data.dtype.kind
        if code in "iub" or code == "f":
            out = data.tolist()
            if code == "b":
                out = [int(v) for v in out]
        elif code == "M":
            if np.datetime_data(data.dtype)[0] == "D" and kind is not Kind.DATETIME:
                out = _day_texts(data).tolist()
            else:
                out = datetime_texts(data, micro=micro).tolist()
        elif code == "m":
            moments = np.datetime64(_EPOCH, "s") + data.astype("timedelta64[s]")
            out = datetime_texts(moments, micro=micro).tolist()
        else:
            out = data.tolist()
    else:
        items = data.tolist() if isinstance(data, np.ndarray) else list(data)
        out = [_driver_value(v, kind, micro) for v in items]
    if kind is Kind.UUID:
        out = [v.replace("-", "") if isinstance(v, str) else v for v in out]
    if mask is not None:
        for i in np.flatnonzero(mask).tolist():
            out[i] = None
    return out


def _driver_value(value: Any, kind: Kind, micro: bool) -> Any:
    if value is None or isinstance(value, (str, int, float, bytes)):
        if isinstance(value, str) and kind is Kind.BINARY and value.startswith("\\x"):
            return bytes.fromhex(value[2:])
        return int(value) if isinstance(value, bool) else value
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        return text + f".{value.microsecond:06d}" if micro else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S") + (f".{value.microsecond:06d}" if micro else "")
    if isinstance(value, dt.timedelta):
        return _driver_value(_EPOCH + value, kind, micro)
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, enum.Enum):
        return value.name if kind is Kind.ENUM else value.value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def text_to_driver(text: str | None, column: Column, dialect: str) -> Any:
    """A seed-file field (canonical text) as a driver value for MariaDB/MySQL or SQLite."""
    if text is None:
        return None
    kind = column.kind
    if kind is Kind.BOOLEAN:
        return 1 if text in ("t", "true", "1") else 0
    if kind is Kind.BINARY:
        return bytes.fromhex(text[2:]) if text.startswith("\\x") else text.encode()
    if kind is Kind.UUID:
        return text.replace("-", "")
    if kind is Kind.DATETIME:
        text = text.removesuffix("+00")
        if dialect == "sqlite" and "." not in text and len(text) == 19:
            return text + ".000000"
        return text
    if kind is Kind.TIME and dialect == "sqlite" and "." not in text:
        return text + ".000000"
    if kind is Kind.INTERVAL:
        seconds = float(text.split()[0])
        return _driver_value(dt.timedelta(seconds=seconds), kind, dialect == "sqlite")
    return text
