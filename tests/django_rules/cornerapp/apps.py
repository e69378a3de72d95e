from django.apps import AppConfig


class CornerappConfig(AppConfig):
    name = "cornerapp"
