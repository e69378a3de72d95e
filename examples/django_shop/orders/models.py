"""Orders: an explicit M2M through table, integer choices, a one-to-one primary key."""

import uuid

from accounts.models import Address
from catalog.models import Product
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Order(models.Model):
    class Status(models.IntegerChoices):
        NEW = 1, "New"
        PAID = 2, "Paid"
        SHIPPED = 3, "Shipped"

    number = models.CharField(max_length=12, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders"
    )
    status = models.SmallIntegerField(choices=Status.choices, default=Status.NEW)
    placed_at = models.DateTimeField(default=timezone.now)
    shipped_at = models.DateTimeField(null=True, blank=True)
    shipping_address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    products = models.ManyToManyField(Product, through="OrderLine", related_name="orders")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(shipped_at__isnull=True) | Q(shipped_at__gte=F("placed_at")),
                name="order_shipped_after_placed",
            ),
        ]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        unique_together = [("order", "product")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=100), name="orderline_quantity_range"
            ),
        ]


class Payment(models.Model):
    order = models.OneToOneField(Order, on_delete=models.CASCADE, primary_key=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reference = models.UUIDField(default=uuid.uuid4, unique=True)
    paid_at = models.DateTimeField()
