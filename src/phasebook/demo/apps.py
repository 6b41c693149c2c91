from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "phasebook.demo"
    verbose_name = "Demo salon"
