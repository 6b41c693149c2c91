"""What a person asks of the Cal.com mirror from the portal, for one appointment.

`retry_appointment` gives a failed or given-up sync a fresh attempt budget and dispatches it
after commit (the work runs where all sync work runs: Celery or the in-process runner).
Verifying now is `sync.verify_appointment`, which reads every booking back, synchronously.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from phasebook.booking.models import Appointment
from phasebook.calsync.models import SyncAction
from phasebook.calsync.outbox import request_sync
from phasebook.calsync.tasks import dispatch, sync_appointment_task


def retry_appointment(appointment: Appointment) -> None:
    with transaction.atomic():
        request_sync(appointment.phases.all(), SyncAction.RECONCILE, timezone.now())
        # After commit: the worker must see the rows this transaction wrote.
        transaction.on_commit(lambda: dispatch(sync_appointment_task, str(appointment.pk)))
