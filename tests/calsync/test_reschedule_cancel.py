"""Reschedule = cancel + create per phase (Cal.com's reschedule resets the length and the uid);
cancel removes every phase booking we made. Both idempotent and convergent after faults."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from phasebook.booking.models import Appointment, SyncStatus
from phasebook.booking.services import cancel_appointment, reschedule_appointment
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.models import PhaseSyncTask, TaskStatus
from phasebook.calsync.outbox import lease_jobs
from phasebook.calsync.sync import drain, run_jobs
from tests.factories import ACTOR
from tests.support.booking import book
from tests.support.clock import FakeClock
from tests.support.mirror import Mirror


def _assert_mirrored(appointment: Appointment, mirror: Mirror) -> None:
    appointment.refresh_from_db()
    assert appointment.calcom_sync_status == SyncStatus.SYNCED
    for phase in appointment.phases.filter(staff_required=True):
        (booking,) = mirror.live_for_phase(phase.pk)
        assert (booking.start, booking.end) == (phase.start_time, phase.end_time)
        assert booking.uid == phase.calcom_booking_uid
        assert booking.event_type_id == phase.calcom_event_type_id


def test_a_reschedule_moves_every_phase_and_keeps_the_old_uids(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)
    old_uids = {p.pk: p.calcom_booking_uid for p in appointment.phases.filter(staff_required=True)}

    # One hour later: the new wash overlaps the old cut of the same stylist.
    reschedule_appointment(
        salon.company, appointment.pk, appointment.start + timedelta(hours=1), actor=ACTOR
    )
    drain(env)

    _assert_mirrored(appointment, mirror)
    assert len(mirror.live_bookings()) == 4
    for phase in appointment.phases.filter(staff_required=True):
        (entry,) = phase.calcom_metadata["history"]
        assert entry["uid"] == old_uids[phase.pk]
        assert entry["cancelled"] is True
        assert mirror.emulator.state.bookings[entry["uid"]].status == "cancelled"


def test_a_reschedule_to_another_stylist_uses_her_event_types(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon, service=salon.cut)
    drain(env)

    reschedule_appointment(
        salon.company, appointment.pk, appointment.start, staff_id=str(salon.ben.pk), actor=ACTOR
    )
    drain(env)

    _assert_mirrored(appointment, mirror)
    (booking,) = mirror.live_bookings()
    assert booking.host_id == mirror.hosts[str(salon.ben.pk)]


def test_a_later_reschedule_supersedes_an_earlier_pending_one(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)

    reschedule_appointment(
        salon.company, appointment.pk, appointment.start + timedelta(hours=2), actor=ACTOR
    )
    reschedule_appointment(
        salon.company, appointment.pk, appointment.start + timedelta(hours=3), actor=ACTOR
    )
    drain(env)

    _assert_mirrored(appointment, mirror)
    assert len(mirror.emulator.state.bookings) == 8, "no booking for the skipped time"


def test_a_change_during_an_attempt_leaves_the_phase_pending_for_the_next_round(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon, service=salon.cut)
    jobs = lease_jobs(appointment.pk, env)
    reschedule_appointment(
        salon.company, appointment.pk, appointment.start + timedelta(hours=1), actor=ACTOR
    )

    run_jobs(appointment.pk, jobs, env)
    task = PhaseSyncTask.objects.get(appointment=appointment)
    assert task.status == TaskStatus.PENDING
    assert task.generation == 2

    drain(env)
    _assert_mirrored(appointment, mirror)
    assert len(mirror.live_bookings()) == 1


def test_a_cancel_cancels_every_phase_booking_and_is_idempotent(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)

    cancel_appointment(salon.company, appointment.pk, actor=ACTOR)
    drain(env)
    cancel_appointment(salon.company, appointment.pk, actor=ACTOR)
    drain(env)

    appointment.refresh_from_db()
    assert mirror.live_bookings() == []
    assert appointment.calcom_sync_status == SyncStatus.SYNCED
    assert appointment.calcom_v2_booking_id is None
    for phase in appointment.phases.filter(staff_required=True):
        assert phase.calcom_booking_uid == ""
        assert [e["cancelled"] for e in phase.calcom_metadata["history"]] == [True]


def test_a_cancel_also_cancels_a_booking_whose_create_response_was_lost(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    mirror.emulator.inject_fault(
        "lose_response", count=1, method="POST", path_prefix="/v2/bookings"
    )
    appointment = book(salon, service=salon.cut)
    drain(env)
    assert len(mirror.live_bookings()) == 1
    assert appointment.phases.get().calcom_booking_uid == ""

    cancel_appointment(salon.company, appointment.pk, actor=ACTOR)
    drain(env)

    assert mirror.live_bookings() == []


def test_a_cancel_whose_answer_was_lost_converges(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    appointment = book(salon, service=salon.cut)
    drain(env)
    mirror.emulator.inject_fault(
        "lose_response", count=1, method="POST", path_prefix="/v2/bookings/"
    )

    cancel_appointment(salon.company, appointment.pk, actor=ACTOR)
    drain(env)
    clock.advance(minutes=5)
    drain(env)

    appointment.refresh_from_db()
    assert mirror.live_bookings() == []
    assert appointment.calcom_sync_status == SyncStatus.SYNCED
