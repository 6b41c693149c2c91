"""What the sync does when a booking changes: the receiver of `appointment_changed`.

The signal is sent inside the booking transaction, so the outbox rows written here commit or
roll back with the booking, and the dispatch runs only after the commit. No I/O here. Holds
never arrive: only booked appointments sync.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from phasebook.booking.models import Appointment, AppointmentPhase, SyncStatus
from phasebook.calsync.models import SyncAction
from phasebook.calsync.outbox import request_sync
from phasebook.calsync.switches import switches
from phasebook.calsync.tasks import dispatch, sync_appointment_task

ACTION_FOR_CHANGE = {
    "booked": SyncAction.CREATE,
    "rescheduled": SyncAction.RESCHEDULE,
    "cancelled": SyncAction.CANCEL,
}


def record_change(sender: Any, appointment: Appointment, change: str, **kwargs: Any) -> None:
    if not switches(appointment.company_id).syncs:
        return
    phases = AppointmentPhase.objects.filter(appointment_id=appointment.pk)
    request_sync(phases, ACTION_FOR_CHANGE[change], timezone.now())
    appointment.calcom_sync_status = SyncStatus.PENDING
    transaction.on_commit(partial(dispatch, sync_appointment_task, str(appointment.pk)))
