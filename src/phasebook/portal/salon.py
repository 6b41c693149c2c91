"""Which salon a portal request shows, and in which time zone its times are read."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest

from phasebook.salons.models import Company
from phasebook.salons.tenancy import companies_of

SESSION_KEY = "portal_salon"


def salon_of(request: HttpRequest) -> Company | None:
    """The salon of a signed-in user: the one picked in this session, else the first of
    theirs by name (superusers: of all). None for anonymous users and users of no salon."""
    if not hasattr(request, "_portal_salon"):
        request._portal_salon = _pick(request)  # type: ignore[attr-defined]
    return request._portal_salon  # type: ignore[attr-defined]


def _pick(request: HttpRequest) -> Company | None:
    if not request.user.is_authenticated:
        return None
    salons = companies_of(request.user).order_by("name", "pk")
    picked = request.session.get(SESSION_KEY)
    return (picked and salons.filter(pk=picked).first()) or salons.first()


def choose_salon(request: HttpRequest, company: Company) -> None:
    """Remember the salon a member of several (or a superuser) switched to."""
    request.session[SESSION_KEY] = company.pk
    request._portal_salon = company  # type: ignore[attr-defined]


def zone_of(request: HttpRequest) -> ZoneInfo:
    salon = salon_of(request)
    return salon.zone if salon is not None else ZoneInfo(settings.PHASEBOOK_DEFAULT_TIME_ZONE)
