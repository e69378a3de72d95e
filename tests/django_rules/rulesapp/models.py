"""Models with the rules under test: a conditional unique on a boolean, odd field names."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Address(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    city = models.CharField(max_length=60)
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_primary=True), name="one_primary_address"
            ),
        ]


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DONE = "done", "Done"

    _secret = models.CharField(max_length=40)
    create = models.CharField(max_length=20)
    build = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices)
