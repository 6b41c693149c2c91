from django.apps import AppConfig


class CalsyncConfig(AppConfig):
    name = "phasebook.calsync"
    verbose_name = "Cal.com sync"
