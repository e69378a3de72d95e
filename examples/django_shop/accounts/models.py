"""A custom user model (AUTH_USER_MODEL) and the user's addresses."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    class Tier(models.TextChoices):
        BASIC = "basic", "Basic"
        PLUS = "plus", "Plus"
        GOLD = "gold", "Gold"

    tier = models.CharField(max_length=5, choices=Tier.choices, default=Tier.BASIC)
    phone = models.CharField(max_length=20, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    external_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


class Address(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    line1 = models.CharField(max_length=120)
    city = models.CharField(max_length=60)
    postcode = models.CharField(max_length=10)
    country = models.CharField(max_length=2, default="FR")
    is_primary = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "addresses"
        constraints = [
            # At most one primary address per user: a partial unique index.
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_primary=True), name="one_primary_address"
            ),
        ]
