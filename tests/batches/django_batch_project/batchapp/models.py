"""Customers, their orders and the orders' lines (two levels of parents), with unique, CHECK
and foreign-key rules; and the models a batch saves row by row (own save(), a multi-table
child, a pre_save receiver)."""

from django.db import models
from django.db.models import F, Q
from django.db.models.signals import pre_save
from django.dispatch import receiver


class Customer(models.Model):
    class Tier(models.TextChoices):
        BASIC = "basic", "Basic"
        GOLD = "gold", "Gold"

    email = models.EmailField(max_length=120, unique=True)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    created_at = models.DateTimeField()


class Order(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    code = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    placed_at = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(shipped_at__isnull=True) | Q(shipped_at__gt=F("placed_at")),
                name="order_shipped_after_placed",
            ),
        ]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=12)
    quantity = models.IntegerField()
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.UniqueConstraint(fields=["order", "sku"], name="one_sku_per_order"),
        ]


class Note(models.Model):
    """Its save() fills `length`: bulk_create would skip it."""

    body = models.CharField(max_length=200)
    length = models.IntegerField(default=0)

    def save(self, *args, **kwargs):
        self.length = len(self.body)
        super().save(*args, **kwargs)


class Place(models.Model):
    code = models.CharField(max_length=12, unique=True)  # the child's get_or_create key too
    city = models.CharField(max_length=60)


class Restaurant(Place):
    """A multi-table child: bulk_create refuses it."""

    seats = models.IntegerField()


class Tag(models.Model):
    label = models.CharField(max_length=40)
    slug = models.SlugField(max_length=40, blank=True)


@receiver(pre_save, sender=Tag)
def _slugify(sender, instance, **kwargs):
    instance.slug = instance.label.lower().replace(" ", "-")[:40]


class Job(models.Model):
    """Field names factory_boy cannot declare: the factory renames them (`Meta.rename`)."""

    _token = models.CharField(max_length=40)
    create = models.CharField(max_length=20)


class CountingQuerySet(models.QuerySet):
    """A project's own bulk_create: a batch must go through it."""

    calls: list[int] = []

    def bulk_create(self, objs, *args, **kwargs):
        CountingQuerySet.calls.append(len(objs))
        return super().bulk_create(objs, *args, **kwargs)


class Badge(models.Model):
    label = models.CharField(max_length=40)

    objects = CountingQuerySet.as_manager()
