from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneConfig(AppConfig):
    name = "phasebook.phone"
    verbose_name = _("Telefon-Assistent")
