"""Models whose rows name files in storage, and code that opens them (as wagtail's do)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import FileExtensionValidator
from django.db import models


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.PRIVATE_ROOT)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.kind}/{filename}"


class Photo(models.Model):
    """wagtail's Image, reduced: Django fills the dimensions from the file, and save() reads
    the stored image back (wagtail computes a hash and renditions from it)."""

    title = models.CharField(max_length=80)
    file = models.ImageField(
        upload_to="photos/%Y/%m", width_field="width", height_field="height", max_length=60
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file_hash = models.CharField(max_length=40, blank=True)

    def save(self, *args, **kwargs):
        from PIL import Image

        super().save(*args, **kwargs)
        with self.file.storage.open(self.file.name) as stored, Image.open(stored) as image:
            if image.size != (self.width, self.height):
                raise ValueError(f"{self.file.name} is {image.size}, the row says otherwise")
            stored.seek(0)
            digest = hashlib.sha1(stored.read()).hexdigest()
        type(self).objects.filter(pk=self.pk).update(file_hash=digest)
        self.file_hash = digest


class Attachment(models.Model):
    """A plain FileField: an upload_to callable, PDFs only; saved in bulk by batches."""

    kind = models.CharField(max_length=10, choices=[("invoice", "Invoice"), ("memo", "Memo")])
    document = models.FileField(
        upload_to=attachment_path,
        validators=[FileExtensionValidator(["pdf"])],
        max_length=80,
    )
    note = models.FileField(upload_to="notes", blank=True, null=True)


class Scan(models.Model):
    """Another storage than the default, a PNG-only image and a short column."""

    image = models.ImageField(
        upload_to="scans",
        storage=private_storage,
        max_length=24,
        validators=[FileExtensionValidator(["png"])],
    )
    page = models.PositiveSmallIntegerField(default=1)


class Badge(models.Model):
    """A unique file column: every row must name another file, seeded ones included."""

    icon = models.FileField(upload_to="badges", unique=True, max_length=24)
