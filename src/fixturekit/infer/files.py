"""Columns that name a file in the ORM's storage (Django's FileField and ImageField).

Such a column holds a storage-relative name, and code that reads the row opens the file it
names (an image's dimensions, a document's hash). So a factory gives the field content, as an
upload does: factory_boy's `factory.django.FileField` / `ImageField`. When the row is saved,
Django's own field writes it to the field's storage, through `upload_to`, and picks a name that
is free and no longer than the column (`Storage.get_available_name`). An ImageField's
`width_field` and `height_field` are then left to Django, which reads them from that image.

Seeding inserts rows without the ORM: it writes names only (`fixturekit.values.bulk_files`),
which name files that do not exist.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from fixturekit.infer.file_strategies import IMAGE_FORMATS, UploadedFile
from fixturekit.infer.plan import FieldPlan
from fixturekit.schema.model import Column, StoredFile, Table

if TYPE_CHECKING:
    from fixturekit.infer.rules import InferenceOptions

# Storage.get_available_name makes a taken name free with "_" and 7 random characters
_ALTERNATIVE = 8


def _extension(spec: StoredFile) -> str:
    allowed = spec.extensions
    if spec.image:
        return next((ext for ext in allowed if ext in IMAGE_FORMATS), "jpg")
    return allowed[0] if allowed else "txt"


def _shortest_name(spec: StoredFile, extension: str) -> int | None:
    """The length of the shortest name Django can make free in `upload_to`'s folder (None when
    upload_to is a callable: only the model knows its folder)."""
    if spec.folder is None:
        return None
    folder = datetime.date.today().strftime(spec.folder)
    prefix = len(folder.rstrip("/")) + 1 if folder else 0
    return prefix + len("x") + _ALTERNATIVE + len(f".{extension}")


def file_plan(column: Column, options: InferenceOptions) -> FieldPlan | None:
    """The plan of a column that names a stored file; None for any other column."""
    spec = column.file
    if spec is None or (options.nullable_empty and column.nullable):
        return None
    extension = _extension(spec)
    max_length = column.type.length
    strategy = UploadedFile(
        image=spec.image, extension=extension, folder=spec.folder, max_length=max_length
    )
    if spec.image:
        what = f"a {strategy.width}x{strategy.height} {strategy.image_format} image"
    else:
        what = f"a small .{extension} file"
    reason = f"{what} saved to the field's storage through upload_to"
    flags: tuple[str, ...] = ()
    shortest = _shortest_name(spec, extension)
    if max_length is not None and shortest is not None and shortest > max_length:
        flags = (
            f"upload_to {spec.folder!r} leaves no room for a file name within {max_length} "
            "characters: Django refuses to store the file",
        )
    return FieldPlan(column, strategy, reason, flags)


def dimension_plan(
    column: Column, table: Table | None, options: InferenceOptions
) -> FieldPlan | None:
    """An ImageField's width_field or height_field: Django reads it from the factory's image
    when the object is made, so the factory leaves it out. Seeding has no image: it draws."""
    if table is None or not options.factory_object:
        return None
    for other in table.columns:
        spec = other.file
        if spec is None or not spec.image or file_plan(other, options) is None:
            continue
        for facet, name in (("width", spec.width_field), ("height", spec.height_field)):
            if name == column.name:
                reason = f"the {facet} of the image in {other.key}, read by Django"
                return FieldPlan(column, None, reason)
    return None
