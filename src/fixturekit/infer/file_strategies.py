"""The strategy of a column that names a stored file: content the ORM writes on save.

Its plan (which columns, which extension, the columns Django fills from an image) is in
`fixturekit.infer.files`; its bulk rendering, names only, in `fixturekit.values.bulk_files`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fixturekit.infer.strategy_base import Strategy, base_namespace, lit

# The formats Pillow writes for the extensions an ImageField may be limited to.
IMAGE_FORMATS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
    "bmp": "BMP",
    "tif": "TIFF",
    "tiff": "TIFF",
}
IMAGE_SIZE = (320, 240)  # large enough for thumbnails and crops, a few kilobytes as a JPEG
FILE_DATA = b"A file written by a fixturekit factory.\n"


@dataclass(frozen=True)
class UploadedFile(Strategy):
    """File content with a file name, as an upload gives it; the ORM stores it on save.

    `folder` and `max_length` only shape the names seeding writes (no file behind them): the
    factory's file goes through the field's own `upload_to` and storage.
    """

    image: bool = False
    extension: str = ""  # "": jpg for an image, txt for another file
    width: int = IMAGE_SIZE[0]
    height: int = IMAGE_SIZE[1]
    folder: str | None = None
    max_length: int | None = None

    @property
    def suffix(self) -> str:
        return self.extension or ("jpg" if self.image else "txt")

    @property
    def image_format(self) -> str:
        return IMAGE_FORMATS.get(self.suffix, "JPEG")

    def source(self) -> str:
        name = f"filename=factory.Faker({lit('file_name')}, extension={lit(self.suffix)})"
        if not self.image:
            data = 'b"' + FILE_DATA.decode().replace("\n", "\\n") + '"'
            return f"factory.django.FileField({name}, data={data})"
        shape = f"width={self.width}, height={self.height}"
        fmt = "" if self.image_format == "JPEG" else f", format={lit(self.image_format)}"
        return f"factory.django.ImageField({name}, {shape}{fmt})"

    def value_source(self) -> str:
        raise NotImplementedError("a stored file is written by the ORM on save; use source()")

    def namespace(self) -> dict[str, Any]:
        import factory.django  # noqa: F401  (the source names factory.django)

        return base_namespace()
