from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalcomConfig(AppConfig):
    name = "phasebook.calcom"
    verbose_name = _("Cal.com-Verbindung")

    def ready(self) -> None:
        # Registers the `calcom` system check (runs with `check --deploy` only).
        from phasebook.calcom import setup_check  # noqa: F401
