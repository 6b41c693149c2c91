"""Which services fit at a clicked time, asked of the booking layer's predicate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from phasebook.booking.availability import verdict_for
from phasebook.booking.rendering import Explained, render_reason
from phasebook.salons.models import Company, Service, Staff


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
    explained = Explained(verdict, situation.policy, {str(stylist.id): stylist.name})
    first = explained.all_conflicts()[0]  # the salon's rules first, then the stylist's
    return ServiceOption(service, fits=False, reason=render_reason(first, explained).message)
