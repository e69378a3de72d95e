"""A minimal Django project for the rule tests: passwords, conditional uniques, odd names.

SQLite unless RULES_PG_NAME names a PostgreSQL database. MD5 hashing keeps the tests fast, as a
project's test settings usually configure it.
"""

import os

SECRET_KEY = "rules-tests-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rulesapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if os.environ.get("RULES_PG_NAME"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["RULES_PG_NAME"],
            "HOST": os.environ.get("RULES_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("RULES_PG_PORT", "5432"),
            "USER": os.environ.get("RULES_PG_USER", "postgres"),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("RULES_SQLITE", ":memory:"),
        }
    }
