"""Periodic work of the booking layer (celery beat, or the in-process runner)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from phasebook.booking import holds
from phasebook.booking.models import Appointment, AppointmentStatus


@shared_task(name="booking.retire_expired_holds", ignore_result=True)
def retire_expired_holds_task() -> int:
    """Mark every run-out hold expired, so that it reads "expired" everywhere, not only
    once a booking in its way retired it. Returns how many."""
    run_out = list(
        Appointment.objects.filter(
            status=AppointmentStatus.HELD, hold_expires_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        # Confirmed meanwhile? retire_expired_holds leaves those alone.
        holds.retire_expired_holds(run_out, timezone.now())
    return len(run_out)
