"""The page a locked-out admin login gets (django-axes calls `lockout_response`)."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """429 in the admin's look, saying in the user's language when to try again."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = admin.site.each_context(request) | {
        "title": gettext("Anmeldung gesperrt"),
        "message": gettext(
            "Zu viele fehlgeschlagene Anmeldungen. Bitte in %(minutes)d Minuten erneut "
            "versuchen; jeder weitere Versuch verlängert die Sperre."
        )
        % {"minutes": minutes},
    }
    response = TemplateResponse(request, "security/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response.render()
