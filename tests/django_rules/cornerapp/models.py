"""Minimal models for what real Django apps do that no column says (the corpus's findings):
a treebeard tree, generic foreign keys (one with a typed parent, as django-guardian's object
permissions), rules in `save()` across columns (as django-celery-beat's PeriodicTask), a
singleton with a constant primary key, and choices that offer None. No migrations: tests build
the tables with Django's schema editor."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from treebeard.mp_tree import MP_Node


class Category(MP_Node):
    name = models.CharField(max_length=60)


class Note(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    text = models.CharField(max_length=80)

    def save(self, *args, **kwargs):
        if self.content_object is None:
            raise ValueError("content_object must be a saved row")
        ContentType.objects.get(pk=self.content_type_id)  # read back, as a lazy relation is
        super().save(*args, **kwargs)


class Grant(models.Model):
    """A permission on one object: the permission must be one for the object's model."""

    permission = models.ForeignKey(Permission, on_delete=models.CASCADE)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_pk = models.CharField(max_length=255)
    content_object = GenericForeignKey(fk_field="object_pk")

    def save(self, *args, **kwargs):
        kind = ContentType.objects.get_for_model(self.content_object)
        ContentType.objects.get(pk=kind.pk)  # read back, as a lazy relation is
        if kind != self.permission.content_type:
            raise ValidationError("Cannot persist a permission not designed for this class")
        super().save(*args, **kwargs)


class Interval(models.Model):
    every = models.PositiveIntegerField()


class Crontab(models.Model):
    minute = models.CharField(max_length=10)


class Task(models.Model):
    """Exactly one schedule; at most one of expires and expire_seconds."""

    name = models.CharField(max_length=80)
    interval = models.ForeignKey(Interval, null=True, blank=True, on_delete=models.CASCADE)
    crontab = models.ForeignKey(Crontab, null=True, blank=True, on_delete=models.CASCADE)
    expires = models.DateTimeField(null=True, blank=True)
    expire_seconds = models.PositiveIntegerField(null=True, blank=True)

    def save(self, *args, **kwargs):
        if self.expires and self.expire_seconds is not None:
            raise ValidationError("Only one can be set, in expires and expire_seconds")
        chosen = [name for name in ("interval", "crontab") if getattr(self, name)]
        if not chosen:
            raise ValidationError("One of interval or crontab must be set.")
        if len(chosen) > 1:
            raise ValidationError({n: ["Only one of interval or crontab"] for n in chosen})
        super().save(*args, **kwargs)


class Heartbeat(models.Model):
    """A singleton: every save writes the row with ident 1."""

    ident = models.SmallIntegerField(default=1, primary_key=True)
    beat = models.DateTimeField(null=True)


class Shape(models.Model):
    kind = models.CharField(
        max_length=10,
        null=True,
        blank=True,
        choices=[(None, "unknown"), ("round", "Round"), ("square", "Square")],
    )


class Document(models.Model):
    """A private attribute on a multi-table parent (django-filer's File._file_size)."""

    title = models.CharField(max_length=80)
    _file_size = models.BigIntegerField(null=True, blank=True)


class Picture(Document):
    width = models.PositiveIntegerField()


class Entry(models.Model):
    """A foreign key the database does not check, but the model does (wagtail's log entries)."""

    user = models.ForeignKey(
        "auth.User", null=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    label = models.CharField(max_length=40)

    def save(self, *args, **kwargs):
        self.full_clean()
        super().save(*args, **kwargs)


class Language(models.Model):
    """A natural key from a small domain (wagtail's Locale.language_code)."""

    language_code = models.CharField(max_length=100, unique=True)
