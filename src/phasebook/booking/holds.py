"""Holds that ran out: retired when a booking finds one in its way, or when its caller
comes back to confirm it. An expired hold never blocks anyone (the predicate ignores it);
retiring makes the exclusion constraints ignore it too, before the booking writes.

Holds that a new hold replaces (its client offered the caller another time) are released:
cancelled by that client, in the new hold's write transaction (`release`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from phasebook.booking import events, locks
from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.salons.models import Company

# The cancelled hold's reason, in its history.
REPLACED = "Durch eine andere Reservierung desselben Anrufs ersetzt."


def retire(hold: Appointment, at: datetime) -> None:
    """Mark this hold as expired and release its stylist."""
    hold.status = AppointmentStatus.EXPIRED
    hold.is_live = False
    hold.save(update_fields=["status", "is_live", "updated_at"])
    hold.phases.update(blocks_staff=False)
    events.expired([hold.pk], at)


def retire_expired_holds(appointment_ids: Collection[UUID], at: datetime) -> None:
    """Retire these run-out holds, unless they were confirmed meanwhile."""
    if not appointment_ids:
        return
    Appointment.objects.filter(pk__in=appointment_ids, status=AppointmentStatus.HELD).update(
        status=AppointmentStatus.EXPIRED, is_live=False, updated_at=timezone.now()
    )
    retired = Appointment.objects.filter(pk__in=appointment_ids, status=AppointmentStatus.EXPIRED)
    AppointmentPhase.objects.filter(appointment__in=retired).update(blocks_staff=False)
    events.expired(list(retired.values_list("pk", flat=True)), at)


def replaceable(
    company: Company, client: str, hold_ids: Collection[UUID], now: datetime
) -> QuerySet[Appointment]:
    """Of `hold_ids`, the live holds that `client` placed: the ones a new hold of the same
    client may replace (nobody releases another client's hold)."""
    return Appointment.objects.filter(
        company=company,
        pk__in=hold_ids,
        placed_by=client,
        status=AppointmentStatus.HELD,
        hold_expires_at__gt=now,
    )


def release(
    company: Company, hold_ids: Collection[UUID], actor: Actor, now: datetime
) -> list[UUID]:
    """Cancel the live holds of `hold_ids` that `actor` placed, their rows locked (second
    in the lock order), each with its event; the ids released. Holds have no Cal.com
    bookings, so nothing follows after commit."""
    if not hold_ids or not actor.client_key:
        return []
    released = list(
        locks.appointments_for_update()
        .filter(pk__in=replaceable(company, actor.client_key, hold_ids, now).values("pk"))
        .order_by("pk")
    )
    for hold in released:
        hold.status = AppointmentStatus.CANCELLED
        hold.is_live = False
        hold.cancel_reason = REPLACED
        hold.cancelled_at = now
        hold.save(
            update_fields=["status", "is_live", "cancel_reason", "cancelled_at", "updated_at"]
        )
        events.cancelled(hold, actor, now)
    AppointmentPhase.objects.filter(appointment__in=[hold.pk for hold in released]).update(
        blocks_staff=False
    )
    return [hold.pk for hold in released]
