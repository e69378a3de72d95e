"""Settings of the example shop: a small Django project that exercises fixturekit's Django reader.

The database is SQLite unless DJANGO_SHOP_PG_NAME names a PostgreSQL database (host, port and
user from DJANGO_SHOP_PG_HOST / _PORT / _USER), which is how the tests migrate it on PostgreSQL.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "example-shop-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "accounts",
    "catalog",
    "orders",
    "reviews",
]

AUTH_USER_MODEL = "accounts.User"

if os.environ.get("DJANGO_SHOP_PG_NAME"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["DJANGO_SHOP_PG_NAME"],
            "HOST": os.environ.get("DJANGO_SHOP_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DJANGO_SHOP_PG_PORT", "5432"),
            "USER": os.environ.get("DJANGO_SHOP_PG_USER", "postgres"),
            "PASSWORD": os.environ.get("DJANGO_SHOP_PG_PASSWORD", ""),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DJANGO_SHOP_SQLITE", str(BASE_DIR / "db.sqlite3")),
        }
    }
