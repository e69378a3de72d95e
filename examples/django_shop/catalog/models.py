"""Products: abstract and multi-table inheritance, a proxy, choices, M2M, constraints."""

from django.db import models
from django.db.models import Q


class Timestamped(models.Model):
    """Abstract: its fields are copied into every concrete subclass's table."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Category(Timestamped):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name_plural = "categories"


class Tag(models.Model):
    name = models.CharField(max_length=30, unique=True)


class Product(Timestamped):
    STATUS_CHOICES = [("draft", "Draft"), ("active", "Active"), ("retired", "Retired")]

    sku = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    weight_grams = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="draft")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    attributes = models.JSONField(default=dict, blank=True)
    website = models.URLField(blank=True)
    support_email = models.EmailField(blank=True)

    class Meta:
        db_table = "shop_product"
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
        ]


class DigitalProduct(Product):
    """Multi-table inheritance: its table's key is a one-to-one link to shop_product."""

    download_url = models.URLField()
    file_size = models.BigIntegerField()
    license_period = models.DurationField()


class FeaturedProduct(Product):
    """A proxy: same table as Product, no factory of its own."""

    class Meta:
        proxy = True


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    data = models.BinaryField(max_length=4096, null=True, blank=True)
    caption = models.TextField(blank=True, db_column="caption_text")

    class Meta:
        unique_together = [("product", "position")]
