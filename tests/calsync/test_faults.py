"""False negatives, idempotency and retries: a phase never gets a second Cal.com booking."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from phasebook.booking.models import AppointmentPhase, SyncStatus
from phasebook.calcom.client import CalcomClient
from phasebook.calcom.models import CalcomConnection
from phasebook.calcom.ratelimit import InMemoryRateLimiter
from phasebook.calcom.schemas import BookingFilters
from phasebook.calcom_emulator.faults import FaultMode
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.errors import AbandonJob
from phasebook.calsync.models import PhaseSyncTask, TaskStatus
from phasebook.calsync.outbox import lease_jobs, request_sync
from phasebook.calsync.phase_sync import Progress, create_missing, no_checkpoint
from phasebook.calsync.plan import PhaseJob
from phasebook.calsync.sync import drain, verify_appointment
from tests.support.booking import book
from tests.support.clock import FakeClock
from tests.support.mirror import Mirror


@pytest.mark.parametrize("mode", ["lose_response", "timeout", "drop", "server_error"])
def test_an_unclear_create_is_looked_up_before_it_is_sent_again(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock, mode: FaultMode
) -> None:
    mirror.emulator.inject_fault(mode, count=1, method="POST", path_prefix="/v2/bookings")
    appointment = book(salon, service=salon.cut)
    drain(env)
    phase = appointment.phases.get()
    assert phase.calcom_sync_status == SyncStatus.FAILED

    clock.advance(minutes=5)
    drain(env)

    phase.refresh_from_db()
    (booking,) = mirror.live_for_phase(phase.pk)
    assert phase.calcom_sync_status == SyncStatus.SYNCED
    assert phase.calcom_booking_uid == booking.uid
    assert len(mirror.emulator.state.bookings) == 1, "never a second booking for the phase"
    adopted = phase.calcom_metadata["sync_details"]["adopted"]
    assert adopted is (mode == "lose_response")


def test_a_worker_killed_after_creating_leaves_work_that_the_next_one_adopts(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    def die_once(job: PhaseJob) -> None:
        env.checkpoint = no_checkpoint
        raise AbandonJob

    env.checkpoint = die_once
    appointment = book(salon, service=salon.cut)
    drain(env)
    task = PhaseSyncTask.objects.get(appointment=appointment)
    assert task.status == TaskStatus.RUNNING
    assert len(mirror.live_bookings()) == 1

    assert drain(env) == 0, "the lease still holds"
    clock.advance(seconds=env.lease.total_seconds() + 1)
    drain(env)

    phase = appointment.phases.get()
    (booking,) = mirror.live_bookings()
    assert phase.calcom_booking_uid == booking.uid
    assert phase.calcom_sync_status == SyncStatus.SYNCED
    assert len(mirror.emulator.state.bookings) == 1


def test_a_rate_limited_phase_waits_for_the_reset(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    mirror.emulator.inject_fault("rate_limit", count=1, method="POST")
    appointment = book(salon, service=salon.cut)
    drain(env)
    task = PhaseSyncTask.objects.get(appointment=appointment)
    assert task.error_kind == "rate_limited"
    assert task.next_attempt_at >= clock.now + timedelta(seconds=60)

    clock.advance(seconds=30)
    assert drain(env) == 0
    clock.advance(seconds=32)
    drain(env)

    assert appointment.phases.get().calcom_sync_status == SyncStatus.SYNCED


def test_backoff_grows_with_full_jitter_and_gives_up_into_manual_review(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    mirror.emulator.inject_fault("server_error", count=None, method="POST")
    appointment = book(salon, service=salon.cut)
    delays = []
    for _ in range(env.retry.max_attempts):
        drain(env)
        task = PhaseSyncTask.objects.get(appointment=appointment)
        delays.append((task.next_attempt_at - clock.now).total_seconds())
        clock.advance(hours=1)

    appointment.refresh_from_db()
    phase = appointment.phases.get()
    assert task.status == TaskStatus.FAILED
    assert task.attempts == env.retry.max_attempts
    assert appointment.requires_manual_review
    assert appointment.calcom_sync_status == SyncStatus.FAILED
    assert phase.sync_error_message.startswith("Nach 5 Versuchen aufgegeben")
    ceilings = [2, 4, 8, 16]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=False))


def test_a_rejected_api_key_stops_at_once(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    connection = CalcomConnection.objects.get(company=salon.company)
    connection.api_key = "cal_wrong"
    connection.save()
    appointment = book(salon, service=salon.cut)
    drain(env)

    task = PhaseSyncTask.objects.get(appointment=appointment)
    phase = appointment.phases.get()
    assert (task.status, task.attempts) == (TaskStatus.FAILED, 1)
    assert "API-Key" in phase.sync_error_message
    assert "phasebook calcom_connect --company salon-a" in phase.sync_error_message


def test_a_response_that_names_another_phase_is_rejected(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)
    first, second = appointment.phases.filter(staff_required=True)[:2]
    other_phases_booking = env.client_for(salon.company).get_booking(first.calcom_booking_uid)

    class AnswersWithTheWrongBooking:
        def create_booking(self, request: object) -> object:
            return other_phases_booking

    job = _job_creating(second.pk, appointment.pk, env)
    progress = Progress(job)
    create_missing(progress, AnswersWithTheWrongBooking(), no_checkpoint)  # type: ignore[arg-type]

    assert progress.kept is None
    assert getattr(progress.error, "kind", None) == "foreign_response"


def test_verification_heals_a_phase_marked_failed_and_recreates_a_missing_booking(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)
    wash, cut = appointment.phases.filter(segment_key__in=["B", "C"]).order_by("segment_key")
    wash.calcom_sync_status = SyncStatus.FAILED
    wash.save()
    mirror.emulator.state.cancel_booking(cut.calcom_booking_uid, "deleted by hand")

    verify_appointment(appointment.pk, env)

    appointment.refresh_from_db()
    wash.refresh_from_db()
    cut.refresh_from_db()
    assert appointment.calcom_sync_status == SyncStatus.SYNCED
    assert wash.calcom_sync_status == SyncStatus.SYNCED
    assert len(mirror.live_bookings()) == 4
    (new_cut,) = mirror.live_for_phase(cut.pk)
    assert cut.calcom_booking_uid == new_cut.uid


def _job_creating(phase_id: int, appointment_id: uuid.UUID, env: SyncEnv) -> PhaseJob:
    request_sync(AppointmentPhase.objects.filter(pk=phase_id), "reconcile", env.clock())
    (job,) = [j for j in lease_jobs(appointment_id, env) if j.phase_id == phase_id]
    return job


def test_a_create_cal_com_refuses_as_a_duplicate_of_its_lost_response_is_adopted(
    salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lost create's booking exists, but the lookup before the retry does not show it yet
    (Cal.com's listing lags behind); the retry is refused as an exact duplicate (409)."""
    mirror.emulator.inject_fault(
        "lose_response", count=1, method="POST", path_prefix="/v2/bookings"
    )
    appointment = book(salon, service=salon.cut)
    drain(env)
    listing = CalcomClient.list_bookings
    lagging = iter([True])

    def lagging_listing(client: CalcomClient, filters: BookingFilters | None = None) -> Any:
        page = listing(client, filters)
        return page.model_copy(update={"bookings": []}) if next(lagging, False) else page

    monkeypatch.setattr(CalcomClient, "list_bookings", lagging_listing)
    clock.advance(minutes=5)
    drain(env)

    phase = appointment.phases.get()
    task = PhaseSyncTask.objects.get(phase=phase)
    (booking,) = mirror.live_for_phase(phase.pk)
    assert (phase.calcom_sync_status, task.status) == (SyncStatus.SYNCED, TaskStatus.DONE)
    assert phase.calcom_booking_uid == booking.uid
    assert phase.calcom_metadata["sync_details"]["adopted"] is True
    assert len(mirror.emulator.state.bookings) == 1


def test_a_phase_our_limiter_holds_back_is_pending_and_spends_no_attempt(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    now = [0.0]
    limiter = InMemoryRateLimiter(limit=1, window_seconds=60, clock=lambda: now[0])

    def limited_client(company: Any) -> CalcomClient:
        connection = CalcomConnection.objects.get(company=company)
        return CalcomClient(connection.base_url, connection.api_key, limiter=limiter)

    env.client_for = limited_client
    limiter.try_acquire(mirror.api_key)  # the key's budget for this minute is used up
    appointment = book(salon, service=salon.cut)
    for _ in range(2 * env.retry.max_attempts):
        drain(env)
        clock.advance(minutes=2)

    task = PhaseSyncTask.objects.get(appointment=appointment)
    appointment.refresh_from_db()
    phase = appointment.phases.get()
    assert (task.status, task.attempts, task.error_kind) == (TaskStatus.PENDING, 0, "throttled")
    assert phase.calcom_sync_status == SyncStatus.PENDING
    assert appointment.calcom_sync_status == SyncStatus.PENDING
    assert not appointment.requires_manual_review
    assert "Anfragelimit" in phase.sync_error_message

    now[0] += 61  # the key's budget frees up
    limiter.limit = 10
    drain(env)

    phase.refresh_from_db()
    assert phase.calcom_sync_status == SyncStatus.SYNCED
    assert len(mirror.live_for_phase(phase.pk)) == 1


def test_while_the_shared_limiter_is_unreachable_nothing_is_sent_and_the_phase_waits(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    class Unreachable:
        def try_acquire(self, key: str) -> float:
            raise ConnectionError("Redis is away")

    def client(company: Any) -> CalcomClient:
        connection = CalcomConnection.objects.get(company=company)
        return CalcomClient(connection.base_url, connection.api_key, limiter=Unreachable())

    env.client_for = client
    appointment = book(salon, service=salon.cut)
    drain(env)

    task = PhaseSyncTask.objects.get(appointment=appointment)
    assert (task.status, task.attempts, task.error_kind) == (TaskStatus.PENDING, 0, "throttled")
    assert mirror.emulator.state.bookings == {}
