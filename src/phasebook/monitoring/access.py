"""Who may read /metrics: a caller with the metrics token, or anyone on the internal address.

Metrics name no salon, but they tell how busy the business is and where it fails, so they
are not public. "Internal" is decided by the listening socket a request came in on, which
gunicorn (and Django's own server) take from the socket itself: a forged Host header cannot
make a request internal.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest


def may_scrape(request: HttpRequest) -> bool:
    return came_in_on_internal_bind(request) or carries_metrics_token(request)


def came_in_on_internal_bind(request: HttpRequest) -> bool:
    bind: tuple[str, int] | None = settings.PHASEBOOK_METRICS_BIND
    if bind is None:
        return False
    host, port = bind
    return request.META.get("SERVER_NAME") == host and request.META.get("SERVER_PORT") == str(port)


def carries_metrics_token(request: HttpRequest) -> bool:
    expected: str = settings.PHASEBOOK_METRICS_TOKEN
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())
