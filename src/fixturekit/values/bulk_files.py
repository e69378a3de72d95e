"""The bulk rendering of a stored file (`fixturekit.infer.files.UploadedFile`).

Seeding inserts rows without the ORM, so no file is written: the column gets names shaped like
the ones Django would store (`upload_to`'s folder, a file name with the field's extension,
within the column's length), naming files that do not exist.

A factory batch wants what `create()` gives, a file in the field's storage: the rendering
refuses (BulkError), and the batch evaluates factory_boy's declaration row by row, so Django's
field saves each file as it saves a single row's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fixturekit.infer.file_strategies import UploadedFile
from fixturekit.values.bulk_core import BulkContext, BulkError, bulk_values, fit_texts, typed
from fixturekit.values.bulk_text import faker_values


@bulk_values.register
def _(strategy: UploadedFile, count: int, ctx: BulkContext) -> Any:
    from fixturekit.values.batch import BatchContext

    if isinstance(ctx, BatchContext):
        raise BulkError("a stored file is written by the ORM when each row is saved")
    names = faker_values("file_name", (("extension", strategy.suffix),), count, ctx)
    names = np.asarray(names, dtype=object)
    folder = ctx.today.strftime(strategy.folder) if strategy.folder else ""
    if folder:
        prefix = folder.rstrip("/") + "/"
        names = np.array([prefix + name for name in names.tolist()], dtype=object)
    if ctx.column is not None and ctx.column.unique:
        names = _distinct(names, ctx.row_numbers(count), strategy.max_length, ctx)
    else:
        names = fit_texts(names, strategy.max_length, None, ctx.rng)
    return typed(names, ctx.column.type if ctx.column else None)


def _distinct(names: np.ndarray, rows: np.ndarray, max_length: int | None, ctx: Any) -> Any:
    """`folder/stem_<row>.ext` for a unique column: the name ends in the row number and the
    extension, so no two rows share it (Faker's stems are a few hundred words). A name too
    long loses letters of its stem, never the folder, the number or the extension."""
    out = []
    for name, row in zip(names.tolist(), rows.tolist(), strict=True):
        head, dot, extension = str(name).rpartition(".")
        if not dot:
            head, extension = str(name), ""
        folder, slash, stem = head.rpartition("/")
        prefix, tail = folder + slash, f"_{row}{dot}{extension}"
        if max_length is not None:
            room = max_length - len(prefix) - len(tail)
            if room < 1:
                raise BulkError(
                    f"{ctx.table}.{ctx.column_name}: no distinct file name fits in "
                    f"{max_length} characters after the folder {prefix!r}"
                )
            stem = stem[:room]
        out.append(f"{prefix}{stem}{tail}")
    return np.array(out, dtype=object)
