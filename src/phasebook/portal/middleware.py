"""Every time a person reads in the portal is in the salon's zone.

Instants are stored in UTC (settings.TIME_ZONE); this activates the zone of the signed-in
user's salon for the whole request, so Django's formatting, the admin's date filters and
date drill-down, form fields and the day view all read and parse local wall-clock time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from phasebook.portal.salon import zone_of


class SalonTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Costs nothing for requests without a session (API, health, webhooks): an
        # anonymous user has no salon and gets the default zone.
        with timezone.override(zone_of(request)):
            return self.get_response(request)
