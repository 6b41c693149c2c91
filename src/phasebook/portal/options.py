"""Which services fit at a clicked time, asked of the booking layer's predicate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from phasebook.api.i18n import translated
from phasebook.booking.availability import verdict_for
from phasebook.salons.models import Company, Service, Staff
from phasebook.scheduling.explain import describe


@dataclass(frozen=True)
class ServiceOption:
    service: Service
    fits: bool
    reason: str = ""  # why not, in the reader's language


def service_options(
    company: Company, stylist: Staff, start: datetime, now: datetime
) -> list[ServiceOption]:
    """Every active service the stylist offers, checked at `start` by the same predicate
    that the booking transaction runs (so what is offered here can be booked)."""
    services = stylist.services.filter(is_active=True).order_by("name")
    return [_option(company, service, stylist, start, now) for service in services]


def _option(
    company: Company, service: Service, stylist: Staff, start: datetime, now: datetime
) -> ServiceOption:
    verdict, situation = verdict_for(company, service, start, [stylist], now)
    if verdict.possible:
        return ServiceOption(service, fits=True)
    conflicts = verdict.salon_conflicts or verdict.staff_conflicts.get(str(stylist.id), ())
    first = conflicts[0]
    sentence = describe(first, verdict, situation.policy, {str(stylist.id): stylist.name})
    return ServiceOption(service, fits=False, reason=translated(sentence))
