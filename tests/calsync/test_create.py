"""Seed scenarios for the first sync of a booking: one Cal.com booking per staff-required phase."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment, SyncStatus
from phasebook.booking.services import BookingRequest, hold_appointment
from phasebook.calcom.models import CalcomEventMap
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.models import PhaseSyncTask, TaskStatus
from phasebook.calsync.sync import drain
from tests.factories import ACTOR, next_weekday
from tests.support.booking import book
from tests.support.clock import FakeClock
from tests.support.mirror import TEAM_ID, Mirror


def _staff_phases(appointment: Appointment) -> list[Any]:
    return list(appointment.phases.filter(staff_required=True).order_by("sequence_order"))


def test_all_four_phases_of_a_colour_are_synced(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)

    appointment.refresh_from_db()
    phases = _staff_phases(appointment)
    assert [p.segment_key for p in phases] == ["A", "B", "C", "D"]
    assert appointment.calcom_sync_status == SyncStatus.SYNCED
    assert appointment.calcom_v2_booking_id == phases[0].calcom_booking_id
    for phase in phases:
        (booking,) = mirror.live_for_phase(phase.pk)
        assert phase.calcom_sync_status == SyncStatus.SYNCED
        assert (booking.uid, booking.id) == (phase.calcom_booking_uid, phase.calcom_booking_id)
        assert (booking.start, booking.end) == (phase.start_time, phase.end_time)
        assert booking.event_type_id == phase.calcom_event_type_id
        assert booking.host_id == mirror.hosts[str(salon.anna.pk)]
        assert booking.metadata["phasebook_appointment_id"] == str(appointment.pk)
        assert booking.metadata["phasebook_segment_key"] == phase.segment_key
        details = phase.calcom_metadata["sync_details"]
        assert details["attempt"] == 1
        assert details["api_version"] == "2024-08-13"
        assert details["latency_ms"] > 0
        assert phase.calcom_metadata["host_user_id"] == booking.host_id


def test_the_processing_gap_is_never_synced(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)

    gap = appointment.phases.get(segment_key="GAP_A")
    assert gap.calcom_sync_status == SyncStatus.NOT_REQUIRED
    assert gap.calcom_booking_uid == ""
    assert not PhaseSyncTask.objects.filter(phase=gap).exists()
    assert mirror.live_for_phase(gap.pk) == []
    assert len(mirror.live_bookings()) == 4


def test_one_failing_phase_gives_partial_and_the_retry_books_only_that_phase(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    mirror.emulator.inject_fault("server_error", count=1, method="POST", path_prefix="/v2/bookings")
    appointment = book(salon)
    drain(env)

    appointment.refresh_from_db()
    statuses = [p.calcom_sync_status for p in _staff_phases(appointment)]
    assert appointment.calcom_sync_status == SyncStatus.PARTIAL
    assert sorted(statuses) == ["failed", "synced", "synced", "synced"]
    (failed,) = [p for p in _staff_phases(appointment) if p.calcom_sync_status == "failed"]
    assert "Cal.com" in failed.sync_error_message

    clock.advance(minutes=5)
    drain(env)

    appointment.refresh_from_db()
    assert appointment.calcom_sync_status == SyncStatus.SYNCED
    assert len(mirror.emulator.state.bookings) == 4, "the retry created exactly one booking"
    assert PhaseSyncTask.objects.get(phase=failed).attempts == 2


def test_a_managed_parent_event_type_stops_at_once_with_a_clear_message(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    parent, *_ = mirror.emulator.state.add_team_event_type(
        TEAM_ID, "managed-wash", 20, "managed", (mirror.hosts[str(salon.anna.pk)],)
    )
    CalcomEventMap.objects.filter(service=salon.colour, segment_key="B", staff=salon.anna).update(
        event_type_id=parent.id
    )
    appointment = book(salon)
    drain(env)

    wash = appointment.phases.get(segment_key="B")
    task = PhaseSyncTask.objects.get(phase=wash)
    appointment.refresh_from_db()
    assert (task.status, task.attempts, task.error_kind) == (TaskStatus.FAILED, 1, "managed_parent")
    assert wash.calcom_sync_status == SyncStatus.FAILED
    assert "verwalteter Eltern-Typ" in wash.sync_error_message
    assert "phasebook calcom_provision --company salon-a" in wash.sync_error_message
    assert appointment.requires_manual_review
    assert appointment.calcom_sync_status == SyncStatus.PARTIAL


def test_a_missing_event_type_map_fails_without_calling_calcom(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    CalcomEventMap.objects.filter(service=salon.cut).delete()
    appointment = book(salon, service=salon.cut)
    drain(env)

    phase = appointment.phases.get()
    assert phase.calcom_sync_status == SyncStatus.FAILED
    assert "Keine Cal.com-Zuordnung" in phase.sync_error_message
    assert mirror.live_bookings() == []


def test_the_customer_is_the_attendee_of_the_first_phase_only(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon, customer="Paula Meier")
    drain(env)

    attendees = [mirror.live_for_phase(p.pk)[0].attendee for p in _staff_phases(appointment)]
    assert attendees[0]["name"] == "Paula Meier"
    assert attendees[0]["email"].endswith("@example.com")
    for placeholder in attendees[1:]:
        assert placeholder["email"] == "termine+salon-a@phasebook.invalid"
        assert "Paula" not in placeholder["name"]


def test_a_simple_service_is_one_booking(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon, service=salon.cut)
    drain(env)

    appointment.refresh_from_db()
    (booking,) = mirror.live_bookings()
    assert appointment.calcom_sync_status == SyncStatus.SYNCED
    assert appointment.calcom_v2_booking_id == booking.id


def test_holds_are_not_synced(salon: SimpleNamespace, mirror: Mirror, env: SyncEnv) -> None:
    start = next_weekday(timezone.now())
    hold_appointment(
        salon.company, BookingRequest(salon.colour.pk, start, CustomerDetails("Eva")), actor=ACTOR
    )

    assert drain(env) == 0
    assert not PhaseSyncTask.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sync_is_dispatched_only_after_the_booking_commits(
    salon: SimpleNamespace, mirror: Mirror, dispatched: list[Any]
) -> None:
    appointment = book(salon)

    assert dispatched == [("calsync.sync_appointment", (str(appointment.pk),))]
    assert PhaseSyncTask.objects.filter(appointment=appointment).count() == 4
    appointment.refresh_from_db()
    assert appointment.calcom_sync_status == SyncStatus.PENDING
