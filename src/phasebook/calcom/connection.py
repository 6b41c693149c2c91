"""Build a `CalcomClient` for a company from its stored `CalcomConnection`.

Every caller that talks to Cal.com on a company's behalf (provisioning, setup check, phase sync)
goes through `client_for(company)`, so credentials, pinned API versions, timeouts and the
per-key rate limiter are configured in one place.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from phasebook.calcom.client import CalcomApiVersions, CalcomClient, CalcomTimeouts
from phasebook.calcom.errors import (
    CalcomAuthError,
    CalcomError,
    CalcomNotFoundError,
    CalcomRateLimitedError,
    CalcomTransportError,
)
from phasebook.calcom.models import CalcomConnection
from phasebook.calcom.ratelimit import CALCOM_LIMIT_MARGIN, RateLimiter, build_rate_limiter
from phasebook.common.crypto import SecretUnreadable
from phasebook.salons.models import Company
from phasebook.security.outbound import GuardedTransport


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


def team_id_for(connection: CalcomConnection) -> int:
    """The Cal.com team that holds the phase event types (single-host team event types)."""
    if connection.team_id is None:
        slug = connection.company.slug
        raise CalcomNotConfigured(
            f"Für „{slug}“ ist kein Cal.com-Team hinterlegt (team id missing): "
            f"phasebook calcom_connect --company {slug} --team-id ID"
        )
    return connection.team_id


def companies_for(slug: str | None) -> list[Company]:
    """The company with `slug`, or every company with a Cal.com connection."""
    if slug is None:
        return list(Company.objects.filter(calcom_connection__isnull=False).order_by("slug"))
    company = Company.objects.filter(slug=slug).first()
    if company is None:
        known = ", ".join(Company.objects.order_by("slug").values_list("slug", flat=True))
        raise CalcomNotConfigured(
            f"Unbekannter Salon „{slug}“ (unknown company slug); vorhanden: {known or 'keine'}"
        )
    return [company]


def explain_calcom_error(error: CalcomError, connection: CalcomConnection) -> str:
    """A German sentence that names what to fix (never the API key itself)."""
    slug, url = connection.company.slug, connection.base_url
    if isinstance(error, CalcomAuthError):
        return (
            f"Cal.com unter {url} lehnt den API-Key von „{slug}“ ab (HTTP {error.status_code}): "
            f"Key prüfen und neu setzen mit phasebook calcom_connect --company {slug} --api-key KEY"
        )
    if isinstance(error, CalcomRateLimitedError):
        return (
            f"Cal.com-Anfragelimit für „{slug}“ erreicht: in {error.retry_after_seconds:.0f} s "
            "erneut ausführen (schon angelegte Event Types werden dann übernommen)"
        )
    if isinstance(error, CalcomTransportError):
        return (
            f"Cal.com unter {url} ist nicht erreichbar ({error.message.split(';')[0]}): "
            "Basis-URL prüfen bzw. den Emulator starten (phasebook calcom_emulator)"
        )
    if isinstance(error, CalcomNotFoundError):
        return (
            f"Cal.com unter {url} kennt den Pfad oder das Team nicht ({error.message}): "
            f"Basis-URL (ohne /v2) und Team-ID von „{slug}“ prüfen"
        )
    return f"Cal.com unter {url} meldet einen Fehler: {error.message}"


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
    read_seconds = float(settings.PHASEBOOK_CALCOM_READ_TIMEOUT_SECONDS)
    return CalcomClient(
        connection.base_url,
        connection.api_key,
        versions=versions,
        timeouts=timeouts or CalcomTimeouts(read=read_seconds),
        limiter=shared_rate_limiter(),
        # The key goes only to public https addresses, checked at every connection.
        transport=GuardedTransport(),
    )


def shared_rate_limiter() -> RateLimiter:
    """One limiter per process and broker: with Celery on Redis all workers share the budget
    of an API key; without a broker (tests, demo) it lives in this process."""
    return _limiter(settings.CELERY_BROKER_URL or "", settings.PHASEBOOK_CALCOM_REQUESTS_PER_MINUTE)


@cache
def _limiter(redis_url: str, per_minute: int) -> RateLimiter:
    # Cal.com's window and ours do not start at the same instant: stay a little below.
    limit = per_minute - CALCOM_LIMIT_MARGIN
    return build_rate_limiter(redis_url if redis_url.startswith("redis") else None, limit=limit)
