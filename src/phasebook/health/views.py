"""`GET /healthz` (is the database answering?) and `GET /readyz` (also: is Cal.com set up, is
the broker there?).

Both are unauthenticated, so they say as little as a probe needs. Anonymous callers get totals
only: no company names, and no per-company counts either, since a list of counts would reveal
how many salons there are and how big each one is. Never finding texts (they name stylists),
exception texts (database host and user) or versions. A valid company API token adds that
company's own count, and only its own (tenants). The Cal.com figures come from the database
alone (`offline_findings`, and what the last `calcom_check` or reconciliation stored about
the key's team role): a probe must not wait for, or spend the rate limit of, Cal.com.
The broker is reported, not fatal: while it is away bookings still commit with their sync
work in the outbox, so taking the API out of the load balancer would only do harm.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from phasebook.calcom.models import CalcomConnection
from phasebook.calcom.setup_check import offline_findings
from phasebook.salons.models import Company
from phasebook.salons.tokens import bearer_token

logger = logging.getLogger(__name__)

# Probes come every few seconds and anonymously; the setup summary costs a few queries per
# company, so it is computed at most this often per process.
SETUP_SUMMARY_SECONDS = 30
SETUP_SUMMARY_CACHE_KEY = "phasebook.health.calcom_setup"


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        ping_database()
    except DatabaseError as error:
        return unavailable(error)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        ping_database()
        body: dict[str, Any] = {
            "status": "ok",
            "database": "ok",
            "calcom_setup": cache.get_or_set(
                SETUP_SUMMARY_CACHE_KEY, calcom_setup_summary, SETUP_SUMMARY_SECONDS
            ),
        }
        if settings.CELERY_BROKER_URL:
            body["broker"] = broker_state(settings.CELERY_BROKER_URL)
        token = bearer_token(request)
        if token is not None:
            company = token.company
            body["company"] = {
                "slug": company.slug,
                "calcom_setup_findings": findings(company),
                **company_access(company),
            }
    except DatabaseError as error:
        return unavailable(error)
    return JsonResponse(body)


def ping_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def broker_state(url: str) -> str:
    """ "ok" when the broker accepts a connection within a second or two, else "error"."""
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    try:
        with Connection(url, connect_timeout=1, transport_options=options) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as error:  # kombu's OperationalError, or whatever its transport raises
        logger.warning("Health probe: broker unavailable (%s)", type(error).__name__)
        return "error"
    return "ok"


def calcom_setup_summary() -> dict[str, Any]:
    """Totals over the companies with an enabled Cal.com connection."""
    counts = [
        findings(company) for company in Company.objects.filter(calcom_connection__is_enabled=True)
    ]
    connections = CalcomConnection.objects.filter(is_enabled=True)
    denied = connections.exclude(access_problem="").count()
    summary: dict[str, Any] = {
        "companies_incomplete": sum(1 for count in counts if count),
        "findings": sum(counts),
        # Keys that may not list and cancel their team's bookings: reconciliation and the
        # recovery of lost responses cannot work for these salons.
        "companies_key_denied": denied,
        "companies_key_unchecked": connections.filter(access_checked_at=None).count(),
    }
    if denied:
        summary["fix"] = ACCESS_FIX
    return summary


ACCESS_FIX = "phasebook calcom_check --company SLUG names the fix for each salon"


def company_access(company: Company) -> dict[str, str]:
    """The company's own answer: ok, denied (with the fix) or unchecked."""
    connection = CalcomConnection.objects.filter(company=company).first()
    if connection is None or connection.access_checked_at is None:
        return {"calcom_key_access": "unchecked"}
    if connection.access_problem:
        return {"calcom_key_access": "denied", "calcom_key_fix": connection.access_problem}
    return {"calcom_key_access": "ok"}


def findings(company: Company) -> int:
    return len(offline_findings(company))


def unavailable(error: DatabaseError) -> JsonResponse:
    # The class name only: driver messages name hosts, users and sometimes passwords.
    logger.warning("Health probe: database unavailable (%s)", type(error).__name__)
    return JsonResponse({"status": "error", "database": "error"}, status=503)
