from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalonsConfig(AppConfig):
    name = "phasebook.salons"
    verbose_name = _("Salon und Angebot")
