"""Build a `CalcomClient` for a company from its stored `CalcomConnection`.

Every caller that talks to Cal.com on a company's behalf (provisioning, setup check, phase sync)
goes through `client_for(company)`, so credentials, pinned API versions, timeouts and the
per-key rate limiter are configured in one place.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from phasebook.calcom.client import CalcomApiVersions, CalcomClient, CalcomTimeouts
from phasebook.calcom.models import CalcomConnection
from phasebook.calcom.ratelimit import RateLimiter, build_rate_limiter
from phasebook.common.crypto import SecretUnreadable
from phasebook.salons.models import Company


class CalcomNotConfigured(Exception):
    """The company cannot talk to Cal.com yet; the message says what to fix (German first)."""


def connection_for(company: Company) -> CalcomConnection:
    """The company's enabled connection with a readable API key, or `CalcomNotConfigured`."""
    connection = CalcomConnection.objects.filter(company=company).first()
    fix = f"phasebook calcom_connect --company {company.slug} --base-url URL --api-key KEY"
    if connection is None:
        raise CalcomNotConfigured(
            f"Für den Salon „{company.slug}“ ist keine Cal.com-Verbindung eingerichtet "
            f"(no Cal.com connection): {fix}"
        )
    if not connection.is_enabled:
        raise CalcomNotConfigured(
            f"Die Cal.com-Verbindung von „{company.slug}“ ist deaktiviert (connection disabled): "
            "im Admin unter Cal.com-Verbindungen aktivieren"
        )
    if not connection.has_api_key:
        raise CalcomNotConfigured(
            f"Für „{company.slug}“ ist kein Cal.com-API-Key hinterlegt (API key missing): {fix}"
        )
    try:
        connection.api_key  # noqa: B018 - decrypt once here so the error names the fix
    except SecretUnreadable as exc:
        raise CalcomNotConfigured(
            f"Der Cal.com-API-Key von „{company.slug}“ ist nicht lesbar (encryption key changed?): "
            f"neu setzen mit {fix}"
        ) from exc
    return connection


def client_for(company: Company, *, timeouts: CalcomTimeouts | None = None) -> CalcomClient:
    """A ready client for `company`; raises `CalcomNotConfigured` naming what to fix.

    The caller closes it (`with client_for(company) as client: ...`).
    """
    connection = connection_for(company)
    return client_for_connection(connection, timeouts=timeouts)


def client_for_connection(
    connection: CalcomConnection, *, timeouts: CalcomTimeouts | None = None
) -> CalcomClient:
    versions = CalcomApiVersions(
        bookings=connection.bookings_api_version,
        slots=connection.slots_api_version,
        event_types=connection.event_types_api_version,
    )
    return CalcomClient(
        connection.base_url,
        connection.api_key,
        versions=versions,
        timeouts=timeouts or CalcomTimeouts(),
        limiter=shared_rate_limiter(),
    )


def shared_rate_limiter() -> RateLimiter:
    """One limiter per process and broker: with Celery on Redis all workers share the budget
    of an API key; without a broker (tests, demo) it lives in this process."""
    return _limiter(settings.CELERY_BROKER_URL or "")


@cache
def _limiter(redis_url: str) -> RateLimiter:
    return build_rate_limiter(redis_url if redis_url.startswith("redis") else None)
