"""The Hypothesis rendering of a stored file (`fixturekit.infer.files.UploadedFile`).

An object drawn for a Django model is saved with the ORM, which writes a field's file when it
has content: so the value is file content with a name, as the factory's declaration gives it
(an image made by Pillow for an ImageField), and Django stores it through `upload_to` on save.
Names are sampled from the bulk rendering's pool, shortest first, so examples shrink.
"""

from __future__ import annotations

import functools
import io
import posixpath
from typing import Any

from hypothesis import strategies as hs

from fixturekit.infer.file_strategies import FILE_DATA, UploadedFile
from fixturekit.schema.model import Column
from fixturekit.strategies.columns import ColumnStrategy, column_strategy, provider_pool


@functools.lru_cache(maxsize=32)
def file_bytes(strategy: UploadedFile) -> bytes:
    """What the factory's declaration writes: the same image, or the same small text."""
    if not strategy.image:
        return FILE_DATA
    from PIL import Image

    buffer = io.BytesIO()
    with Image.new("RGB", (strategy.width, strategy.height), "blue") as image:
        image.save(buffer, format=strategy.image_format)
    return buffer.getvalue()


def uploaded(strategy: UploadedFile, name: str) -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(file_bytes(strategy), name=posixpath.basename(name))


@column_strategy.register
def _(strategy: UploadedFile, column: Column | None = None) -> ColumnStrategy:
    names = provider_pool(strategy, column)
    return hs.sampled_from(names).map(functools.partial(uploaded, strategy))
