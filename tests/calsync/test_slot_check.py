"""Preventive slot check (seed 5.2 B): Cal.com is asked before the booking transaction opens."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from phasebook.booking.errors import SlotTaken
from phasebook.booking.models import Appointment
from phasebook.booking.services import reschedule_appointment
from phasebook.calcom.schemas import Slot
from phasebook.calcom_emulator.state import NewBooking
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.models import CalcomSyncSettings
from phasebook.calsync.slot_check import covers
from phasebook.calsync.sync import drain
from tests.factories import ACTOR, next_weekday
from tests.support.booking import book
from tests.support.mirror import Mirror


@pytest.fixture
def checking(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> Mirror:
    CalcomSyncSettings.objects.create(company=salon.company, slot_check_enabled=True)
    monkeypatch.setattr("phasebook.calsync.slot_check.default_env", lambda: env)
    return mirror


def _block_in_calcom(mirror: Mirror, host_id: int, start: object, minutes: int) -> None:
    state = mirror.emulator.state
    event_type = next(
        et
        for et in state.event_types.values()
        if et.host_ids == (host_id,) and et.length_in_minutes == minutes
    )
    attendee = {"name": "Direkt", "email": "direkt@example.com", "timeZone": "Europe/Berlin"}
    state.create_booking(NewBooking(event_type.id, start, attendee, {}))  # type: ignore[arg-type]


def test_a_booking_is_refused_when_cal_com_has_the_stylist_busy_during_a_later_phase(
    salon: SimpleNamespace, checking: Mirror
) -> None:
    start = next_weekday(timezone.now(), hour=10)
    # The cut phase (C) of a colour at 10:00 starts at 11:20.
    _block_in_calcom(
        checking, checking.hosts[str(salon.anna.pk)], start + timedelta(minutes=85), minutes=20
    )

    with pytest.raises(SlotTaken, match=r"Cal\.com meldet diese Zeit als belegt"):
        book(salon)

    assert not Appointment.objects.exists()


def test_cal_com_busy_during_the_processing_gap_does_not_refuse(
    salon: SimpleNamespace, checking: Mirror
) -> None:
    start = next_weekday(timezone.now(), hour=10)
    _block_in_calcom(
        checking, checking.hosts[str(salon.anna.pk)], start + timedelta(minutes=30), minutes=30
    )

    assert book(salon).staff_id == salon.anna.pk


def test_an_unreachable_cal_com_does_not_stop_bookings(
    salon: SimpleNamespace, checking: Mirror
) -> None:
    checking.emulator.inject_fault("server_error", count=None, path_prefix="/v2/slots")

    assert book(salon, service=salon.cut).pk is not None


def test_a_reschedule_is_refused_when_cal_com_has_the_stylist_busy_at_the_new_time(
    salon: SimpleNamespace, checking: Mirror
) -> None:
    appointment = book(salon)
    later = appointment.start + timedelta(days=1)
    # The new wash (B) starts 60 minutes in, at 11:00 the next day.
    _block_in_calcom(
        checking, checking.hosts[str(salon.anna.pk)], later + timedelta(minutes=60), minutes=20
    )

    with pytest.raises(SlotTaken, match=r"Cal\.com meldet diese Zeit als belegt"):
        reschedule_appointment(salon.company, appointment.pk, later, actor=ACTOR)

    appointment.refresh_from_db()
    assert appointment.start == later - timedelta(days=1)


def test_a_reschedule_over_its_own_cal_com_bookings_is_not_refused(
    salon: SimpleNamespace, checking: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)
    assert len(checking.live_bookings()) == 4
    later = appointment.start + timedelta(minutes=30)  # each new phase overlaps an old one

    moved = reschedule_appointment(salon.company, appointment.pk, later, actor=ACTOR)
    drain(env)

    assert moved.start == later
    assert sorted(b.start for b in checking.live_bookings()) == sorted(
        phase.start_time for phase in moved.phases.filter(staff_required=True)
    )


def test_free_slots_cover_a_phase_that_is_off_their_grid() -> None:
    start = next_weekday(timezone.now(), hour=10)

    def slot(minutes: int) -> Slot:
        begin = start + timedelta(minutes=minutes)
        return Slot(start=begin, end=begin + timedelta(minutes=40))

    phase = (start + timedelta(minutes=20), start + timedelta(minutes=60))
    assert covers([slot(0), slot(40)], *phase)
    assert not covers([slot(0)], *phase)
    assert not covers([slot(40)], *phase)
