"""Holds that ran out: retired when a booking finds one in its way, or when its caller
comes back to confirm it. An expired hold never blocks anyone (the predicate ignores it);
retiring makes the exclusion constraints ignore it too, before the booking writes."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from django.utils import timezone

from phasebook.booking import events
from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus


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
