from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "phasebook.portal"
    verbose_name = _("Salon-Portal")

    def ready(self) -> None:
        from django.contrib import admin

        # The admin is the salon portal: it names the product, never the framework.
        admin.site.site_title = "phasebook"
        admin.site.site_header = "phasebook"
        admin.site.index_title = _("Übersicht")
