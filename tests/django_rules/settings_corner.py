"""The corner-case app (cornerapp) on the PostgreSQL database CORNER_PG_NAME names."""

import os

SECRET_KEY = "corner-tests-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "treebeard", "cornerapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["CORNER_PG_NAME"],
        "HOST": os.environ.get("CORNER_PG_HOST", "127.0.0.1"),
        "PORT": os.environ.get("CORNER_PG_PORT", "5432"),
        "USER": os.environ.get("CORNER_PG_USER", "postgres"),
    }
}
