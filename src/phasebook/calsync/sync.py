"""Sync one appointment with Cal.com: what every runner (Celery task, in-process thread,
management command, test) calls.

`sync_appointment`:
1. lease the appointment's due outbox rows (short transaction, committed before any HTTP);
2. stage one for all phases in parallel (find, keep, cancel stale), then stage two
   (create what is missing), on a bounded thread pool; no transaction is open meanwhile;
3. record every phase's outcome and aggregate the appointment (one short transaction);
4. if a newer change arrived meanwhile, go round again (bounded).
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.calcom.client import CalcomClient
from phasebook.calsync.env import SyncEnv, default_env
from phasebook.calsync.models import SyncAction
from phasebook.calsync.outbox import due_appointments, lease_jobs, request_sync
from phasebook.calsync.phase_sync import Progress, create_missing, discover_and_tidy
from phasebook.calsync.plan import PhaseJob
from phasebook.calsync.record import record_all
from phasebook.telemetry.logs import log_context

# A change that lands while an attempt runs is picked up right away, a few times at most;
# after that the sweeper takes over.
MAX_ROUNDS = 3


def sync_appointment(appointment_id: uuid.UUID, env: SyncEnv | None = None) -> list[Progress]:
    env = env or default_env()
    results: list[Progress] = []
    with log_context(appointment_id=str(appointment_id)):
        for _ in range(MAX_ROUNDS):
            jobs = lease_jobs(appointment_id, env)
            if not jobs:
                break
            progresses = run_jobs(appointment_id, jobs, env)
            results += progresses
            if not any(progress.superseded for progress in progresses):
                break
    return results


def verify_appointment(appointment_id: uuid.UUID, env: SyncEnv | None = None) -> list[Progress]:
    """Post-sync verification (seed 2.4) for simple and composite appointments alike.

    Every phase is converged again: its stored booking is read back by uid, a phase marked
    failed whose booking exists is healed to synced, a booking that vanished is created anew.
    """
    env = env or default_env()
    phases = AppointmentPhase.objects.filter(appointment_id=appointment_id)
    request_sync(phases, SyncAction.RECONCILE, env.clock())
    return sync_appointment(appointment_id, env)


def run_jobs(appointment_id: uuid.UUID, jobs: list[PhaseJob], env: SyncEnv) -> list[Progress]:
    company = Appointment.objects.select_related("company").get(pk=appointment_id).company
    try:
        client = env.client_for(company)
    except Exception as error:
        progresses = [Progress(job, error=error) for job in jobs]
    else:
        progresses = _call_calcom(jobs, client, env)
    record_all(appointment_id, progresses, env)
    return progresses


def _call_calcom(jobs: list[PhaseJob], client: CalcomClient, env: SyncEnv) -> list[Progress]:
    """Both stages on one bounded pool; the threads never touch the database."""

    # Pool threads start with an empty log context: each call names its phase itself.
    def tidy(job: PhaseJob) -> Progress:
        with _phase_log_context(job):
            return discover_and_tidy(job, client, env.checkpoint)

    def create(progress: Progress) -> None:
        with _phase_log_context(progress.job):
            create_missing(progress, client, env.checkpoint)

    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), env.max_parallel))) as pool:
        progresses = list(pool.map(tidy, jobs))
        list(pool.map(create, progresses))
    return progresses


def _phase_log_context(job: PhaseJob) -> AbstractContextManager[None]:
    return log_context(appointment_id=str(job.appointment_id), phase_id=job.phase_id)


def drain(env: SyncEnv, max_rounds: int = 50) -> int:
    """Work off everything due now in this thread; returns the number of attempts made."""
    attempts = 0
    for _ in range(max_rounds):
        due = due_appointments(env)
        if not due:
            break
        for appointment_id in due:
            attempts += len(sync_appointment(appointment_id, env))
    return attempts
