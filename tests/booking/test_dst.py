"""Booking and availability across Berlin's clock changes (last Sundays of March and October).

The salon is open around the clock every day, so the switch hour itself is bookable.
Instants are stored in UTC, phases last exactly their minutes of real time, and the API
shows each instant with the offset in force at that moment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from phasebook.booking.availability import find_slots
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment, AppointmentEvent, EventKind
from phasebook.booking.rendering import render_appointment
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.calsync.models import ReconcileRun
from phasebook.salons.models import Absence, ExternalBusyBlock
from phasebook.scheduling.intervals import Interval
from tests.factories import ACTOR, BERLIN, COLOUR, CUT, make_company, make_service, make_staff

ALL_DAY = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
SPRING_SWITCH = date(2026, 3, 29)  # 02:00 CET becomes 03:00 CEST
AUTUMN_SWITCH = date(2026, 10, 25)  # 03:00 CEST becomes 02:00 CET again
SPRING_NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
AUTUMN_NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def night_salon(db: None) -> SimpleNamespace:
    company = make_company("nachtsalon", opening_hours=ALL_DAY)
    colour = make_service(company, "Ansatzfärbung", COLOUR)
    cut = make_service(company, "Herrenhaarschnitt", CUT)
    anna = make_staff(company, "Anna", working_hours=ALL_DAY)
    return SimpleNamespace(company=company, colour=colour, cut=cut, anna=anna)


def _book(
    salon: SimpleNamespace,
    start: datetime,
    now: datetime,
    service: Any = None,
    customer: str = "Paul Klaus",
) -> Appointment:
    request = BookingRequest(
        (service or salon.colour).pk, start, CustomerDetails(customer), str(salon.anna.pk)
    )
    return book_appointment(salon.company, request, now=now, actor=ACTOR)


def _berlin(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN, fold=fold)


def _assert_phases_last_their_real_minutes(appointment: Appointment) -> None:
    for phase in appointment.phases.all():
        assert phase.start_time.utcoffset() == timedelta(0)
        assert phase.end_time - phase.start_time == timedelta(minutes=phase.duration_minutes)
    total = sum(segment["duration_minutes"] for segment in appointment.service.segments)
    assert appointment.end - appointment.start == timedelta(minutes=total)


def _local_times(appointment: Appointment) -> list[str]:
    return [phase.start_time.isoformat() for phase in render_appointment(appointment).phases]


def test_a_colour_across_the_spring_switch_keeps_its_real_minutes(
    night_salon: SimpleNamespace,
) -> None:
    booked = _book(night_salon, _berlin(SPRING_SWITCH, 1), SPRING_NOW)
    assert booked.start == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    _assert_phases_last_their_real_minutes(booked)
    # The wash starts 60 real minutes after 01:00 CET: at 03:00 CEST, not at 02:00.
    assert _local_times(booked) == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:20:00+02:00",
        "2026-03-29T04:00:00+02:00",
    ]


def test_a_colour_across_the_autumn_switch_keeps_its_real_minutes(
    night_salon: SimpleNamespace,
) -> None:
    booked = _book(night_salon, _berlin(AUTUMN_SWITCH, 1, 30), AUTUMN_NOW)
    assert booked.start == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    _assert_phases_last_their_real_minutes(booked)
    assert _local_times(booked) == [
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:50:00+02:00",
        "2026-10-25T02:30:00+01:00",  # 40 minutes after 02:50 CEST, the clock went back
    ]


def test_the_repeated_autumn_hour_holds_two_different_bookings_with_the_same_wall_time(
    night_salon: SimpleNamespace,
) -> None:
    first = _book(night_salon, _berlin(AUTUMN_SWITCH, 2, 15), AUTUMN_NOW, night_salon.cut, "Eva")
    second = _book(
        night_salon, _berlin(AUTUMN_SWITCH, 2, 15, fold=1), AUTUMN_NOW, night_salon.cut, "Udo"
    )
    assert second.start - first.start == timedelta(hours=1)
    assert render_appointment(first).start.isoformat() == "2026-10-25T02:15:00+02:00"
    assert render_appointment(second).start.isoformat() == "2026-10-25T02:15:00+01:00"


def _slot_starts(salon: SimpleNamespace, day: date, now: datetime) -> list[datetime]:
    window = Interval(_berlin(day, 0), _berlin(day + timedelta(days=1), 0))
    slots = find_slots(salon.company, salon.cut, window, [salon.anna], now)
    return [slot.start for slot in slots]


def test_spring_switch_day_offers_no_start_in_the_skipped_hour_and_every_start_on_the_grid(
    night_salon: SimpleNamespace,
) -> None:
    local = [
        start.astimezone(BERLIN) for start in _slot_starts(night_salon, SPRING_SWITCH, SPRING_NOW)
    ]
    assert local, "the salon is open all day"
    assert all(start.minute % 15 == 0 for start in local)
    assert not any(start.hour == 2 for start in local)
    assert _berlin(SPRING_SWITCH, 1, 45) in local
    assert _berlin(SPRING_SWITCH, 3, 0) in local
    # 01:45 CET and 03:00 CEST are one 15-minute step apart in real time.
    assert _berlin(SPRING_SWITCH, 3).astimezone(UTC) - _berlin(SPRING_SWITCH, 1, 45).astimezone(
        UTC
    ) == timedelta(minutes=15)


def test_autumn_switch_day_offers_the_repeated_hour_twice(night_salon: SimpleNamespace) -> None:
    starts = _slot_starts(night_salon, AUTUMN_SWITCH, AUTUMN_NOW)
    repeated = [start for start in starts if start.astimezone(BERLIN).hour == 2]
    assert len(repeated) == 8  # 02:00 … 02:45 in summer time, then again in winter time
    assert {start.astimezone(BERLIN).utcoffset() for start in repeated} == {
        timedelta(hours=2),
        timedelta(hours=1),
    }
    assert len(starts) == len(set(starts)) == 25 * 4 - 2  # the day has 25 hours; ends 23:59


@pytest.mark.parametrize(
    ("day", "now", "offset"),
    [
        (date(2026, 3, 30), SPRING_NOW, "+02:00"),  # Monday after the spring switch
        (date(2026, 4, 4), SPRING_NOW, "+02:00"),  # Saturday after it
        (date(2026, 10, 26), AUTUMN_NOW, "+01:00"),  # Monday after the autumn switch
        (date(2026, 10, 31), AUTUMN_NOW, "+01:00"),  # Saturday after it
    ],
)
def test_the_days_after_a_switch_book_local_wall_time_with_the_new_offset(
    night_salon: SimpleNamespace, day: date, now: datetime, offset: str
) -> None:
    start = _berlin(day, 10)
    booked = _book(night_salon, start, now)
    assert booked.start == start.astimezone(UTC)
    _assert_phases_last_their_real_minutes(booked)
    assert render_appointment(booked).start.isoformat() == f"{day.isoformat()}T10:00:00{offset}"
    first_slot = _slot_starts(night_salon, day, now)[0]
    assert first_slot.astimezone(BERLIN).isoformat() == f"{day.isoformat()}T00:00:00{offset}"


@pytest.mark.parametrize("day", [date(2026, 7, 15), date(2026, 12, 10)], ids=["summer", "winter"])
def test_every_title_reads_the_salons_wall_clock(night_salon: SimpleNamespace, day: date) -> None:
    """Titles are what the admin shows as page titles, choices and history headings."""
    ten, noon = _berlin(day, 10), _berlin(day, 12)
    appointment = _book(night_salon, ten, now=ten - timedelta(days=1))
    company, anna = night_salon.company, night_salon.anna
    titles = [
        str(appointment),
        str(AppointmentEvent(appointment=appointment, kind=EventKind.BOOKED, at=ten)),
        str(Absence(staff=anna, start=ten, end=noon)),
        str(ExternalBusyBlock(company=company, staff=anna, start=ten, end=noon)),
        str(ReconcileRun(company=company, ran_at=ten)),
    ]
    assert titles == [
        f"Ansatzfärbung · {day} 10:00",
        f"Gebucht · {day} 10:00",
        f"Anna: {day} 10:00–{day} 12:00",
        f"Anna: {day} 10:00",
        f"Nachtsalon: {day} 10:00",
    ]
