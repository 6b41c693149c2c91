from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "phasebook.demo"
    verbose_name = _("Demo-Salon")
