from django.apps import AppConfig


class SalonsConfig(AppConfig):
    name = "phasebook.salons"
    verbose_name = "Salons and their catalogue"
