"""Chunks as PostgreSQL's binary COPY format, assembled with numpy.

Text COPY makes the server parse every value (a timestamp's text is several times the work of
its 8 bytes) and makes the renderer format every value; the binary format is the server's own
representation, which numpy produces a column at a time. A table is loaded in binary when every
one of its columns has a type this module encodes (`WIRE_TYPES`, read from the server's catalog
by the loader); otherwise it is loaded as text.

The stream is PostgreSQL's documented layout: a signature and header (`SIGNATURE`, sent once per
COPY), then per row an int16 field count and per field an int32 length (-1 for NULL) and the
bytes, then the int16 trailer -1 (`TRAILER`). Everything is big-endian.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fixturekit.schema.model import Column
from fixturekit.values.bulk import Decimals

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"

# Wire types encoded here, by pg_type.typname ("enum" stands for every enum type).
WIRE_TYPES = frozenset(
    {"int2", "int4", "int8", "bool", "float4", "float8", "date", "timestamp", "timestamptz"}
    | {"numeric", "text", "varchar", "enum"}
)
_FIXED = {"int2": ">i2", "int4": ">i4", "int8": ">i8", "float4": ">f4", "float8": ">f8"}
_PG_EPOCH_DAYS = 10957  # 2000-01-01, PostgreSQL's epoch, in days since 1970-01-01
_PG_EPOCH_MICROS = _PG_EPOCH_DAYS * 86_400_000_000


class _Field:
    """One column of a chunk, encoded: either a fixed-width block (rows x width bytes) or
    variable-width bytes laid end to end in row order with their lengths; NULLs masked."""

    def __init__(
        self,
        nulls: np.ndarray | None,
        fixed: np.ndarray | None = None,
        data: np.ndarray | None = None,
        lengths: np.ndarray | None = None,
    ) -> None:
        self.nulls = nulls  # bool per row, or None: no NULL
        self.fixed = fixed  # (rows, width) uint8
        self.data = data  # uint8, the non-NULL values' bytes end to end
        self.lengths = lengths  # int64 per row, 0 for NULL (variable width only)

    def sizes(self, rows: int) -> np.ndarray:
        """Bytes of each row's value (without the length word), -1 for NULL."""
        if self.fixed is not None:
            out = np.full(rows, self.fixed.shape[1], dtype=np.int64)
        else:
            out = self.lengths.astype(np.int64, copy=True)
        if self.nulls is not None:
            out[self.nulls] = -1
        return out


def _nulls(values: Any) -> tuple[Any, np.ndarray | None]:
    if isinstance(values, Decimals):
        mask = values.mask
        return np.ma.getdata(values.units), mask if mask.any() else None
    if isinstance(values, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(values)
        return np.ma.getdata(values), mask if mask.any() else None
    return values, None


def _block(array: np.ndarray) -> np.ndarray:
    """A 1-d array of big-endian scalars (or rows of them) as (rows, width) bytes."""
    array = np.ascontiguousarray(array)
    return array.view(np.uint8).reshape(len(array), -1)


def _numeric(units: np.ndarray, places: int) -> np.ndarray:
    """Fixed-point units (value = units / 10**places) as PostgreSQL numerics of one width:
    ndigits, weight, sign, dscale, then base-10000 digits. Leading and trailing zero digits are
    allowed on the wire (the server strips them), so every value has the same digit count."""
    units = units.astype(np.int64)
    fraction_groups = -(-places // 4)
    # The whole part and the fraction apart: scaling the units to whole base-10000 groups
    # first would overflow 64 bits for wide numerics (Numeric(20, 2)).
    whole, fraction = np.divmod(np.abs(units), 10**places)
    if 4 * fraction_groups > 18:  # a scale past 16: Python integers, slower but exact
        fraction = fraction.astype(object)
    fraction = fraction * 10 ** (4 * fraction_groups - places)
    top = int(whole.max()) if len(whole) else 0
    whole_groups = 1
    while top >= 10000**whole_groups:
        whole_groups += 1
    groups = whole_groups + fraction_groups
    digits = np.empty((len(units), groups), dtype=">i2")
    for i in range(whole_groups - 1, -1, -1):
        whole, digits[:, i] = np.divmod(whole, 10000)
    for i in range(groups - 1, whole_groups - 1, -1):
        fraction, digits[:, i] = np.divmod(fraction, 10000)
    header = np.empty((len(units), 4), dtype=">i2")
    header[:, 0] = groups
    header[:, 1] = whole_groups - 1  # weight of the first digit
    header[:, 2] = np.where(units < 0, 0x4000, 0)
    header[:, 3] = places
    return np.concatenate([_block(header), _block(digits)], axis=1)


def _text(values: Any, column: Column) -> _Field:
    from fixturekit.seed.encode import texts

    out = texts(values, column)
    nulls = None
    if None in out:
        nulls = np.fromiter((v is None for v in out), dtype=bool, count=len(out))
        out = ["" if v is None else v for v in out]
    lengths = np.fromiter(map(len, out), dtype=np.int64, count=len(out))
    joined = "".join(out).encode()
    if len(joined) != int(lengths.sum()):  # not all ASCII: byte lengths value by value
        encoded = [v.encode() for v in out]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        joined = b"".join(encoded)
    return _Field(nulls, data=np.frombuffer(joined, dtype=np.uint8), lengths=lengths)


def _field(values: Any, column: Column, wire: str) -> _Field:
    if wire in ("text", "varchar", "enum"):
        return _text(values, column)
    data, nulls = _nulls(values)
    if wire == "numeric":
        if isinstance(values, Decimals):
            return _Field(nulls, fixed=_numeric(data, values.places))
        if isinstance(data, np.ndarray) and data.dtype.kind in "iu":
            return _Field(nulls, fixed=_numeric(data, 0))
        return _numeric_from_text(values, column)
    if not isinstance(data, np.ndarray) or data.dtype == object:
        data = np.asarray(_python_values(data, wire))
    if wire in _FIXED:
        return _Field(nulls, fixed=_block(data.astype(_FIXED[wire])))
    if wire == "bool":
        return _Field(nulls, fixed=_block(data.astype(np.uint8)))
    if wire == "date":
        days = data.astype("datetime64[D]").astype(np.int64) - _PG_EPOCH_DAYS
        return _Field(nulls, fixed=_block(days.astype(">i4")))
    micros = data.astype("datetime64[us]").astype(np.int64) - _PG_EPOCH_MICROS
    return _Field(nulls, fixed=_block(micros.astype(">i8")))


def _python_values(items: Any, wire: str) -> list[Any]:
    """Object columns (rare in bulk generation) as plain numbers or numpy datetimes."""
    items = list(items)
    if wire in ("timestamp", "timestamptz"):
        import datetime as dt

        def naive(v: Any) -> Any:
            if isinstance(v, dt.datetime) and v.tzinfo is not None:
                v = v.astimezone(dt.UTC).replace(tzinfo=None)
            return np.datetime64(v, "us") if v is not None else np.datetime64(0, "us")

        return [naive(v) for v in items]
    if wire == "date":
        return [np.datetime64(v, "D") if v is not None else np.datetime64(0, "D") for v in items]
    return [0 if v is None else v for v in items]


def _numeric_from_text(values: Any, column: Column) -> _Field:
    """Numerics that are not fixed-point units (Python Decimals, floats): through their
    canonical text, at the largest scale any of them has."""
    from fixturekit.seed.encode import texts

    out = texts(values, column)
    present = [v for v in out if v is not None]
    places = max((len(v.partition(".")[2]) for v in present), default=0)
    units = np.zeros(len(out), dtype=np.int64)
    for i, v in enumerate(out):
        if v is not None:
            whole, _, frac = v.partition(".")
            sign = -1 if whole.startswith("-") else 1
            fraction = int((frac + "0" * places)[:places] or 0)
            units[i] = sign * (int(whole.lstrip("-") or 0) * 10**places + fraction)
    nulls = np.fromiter((v is None for v in out), dtype=bool, count=len(out))
    return _Field(nulls if nulls.any() else None, fixed=_numeric(units, places))


def binary_chunk(seed: Any, columns: dict[str, Any], wires: list[str]) -> bytes:
    """One chunk's rows in the binary COPY format (no signature, no trailer), its columns in
    `seed.columns` order with the wire types `wires`."""
    table = seed.table
    fields = [
        _field(columns[name], table.column(name), wire)
        for name, wire in zip(seed.columns, wires, strict=True)
    ]
    rows = len(columns[seed.columns[0]]) if seed.columns else 0
    if not rows:
        return b""
    records, varying = _pieces(fields, rows)
    if not varying:  # every value of fixed width, none NULL: a row is one packed record
        return records[0].tobytes()
    return _assembled(records, varying, rows)


def _pieces(
    fields: list[_Field], rows: int
) -> tuple[list[np.ndarray], list[tuple[np.ndarray, np.ndarray]]]:
    """A row is a run of fixed-width pieces (the field count, every size word, the values of
    fixed width that are never NULL), then a value of varying width (text, or a value with
    NULLs), then the next run, and so on. Each run comes out as one packed record per row
    (a numpy structured array: constants are broadcast, not materialised per row); each
    varying value as (its bytes end to end, its bytes per row)."""
    runs: list[list[tuple[str, Any, np.ndarray | int]]] = [[("count", ">i2", len(fields))]]
    varying: list[tuple[np.ndarray, np.ndarray]] = []
    for i, field in enumerate(fields):
        if field.fixed is not None and field.nulls is None:
            width = field.fixed.shape[1]
            runs[-1] += [(f"size{i}", ">i4", width), (f"value{i}", (np.uint8, width), field.fixed)]
            continue
        size = field.sizes(rows)
        runs[-1].append((f"size{i}", ">i4", size))
        # A value of fixed width with NULLs is absent where NULL: it varies too.
        data = field.fixed[~field.nulls].reshape(-1) if field.fixed is not None else field.data
        varying.append((data, np.maximum(size, 0)))
        runs.append([])
    records = []
    for run in runs:
        record = np.empty(rows, dtype=np.dtype([(name, kind) for name, kind, _ in run]))
        for name, _kind, values in run:
            record[name] = values
        records.append(record)
    return records, varying


def _assembled(
    records: list[np.ndarray], varying: list[tuple[np.ndarray, np.ndarray]], rows: int
) -> bytes:
    """The runs and varying values of `_pieces` interleaved, row by row: each run copied in
    one step, each varying value byte-wise after it."""
    blocks = [record.view(np.uint8).reshape(rows, -1) for record in records]
    widths = [block.shape[1] for block in blocks]
    row_bytes = sum(widths) + sum(lengths for _data, lengths in varying)
    ends = np.cumsum(row_bytes)
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    at = ends - row_bytes
    for index, block in enumerate(blocks):
        if widths[index]:
            out[at[:, None] + np.arange(widths[index])] = block
        at = at + widths[index]
        if index < len(varying):
            data, lengths = varying[index]
            if len(data):
                # byte k of the data lands at its row's value start plus its offset in the value
                value_starts = np.cumsum(lengths) - lengths
                out[np.repeat(at - value_starts, lengths) + np.arange(len(data))] = data
            at = at + lengths
    return out.tobytes()


def render_chunk(seed: Any, columns: dict[str, Any], wires: list[str] | None) -> bytes:
    """A chunk for the PostgreSQL loader: binary COPY rows when the table has wire types,
    COPY text otherwise."""
    if wires is None:
        from fixturekit.seed.encode import copy_chunk

        return copy_chunk(seed, columns)
    return binary_chunk(seed, columns, wires)
