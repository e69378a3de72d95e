from django.apps import AppConfig


class BatchAppConfig(AppConfig):
    name = "batchapp"
    default_auto_field = "django.db.models.BigAutoField"
