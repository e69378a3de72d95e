"""The models of benchmarks/batches.py's chain, as Django models: order lines -> orders ->
customers, with the same unique and CHECK rules."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length

models.CharField.register_lookup(Length)  # `country_code__length=2` in the CHECK below


class Customer(models.Model):
    email = models.CharField(max_length=120, unique=True)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    country_code = models.CharField(max_length=2)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "django_bench_app"
        db_table = "customers"
        constraints = [
            models.CheckConstraint(condition=Q(country_code__length=2), name="ck_customers_country")
        ]


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"

    number = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    status = models.CharField(max_length=10, choices=Status.choices)
    placed_at = models.DateTimeField()
    total = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        app_label = "django_bench_app"
        db_table = "orders"
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="ck_orders_total")]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    product_name = models.CharField(max_length=120)
    quantity = models.IntegerField()
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        app_label = "django_bench_app"
        db_table = "order_lines"
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=99), name="ck_order_lines_quantity"
            ),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="ck_order_lines_price"),
        ]
