"""Store what an attempt learned, decide what happens next, and aggregate the appointment.

`record` is the one place where a phase's sync outcome is decided (`Outcome`): synced,
retrying, throttled, gave up, or superseded by a newer change. The appointment's history
gets an event per failed attempt and one when the appointment is synced (or verified) again.
It locks in the order of booking/locks.py, so recording and booking never deadlock. A worker
whose lease was taken over records nothing: the new holder will find the same bookings
through the uids and windows stored before.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from django.db import transaction

from phasebook.booking import events, locks
from phasebook.booking.models import Appointment, AppointmentPhase, SyncStatus
from phasebook.calcom.errors import CalcomRateLimitedError
from phasebook.calcom.schemas import Booking
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.errors import error_kind, error_message, gave_up_message, is_retryable
from phasebook.calsync.models import PhaseSyncTask, SyncAction, TaskStatus
from phasebook.calsync.phase_sync import Progress
from phasebook.telemetry import metrics

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SYNCED = "synced"
    RETRYING = "retrying"
    THROTTLED = "throttled"
    GAVE_UP = "gave_up"
    SUPERSEDED = "superseded"


def record_all(appointment_id: uuid.UUID, progresses: Sequence[Progress], env: SyncEnv) -> None:
    """Record an appointment's attempts in one transaction, with one query per table.

    It locks the appointment row first, as rescheduling and cancelling do, so a recording
    and a change of the same appointment queue up instead of deadlocking on phase rows.
    Sets `progress.superseded` where a newer change arrived meanwhile.
    """
    recorded = [progress for progress in progresses if not progress.abandoned]
    for progress in progresses:
        if progress.abandoned:
            logger.warning("phase %s: attempt abandoned before recording", progress.job.phase_id)
    with transaction.atomic():
        list(locks.appointments_for_update().filter(pk=appointment_id).values("pk"))
        phases = locks.phases_for_update().in_bulk([progress.job.phase_id for progress in recorded])
        tasks = locks.outbox_rows_for_update(PhaseSyncTask.objects.all()).in_bulk(
            [progress.job.task_id for progress in recorded]
        )
        outcomes = []
        for progress in recorded:
            outcome = record(
                progress, env, phases[progress.job.phase_id], tasks[progress.job.task_id]
            )
            progress.superseded = outcome == Outcome.SUPERSEDED
            outcomes.append(outcome)
        if aggregate(appointment_id) == SyncStatus.SYNCED and Outcome.SYNCED in outcomes:
            verified = all(progress.job.action == SyncAction.RECONCILE for progress in recorded)
            events.synced(appointment_id, env.clock(), verified=verified)


def record(
    progress: Progress, env: SyncEnv, phase: AppointmentPhase, task: PhaseSyncTask
) -> Outcome | None:
    """Store one attempt on its locked rows, with a history event if it failed; its outcome,
    or None when the lease was lost."""
    job = progress.job
    if task.lease_token != job.lease_token:
        logger.warning(
            "phase %s: lease lost before recording; the next holder takes over", job.phase_id
        )
        return None
    now = env.clock()
    _store_bookings(phase, progress, now)
    outcome = _decide_next(task, phase, progress, now, env)
    if outcome in (Outcome.RETRYING, Outcome.GAVE_UP):
        events.sync_failed(phase, now, gave_up=outcome == Outcome.GAVE_UP)
    task.lease_token, task.leased_until = None, None
    task.save()
    phase.save(
        update_fields=[
            "calcom_booking_id",
            "calcom_booking_uid",
            "calcom_event_type_id",
            "calcom_metadata",
            "calcom_sync_status",
            "sync_error_message",
            "updated_at",
        ]
    )
    # Counted and logged once the outcome is committed: a rolled-back recording claims nothing.
    transaction.on_commit(partial(_report, progress, outcome))
    return outcome


def _store_bookings(phase: AppointmentPhase, progress: Progress, now: datetime) -> None:
    """Facts only: which booking the phase has now, and every other one we have seen."""
    metadata: dict[str, Any] = dict(phase.calcom_metadata or {})
    history = {entry["uid"]: entry for entry in metadata.get("history", [])}
    dead = progress.cancelled | progress.gone
    current = phase.calcom_booking_uid
    kept = progress.kept
    others = set(progress.seen) | ({current} if current else set())
    for uid in others - {kept.uid if kept else ""}:
        _remember(history, uid, progress.seen.get(uid), uid in dead, now)
    if kept is not None:
        history.pop(kept.uid, None)
        _set_current(phase, metadata, kept, progress, now)
    elif current and current in dead:
        phase.calcom_booking_uid, phase.calcom_booking_id = "", None
    metadata["history"] = list(history.values())
    phase.calcom_metadata = metadata


def _remember(
    history: dict[str, dict[str, Any]],
    uid: str,
    booking: Booking | None,
    cancelled: bool,
    now: datetime,
) -> None:
    entry = history.setdefault(uid, {"uid": uid, "cancelled": False})
    if booking is not None:
        entry |= {
            "id": booking.id,
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
            "event_type_id": booking.event_type_id,
        }
    if cancelled and not entry["cancelled"]:
        entry |= {"cancelled": True, "cancelled_at": now.isoformat()}


def _set_current(
    phase: AppointmentPhase,
    metadata: dict[str, Any],
    kept: Booking,
    progress: Progress,
    now: datetime,
) -> None:
    """Seed Part 3.3: event type, host, created at, attendee and sync details."""
    desired = progress.job.desired
    attendee = desired.request.attendee if desired else None
    phase.calcom_booking_uid, phase.calcom_booking_id = kept.uid, kept.id
    phase.calcom_event_type_id = kept.event_type_id
    metadata |= {
        "event_type_id": kept.event_type_id,
        "host_user_id": kept.hosts[0].id if kept.hosts else None,
        "booking_created_at": kept.created_at.isoformat(),
        "attendee": {"name": attendee.name, "email": attendee.email} if attendee else None,
        "sync_details": {
            "attempt": progress.job.attempt,
            "latency_ms": progress.latency_ms,
            "api_version": progress.job.api_version,
            "synced_at": now.isoformat(),
            "adopted": not progress.created,
        },
    }


def _decide_next(
    task: PhaseSyncTask,
    phase: AppointmentPhase,
    progress: Progress,
    now: datetime,
    env: SyncEnv,
) -> Outcome:
    superseded = task.generation != progress.job.generation
    error = progress.error
    if superseded:
        # A newer change arrived while we worked: its request already made the row due.
        task.status = TaskStatus.PENDING
        phase.calcom_sync_status = SyncStatus.PENDING
        return Outcome.SUPERSEDED
    if error is None:
        task.status, task.open_creates, task.pending_since = TaskStatus.DONE, [], None
        task.last_error, task.error_kind = "", ""
        phase.calcom_sync_status, phase.sync_error_message = SyncStatus.SYNCED, ""
        return Outcome.SYNCED
    message = error_message(error, progress.job.company_slug)
    task.error_kind, task.last_error = error_kind(error), message
    if isinstance(error, CalcomRateLimitedError):
        # Throttled (by our limiter before sending, or by Cal.com's 429): nothing refused
        # the phase, so this was no attempt and the phase is on its way, not failed.
        task.status, task.attempts = TaskStatus.PENDING, max(task.attempts - 1, 0)
        delay = env.retry.delay_seconds(task.attempts, error, env.rng)
        task.next_attempt_at = now + timedelta(seconds=delay)
        phase.calcom_sync_status, phase.sync_error_message = SyncStatus.PENDING, message
        return Outcome.THROTTLED
    phase.calcom_sync_status = SyncStatus.FAILED
    if is_retryable(error) and not env.retry.exhausted(task.attempts):
        task.status = TaskStatus.PENDING
        delay = env.retry.delay_seconds(task.attempts, error, env.rng)
        task.next_attempt_at = now + timedelta(seconds=delay)
        phase.sync_error_message = message
        return Outcome.RETRYING
    task.status, task.pending_since = TaskStatus.FAILED, None  # a person's turn now
    phase.sync_error_message = (
        gave_up_message(task.attempts, message) if is_retryable(error) else message
    )
    return Outcome.GAVE_UP


def _report(progress: Progress, outcome: Outcome) -> None:
    """Count the attempt (or the throttled non-attempt) and log it as one line."""
    job, error = progress.job, progress.error
    labels = {"service_type": job.service_type, "action": job.action}
    if _throttled_here(error):
        metrics.SYNC_THROTTLED.labels(**labels).inc()
    else:
        metrics.SYNC_ATTEMPTS.labels(**labels).inc()
        metrics.SYNC_SECONDS.labels(**labels).observe(progress.seconds)
        if error is None:
            metrics.SYNC_SUCCESS.labels(**labels).inc()
        else:
            metrics.SYNC_FAILURE.labels(
                **labels, http_status=http_status(error), kind=error_kind(error)
            ).inc()
    logger.log(
        logging.INFO if error is None else logging.WARNING,
        "phase sync %s",
        outcome,
        extra={
            "appointment_id": str(job.appointment_id),
            "phase_id": job.phase_id,
            "calcom_uid": progress.kept.uid if progress.kept else "",
            "action": job.action,
            "service_type": job.service_type,
            "attempt": job.attempt,
            "outcome": str(outcome),
            "http_status": http_status(error) if error else "",
            "kind": error_kind(error) if error else "",
            "duration_ms": round(progress.seconds * 1000, 1),
        },
    )


def http_status(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    return str(status) if status else "none"


def _throttled_here(error: Exception | None) -> bool:
    return isinstance(error, CalcomRateLimitedError) and error.local


def aggregate_status(phase_statuses: Sequence[str]) -> str:
    """Never "synced" unless every staff-required phase is."""
    if not phase_statuses:
        return SyncStatus.NOT_REQUIRED
    if all(status == SyncStatus.SYNCED for status in phase_statuses):
        return SyncStatus.SYNCED
    if any(status == SyncStatus.SYNCED for status in phase_statuses):
        return SyncStatus.PARTIAL
    if any(status == SyncStatus.FAILED for status in phase_statuses):
        return SyncStatus.FAILED
    return SyncStatus.PENDING


def aggregate(appointment_id: uuid.UUID) -> str:
    """Appointment status from its phases (returned); `calcom_v2_booking_id` = first phase's
    booking; manual review while any of its phases has given up."""
    phases = list(
        AppointmentPhase.objects.filter(appointment_id=appointment_id, staff_required=True)
        .order_by("sequence_order")
        .values_list("calcom_sync_status", "calcom_booking_id")
    )
    gave_up = PhaseSyncTask.objects.filter(
        appointment_id=appointment_id, status=TaskStatus.FAILED
    ).exists()
    status = aggregate_status([status for status, _ in phases])
    Appointment.objects.filter(pk=appointment_id).update(
        calcom_sync_status=status,
        calcom_v2_booking_id=phases[0][1] if phases else None,
        requires_manual_review=gave_up,
    )
    return status
