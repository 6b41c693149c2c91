"""Row locks and hold expiry for the write path, in one place.

Lock order, everywhere: the changed appointment's row (`FOR UPDATE OF self`) first, then
one stylist row. A booking that tries several stylists locks each inside a savepoint and
rolls the savepoint back (releasing the lock) before it tries the next, so no
transaction ever waits for a stylist while holding another. On SQLite
`select_for_update` is a no-op; the IMMEDIATE transaction holds the write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Q

from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.salons.models import Customer, Staff


def lock_staff(stylist: Staff) -> None:
    """Serialize bookings of this stylist until the transaction ends."""
    Staff.objects.select_for_update().filter(pk=stylist.pk).values_list("pk").get()


def retire(appointment: Appointment) -> None:
    """Mark a hold as expired and release its stylist."""
    appointment.status = AppointmentStatus.EXPIRED
    appointment.is_live = False
    appointment.save(update_fields=["status", "is_live", "updated_at"])
    appointment.phases.update(blocks_staff=False)


def retire_expired_holds(staff: Sequence[Staff], customer: Customer | None, now: datetime) -> int:
    """Expire the holds of these stylists or this customer whose time is up.

    Expired holds never block anyone: the predicate ignores them, and this makes the
    exclusion constraints ignore them too before we write.
    """
    whose = Q(staff__in=staff)
    if customer is not None and customer.pk is not None:
        whose |= Q(customer=customer)
    expired = Appointment.objects.filter(
        whose, status=AppointmentStatus.HELD, hold_expires_at__lte=now
    )
    ids = list(expired.values_list("pk", flat=True))
    if ids:
        Appointment.objects.filter(pk__in=ids).update(
            status=AppointmentStatus.EXPIRED, is_live=False, updated_at=now
        )
        AppointmentPhase.objects.filter(appointment_id__in=ids).update(blocks_staff=False)
    return len(ids)
