"""A minimal Django project for the batch tests: a three-level chain, rules, hooks, a password.

The database comes from the environment (BATCH_DB_ENGINE = sqlite, postgresql or mysql, with
BATCH_DB_NAME/HOST/PORT/USER). MD5 hashing keeps the tests fast, as a project's test settings
usually configure it.
"""

import os

SECRET_KEY = "batch-tests-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "batchapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_ENGINE = os.environ.get("BATCH_DB_ENGINE", "sqlite")
if _ENGINE == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BATCH_DB_NAME", ":memory:"),
        }
    }
else:
    if _ENGINE == "mysql":
        try:
            import MySQLdb  # noqa: F401
        except ImportError:  # fixturekit's MySQL extra is PyMySQL: Django accepts it as MySQLdb
            import pymysql

            pymysql.install_as_MySQLdb()
    DATABASES = {
        "default": {
            "ENGINE": f"django.db.backends.{_ENGINE}",
            "NAME": os.environ["BATCH_DB_NAME"],
            "HOST": os.environ.get("BATCH_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("BATCH_DB_PORT", ""),
            "USER": os.environ.get("BATCH_DB_USER", ""),
        }
    }
