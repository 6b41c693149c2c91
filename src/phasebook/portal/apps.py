from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site: every model it registers is scoped to
    the user's salons (common/admin.py)."""

    default = False  # named in INSTALLED_APPS; PortalConfig stays this module's default
    default_site = "phasebook.common.admin.TenantAdminSite"


class PortalConfig(AppConfig):
    name = "phasebook.portal"
    verbose_name = _("Salon-Portal")

    def ready(self) -> None:
        from django.contrib import admin

        # The admin is the salon portal: it names the product, never the framework.
        admin.site.site_title = "phasebook"
        admin.site.site_header = "phasebook"
        admin.site.index_title = _("Übersicht")
