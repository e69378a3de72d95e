"""The stored-file app (filesapp) on the PostgreSQL database FILES_PG_NAME names.

MEDIA_ROOT and the second storage's folder are temporary folders the test hands in, as a
project's test settings point MEDIA_ROOT at one.
"""

import os

SECRET_KEY = "files-tests-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django.contrib.contenttypes", "filesapp"]
MEDIA_ROOT = os.environ["FILES_MEDIA_ROOT"]
PRIVATE_ROOT = os.environ["FILES_PRIVATE_ROOT"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["FILES_PG_NAME"],
        "HOST": os.environ.get("FILES_PG_HOST", "127.0.0.1"),
        "PORT": os.environ.get("FILES_PG_PORT", "5432"),
        "USER": os.environ.get("FILES_PG_USER", "postgres"),
    }
}
