"""Limits that keep one client or one caller from taking a salon's day.

A client is whoever places holds and bookings from outside (an API token, the phone agent's
call; `events.Actor.client_key`); a caller is the person whose phone number a hold or booking
carries. The salon's own staff (admin, portal) is not limited. Each salon sets its own limits
(salons.Company, admin "Salon"):
- writes (holds and bookings) per client and minute, and per caller and hour, counted by
  security.throttle (Redis when configured, else the database);
- live holds per client and per caller: a hold over either cap is withdrawn at once.
Either answer is RateLimited (HTTP 429) with the seconds after which a retry can succeed.

The caps are checked after the hold is written, against every live hold of that client or
caller, so that concurrent holds need no lock of their own: each hold that finds the cap
exceeded withdraws itself. Concurrent holds may therefore all withdraw (the flood gets 429s),
but no more than the cap stay live.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

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


def enforce_hold_caps(hold: Appointment, now: datetime) -> None:
    """Withdraw `hold` if its client or caller now has more live holds than allowed."""
    company = hold.company
    live = Appointment.objects.filter(
        company=company, status=AppointmentStatus.HELD, hold_expires_at__gt=now
    )
    if not hold.placed_by:
        return  # the salon's own staff
    caps = [(live.filter(placed_by=hold.placed_by), company.live_holds_per_client)]
    if hold.customer.phone:
        caps.append(
            (live.filter(customer__phone=hold.customer.phone), company.live_holds_per_caller)
        )
    over = [holds for holds, cap in caps if holds.count() > cap]
    if not over:
        return
    _withdraw(hold, now)
    seconds = _seconds_until_one_expires(over, hold, now)
    raise RateLimited(Sentence(_TOO_MANY_HOLDS, {"seconds": seconds}), seconds)


def _seconds_until_one_expires(
    over: list[QuerySet[Appointment]], hold: Appointment, now: datetime
) -> int:
    expiries: list[datetime] = [
        expiry
        for holds in over
        for expiry in holds.exclude(pk=hold.pk).values_list("hold_expires_at", flat=True)
        if expiry is not None
    ]
    soonest = min(expiries, default=hold.hold_expires_at or now)
    return max(1, math.ceil((soonest - now).total_seconds()))


def _withdraw(hold: Appointment, now: datetime) -> None:
    """Cancel the hold over the cap (it blocked its stylist for a moment only)."""
    Appointment.objects.filter(pk=hold.pk, status=AppointmentStatus.HELD).update(
        status=AppointmentStatus.CANCELLED,
        is_live=False,
        cancel_reason="hold limit",
        cancelled_at=now,
        updated_at=now,
    )
    hold.phases.update(blocks_staff=False)
