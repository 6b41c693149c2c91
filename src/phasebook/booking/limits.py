"""Limits that keep one client or one caller from taking a salon's day.

A client is whoever places holds and bookings from outside (an API token, the phone agent's
call; `events.Actor.client_key`); a caller is the person whose phone number a hold or booking
carries. The salon's own staff (admin, portal) is not limited. Each salon sets its own limits
(salons.Company, admin "Salon"):
- writes (holds and bookings) per client and minute, and per caller and hour, counted by
  security.throttle (Redis when configured, else the database);
- live holds per client and per caller: a new hold is refused while either has as many as
  allowed.
Either answer is RateLimited (HTTP 429) with the seconds after which a retry can succeed.

The caps are checked before the hold is written, in its write transaction and under the
client's and the caller's locks (`locks.lock_holds_of`), so that concurrent holds of one
client queue up and each counts the ones before it: a hold over the cap never exists, not
even for the moment it would block a stylist.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from phasebook.booking import holds, locks
from phasebook.booking.customers import CustomerDetails, normalize_phone
from phasebook.booking.errors import InvalidRequest, RateLimited
from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.salons.models import Company
from phasebook.scheduling.explain import Sentence
from phasebook.security.throttle import Throttled, hit

_TOO_MANY_WRITES = gettext_noop(
    "Zu viele Buchungen und Reservierungen in kurzer Zeit. Bitte in %(seconds)d Sekunden "
    "erneut versuchen."
)
_TOO_MANY_HOLDS = gettext_noop(
    "Zu viele Reservierungen gleichzeitig. Bitte eine bestätigen oder ablaufen lassen "
    "(spätestens in %(seconds)d Sekunden)."
)


def check_write_rate(company: Company, client: str, details: CustomerDetails) -> None:
    """Count one hold or booking of an outside client against its rate and its caller's.

    Without a client (the salon's own staff in the admin, the demo) nothing is limited."""
    if not client:
        return
    try:
        hit(f"{company.client_writes_per_minute}/minute", "client", str(company.pk), client)
        phone = caller_phone(company, details)
        if phone:
            hit(f"{company.caller_writes_per_hour}/hour", "caller", str(company.pk), phone)
    except Throttled as throttled:
        seconds = throttled.retry_after
        raise RateLimited(Sentence(_TOO_MANY_WRITES, {"seconds": seconds}), seconds) from throttled


def caller_phone(company: Company, details: CustomerDetails) -> str:
    """The caller's number in E.164, or "" (an invalid one is refused later, by the booking)."""
    if not details.phone.strip():
        return ""
    try:
        return normalize_phone(details.phone, company.public_holidays_country or "DE")
    except InvalidRequest:
        return ""


def check_hold_caps(
    company: Company,
    client: str,
    details: CustomerDetails,
    now: datetime,
    replacing: Collection[UUID] = (),
) -> None:
    """Refuse a new hold of `client` for the caller of `details` while either already holds
    as many starts as the salon allows; until the transaction ends, a concurrent hold of
    either waits (so call it in the hold's write transaction, before it writes).

    The client's own holds that the new one replaces (`replacing`, released before it is
    written: holds.release) do not count: a caller offered another time still holds one."""
    if not client:
        return  # the salon's own staff
    phone = caller_phone(company, details)
    locks.lock_holds_of(company, client, phone)
    live = Appointment.objects.filter(
        company=company, status=AppointmentStatus.HELD, hold_expires_at__gt=now
    )
    if replacing:
        live = live.exclude(pk__in=holds.replaceable(company, client, replacing, now).values("pk"))
    caps = [(live.filter(placed_by=client), company.live_holds_per_client)]
    if phone:
        caps.append((live.filter(caller_phone=phone), company.live_holds_per_caller))
    full = [holds for holds, cap in caps if holds.count() >= cap]
    if full:
        seconds = _seconds_until_one_expires(full, now)
        raise RateLimited(Sentence(_TOO_MANY_HOLDS, {"seconds": seconds}), seconds)


def _seconds_until_one_expires(full: list[QuerySet[Appointment]], now: datetime) -> int:
    expiries: list[datetime] = [
        expiry
        for holds in full
        for expiry in holds.values_list("hold_expires_at", flat=True)
        if expiry is not None
    ]
    # A cap of 0 leaves no hold to wait for: then a hold's lifetime, as good a pause as any.
    soonest = min(expiries, default=now + timedelta(seconds=settings.PHASEBOOK_HOLD_TTL_SECONDS))
    return max(1, math.ceil((soonest - now).total_seconds()))
