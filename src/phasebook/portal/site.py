"""What unfold shows around every portal page: the salon's name, the zone its times are
read in, and a sidebar in the salon's words (settings.UNFOLD points here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from phasebook.portal.salon import salon_of, zone_of
from phasebook.salons.tenancy import companies_of


def stylesheets(request: HttpRequest) -> str:
    return static("portal/portal.css")


def scripts(request: HttpRequest) -> str:
    return static("portal/portal.js")


def site_header(request: HttpRequest) -> str:
    salon = salon_of(request)
    return salon.name if salon is not None else "phasebook"


def salon_dropdown(request: HttpRequest) -> list[dict[str, Any]]:
    """Members of several salons (and superusers) switch between them under the header."""
    if not request.user.is_authenticated:
        return []
    salons = list(companies_of(request.user).order_by("name", "pk")[:50])
    if len(salons) < 2:
        return []
    return [
        {
            "title": salon.name,
            "link": reverse("portal:switch_salon", args=[salon.pk]),
            "icon": "storefront",
        }
        for salon in salons
    ]


def site_subheader(request: HttpRequest) -> str:
    # The zone is named once on every page: a salon's times and the reader's clock may differ.
    return gettext("Zeiten in %(zone)s") % {"zone": zone_of(request).key}


@dataclass(frozen=True)
class Entry:
    """A sidebar link: a portal page (`url_name`) or a model's list (`model`, app.Model)."""

    title: str | Promise
    icon: str
    url_name: str = ""
    model: str = ""
    superuser_only: bool = False


SIDEBAR: list[tuple[str | Promise, list[Entry]]] = [
    (
        _("Salon"),
        [
            Entry(_("Terminbuch"), "calendar_view_day", url_name="portal:daybook"),
            Entry(_("Termine"), "event", model="booking.Appointment"),
            Entry(_("Anrufe"), "call", model="phone.Call"),
            Entry(_("Kund:innen"), "group", model="salons.Customer"),
        ],
    ),
    (
        _("Team und Angebot"),
        [
            Entry(_("Mitarbeiter:innen"), "content_cut", model="salons.Staff"),
            Entry(_("Abwesenheiten"), "event_busy", model="salons.Absence"),
            Entry(_("Leistungen"), "design_services", model="salons.Service"),
            Entry(_("Salon und Öffnungszeiten"), "storefront", model="salons.Company"),
        ],
    ),
    (
        _("Cal.com"),
        [
            Entry(_("Sync-Zustand"), "sync", url_name="portal:sync_health"),
            Entry(_("Externe Termine"), "event_note", model="salons.ExternalBusyBlock"),
            Entry(_("Sync-Aufträge"), "pending_actions", model="calsync.PhaseSyncTask"),
            Entry(_("Abweichungen"), "difference", model="calsync.SyncDrift"),
            Entry(_("Sync-Einstellungen"), "tune", model="calsync.CalcomSyncSettings"),
            Entry(_("Verbindung"), "link", model="calcom.CalcomConnection"),
            Entry(_("Event-Type-Zuordnungen"), "account_tree", model="calcom.CalcomEventMap"),
            Entry(_("Zuordnungsänderungen"), "history", model="calcom.CalcomEventMapChange"),
        ],
    ),
    (
        _("Verwaltung"),
        [
            Entry(_("API-Tokens"), "key", model="salons.ApiToken"),
            Entry(_("Mitgliedschaften"), "badge", model="salons.Membership"),
            Entry(_("Benutzer:innen"), "person", model="auth.User", superuser_only=True),
            Entry(_("Gruppen"), "groups", model="auth.Group", superuser_only=True),
        ],
    ),
]


def sidebar(request: HttpRequest) -> list[dict[str, Any]]:
    """The groups of SIDEBAR with the entries this user may open; models that are not
    (yet) in the admin, and groups left empty, are left out."""
    groups = []
    for title, entries in SIDEBAR:
        items = [item for entry in entries if (item := _item(request, entry)) is not None]
        if items:
            groups.append({"title": title, "separator": True, "items": items})
    return groups


def _item(request: HttpRequest, entry: Entry) -> dict[str, Any] | None:
    if entry.superuser_only and not request.user.is_superuser:
        return None
    link = _portal_link(entry) if entry.url_name else _model_link(request, entry.model)
    if link is None:
        return None
    return {"title": entry.title, "icon": entry.icon, "link": link}


def _portal_link(entry: Entry) -> str | None:
    try:
        return reverse(entry.url_name)
    except NoReverseMatch:
        return None


def _model_link(request: HttpRequest, label: str) -> str | None:
    try:
        model = apps.get_model(label)
    except LookupError:
        return None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        return None
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
