"""Django settings for benchmarks/django_batches.py, from BENCH_DB_* variables."""

import os


def configure() -> None:
    from django.conf import settings

    engine = os.environ.get("BENCH_DB_ENGINE", "sqlite")
    if engine == "sqlite":
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BENCH_DB_NAME"]}
    else:
        database = {
            "ENGINE": f"django.db.backends.{engine}",
            "NAME": os.environ["BENCH_DB_NAME"],
            "HOST": os.environ.get("BENCH_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("BENCH_DB_PORT", ""),
            "USER": os.environ.get("BENCH_DB_USER", ""),
        }
    settings.configure(
        SECRET_KEY="benchmark-not-secret",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=["django.contrib.contenttypes", "django_bench_app"],
        DATABASES={"default": database},
    )
