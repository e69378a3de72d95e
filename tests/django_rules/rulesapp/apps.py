from django.apps import AppConfig


class RulesappConfig(AppConfig):
    name = "rulesapp"
