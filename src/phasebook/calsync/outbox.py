"""The sync outbox: ask for phases to be converged, find what is due, lease it to a worker.

`request_sync` writes the rows (in the caller's transaction: the booking's, via
`receivers.py`, or reconciliation's and the webhooks'); `due_appointments` is what the sweeper
re-dispatches; `lease_jobs` hands one appointment's due rows to one worker. Nothing here
dispatches: the callers on top do (`tasks.dispatch`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction
from django.db.models import Case, F, Min, Q, QuerySet, Value, When
from django.utils import timezone

from phasebook.booking import locks
from phasebook.booking.models import Appointment, AppointmentPhase, SyncStatus
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.models import PhaseSyncTask, TaskStatus
from phasebook.calsync.plan import LeaseContext, PhaseJob, build_job

IN_PROGRESS = (TaskStatus.PENDING, TaskStatus.RUNNING)


def request_sync(phases: QuerySet[AppointmentPhase], action: str, now: datetime) -> list[uuid.UUID]:
    """Ask for the staff-required `phases` to be converged again; returns their appointments.

    A newer request supersedes an older one: `generation` grows and the attempt budget starts
    over. A row a worker holds right now stays `running`; that worker sees the new generation
    when it records and leaves the row pending for the next round.
    """
    staff_phases = phases.filter(staff_required=True)
    PhaseSyncTask.objects.filter(phase__in=staff_phases).update(
        generation=F("generation") + 1,
        action=action,
        attempts=0,
        next_attempt_at=now,
        status=Case(
            When(status=TaskStatus.RUNNING, then=Value(TaskStatus.RUNNING)),
            default=Value(TaskStatus.PENDING),
        ),
        # Still behind since then: a new request (a reschedule, a reconciliation) does not
        # make an old backlog look fresh.
        pending_since=Case(
            When(status__in=IN_PROGRESS, pending_since__isnull=False, then=F("pending_since")),
            default=Value(now),
        ),
        last_error="",
        error_kind="",
    )
    PhaseSyncTask.objects.bulk_create(
        PhaseSyncTask(
            phase_id=phase_id,
            appointment_id=appointment_id,
            company_id=company_id,
            action=action,
            next_attempt_at=now,
            pending_since=now,
        )
        for phase_id, appointment_id, company_id in staff_phases.filter(
            sync_task__isnull=True
        ).values_list("pk", "appointment_id", "appointment__company_id")
    )
    staff_phases.update(calcom_sync_status=SyncStatus.PENDING, sync_error_message="")
    appointment_ids = list(staff_phases.values_list("appointment_id", flat=True).distinct())
    Appointment.objects.filter(pk__in=appointment_ids).update(calcom_sync_status=SyncStatus.PENDING)
    return appointment_ids


def is_due(now: datetime) -> Q:
    """Pending and due and not held by a live lease, or held by a lease that expired."""
    unleased = Q(leased_until__isnull=True) | Q(leased_until__lte=now)
    pending = Q(status=TaskStatus.PENDING, next_attempt_at__lte=now) & unleased
    abandoned = Q(status=TaskStatus.RUNNING, leased_until__lte=now)
    return pending | abandoned


def due_appointments(env: SyncEnv, limit: int = 500) -> list[uuid.UUID]:
    """Appointments with due outbox rows, most overdue first."""
    due = (
        PhaseSyncTask.objects.filter(is_due(env.clock()))
        .values("appointment_id")
        .annotate(oldest=Min("next_attempt_at"))
        .order_by("oldest")
    )
    return [row["appointment_id"] for row in due[:limit]]


def lease_jobs(appointment_id: uuid.UUID, env: SyncEnv) -> list[PhaseJob]:
    """Take the appointment's due rows for this worker and snapshot them as jobs.

    The lease commits before any HTTP call: attempts count up and the window the job may
    create in is written to `open_creates` first, so a worker that dies mid-call leaves
    enough behind for the next one to look before it creates again.
    """
    now = env.clock()
    with transaction.atomic():
        due = PhaseSyncTask.objects.filter(is_due(now), appointment_id=appointment_id)
        # Rows another worker is leasing right now are skipped, not waited for.
        tasks = list(
            locks.outbox_rows_for_update(
                due.select_related(
                    "phase__staff",
                    "appointment__company",
                    "appointment__customer",
                    "appointment__service",
                ),
                skip_locked=True,
            )
        )
        if not tasks:
            return []
        context = LeaseContext.load(tasks[0].appointment)
        jobs = [_lease(task, now, env, context) for task in tasks]
        PhaseSyncTask.objects.bulk_update(
            tasks,
            [
                "status",
                "lease_token",
                "leased_until",
                "attempts",
                "open_creates",
                "updated_at",
            ],
        )
        return jobs


def _lease(task: PhaseSyncTask, now: datetime, env: SyncEnv, context: LeaseContext) -> PhaseJob:
    """Mark `task` as this worker's (saved by the caller, all rows in one statement)."""
    token = uuid.uuid4()
    task.status, task.lease_token, task.leased_until = TaskStatus.RUNNING, token, now + env.lease
    task.attempts += 1
    task.updated_at = timezone.now()  # bulk_update does not apply auto_now
    job = build_job(task, token, context)
    if job.desired is not None:
        window = job.desired.window.as_json()
        if window not in task.open_creates:
            task.open_creates = [*task.open_creates, window]
    return job
