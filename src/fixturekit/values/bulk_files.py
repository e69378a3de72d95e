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

from fixturekit.infer.file_strategies import UploadedFile
from fixturekit.values.bulk_core import BulkContext, BulkError, bulk_values, fit_texts, typed
from fixturekit.values.bulk_text import faker_values
from fixturekit.values.distinct import numbered
from fixturekit.values.pools import object_array


@bulk_values.register
def _(strategy: UploadedFile, count: int, ctx: BulkContext) -> Any:
    from fixturekit.values.batch import BatchContext

    if isinstance(ctx, BatchContext):
        raise BulkError("a stored file is written by the ORM when each row is saved")
    names = faker_values("file_name", (("extension", strategy.suffix),), count, ctx)
    folder = ctx.today.strftime(strategy.folder) if strategy.folder else ""
    prefix = folder.rstrip("/") + "/" if folder else ""
    if ctx.column is not None and ctx.column.unique:
        # Faker has a few hundred file-name stems: each row's number, woven into its stem,
        # keeps a unique column's names apart (`tempore4812.txt`).
        extension = f".{strategy.suffix}"
        stems = object_array([str(name).removesuffix(extension) for name in names.tolist()])
        limit = strategy.max_length
        room = None if limit is None else limit - len(prefix) - len(extension)
        try:
            stems = numbered(stems, ctx.row_numbers(count), room)
        except ValueError as exc:
            raise BulkError(f"{ctx.table}.{ctx.column_name}: {exc}") from None
        names = object_array([prefix + stem + extension for stem in stems.tolist()])
    else:
        names = object_array([prefix + str(name) for name in names.tolist()])
        names = fit_texts(names, strategy.max_length, None, ctx.rng)
    return typed(names, ctx.column.type if ctx.column else None)
