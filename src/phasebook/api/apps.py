from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "phasebook.api"
    verbose_name = "HTTP API"
