"""Loading the salon around an absence: what the planner may move, what only blocks, and a
fixed number of queries however many appointments there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phasebook.absences.loading import load_salon
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment
from phasebook.booking.services import BookingRequest, book_appointment, hold_appointment
from phasebook.salons.models import Service, Staff
from phasebook.scheduling.availability import BusyKind
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.replan import AbsencePeriod, SalonState
from tests.factories import ACTOR, BERLIN, make_staff

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
TEN = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday
MORNING = Interval(TEN.replace(hour=9), TEN.replace(hour=13))
HALF_HOUR = timedelta(minutes=30)


def _book(
    salon: SimpleNamespace,
    start: datetime,
    stylist: Staff,
    client: str = "Paul Klaus",
    service: Service | None = None,
    hold: bool = False,
) -> Appointment:
    request = BookingRequest(
        (service or salon.cut).pk,
        start,
        CustomerDetails(client, phone=_phone(client)),
        str(stylist.pk),
    )
    return (hold_appointment if hold else book_appointment)(
        salon.company, request, now=NOW, actor=ACTOR
    )


def _phone(client: str) -> str:
    return f"+49 171 {sum(map(ord, client)):07d}"


def _load(salon: SimpleNamespace, now: datetime = NOW) -> SalonState:
    absence = AbsencePeriod(str(salon.anna.pk), MORNING)
    return load_salon(salon.company, absence, now, search_days=2).state


def _busy(state: SalonState, stylist: Staff) -> list[tuple[BusyKind, Interval]]:
    (found,) = [item for item in state.stylists if item.staff_id == str(stylist.pk)]
    return sorted((busy.kind, busy.interval) for busy in found.busy)


def test_only_the_absent_stylists_appointments_during_the_absence_may_move(
    salon: SimpleNamespace,
) -> None:
    during = _book(salon, TEN, salon.anna)
    afternoon = _book(salon, TEN + timedelta(hours=5), salon.anna, "Eva Adler")
    bens = _book(salon, TEN, salon.ben, "Bea Busy")  # the same interval as Anna's cut

    state = _load(salon)

    assert [item.appointment_id for item in state.appointments] == [str(during.pk)]
    assert _busy(state, salon.anna) == [(BusyKind.PHASE, afternoon.interval)]
    assert _busy(state, salon.ben) == [(BusyKind.PHASE, bens.interval)]


def test_the_clients_other_appointments_block_them(salon: SimpleNamespace) -> None:
    _book(salon, TEN, salon.anna)
    elsewhere = _book(salon, TEN + timedelta(days=1), salon.ben)  # the same client

    (customer_busy,) = _load(salon).customer_busy.values()

    assert [busy.interval for busy in customer_busy] == [elsewhere.interval]


def test_a_run_out_hold_is_neither_moved_nor_in_the_way(salon: SimpleNamespace) -> None:
    _book(salon, TEN, salon.anna, hold=True)
    _book(salon, TEN, salon.ben, "Bea Busy", hold=True)

    state = _load(salon, now=NOW + timedelta(hours=1))

    assert state.appointments == ()
    assert _busy(state, salon.ben) == []


def test_an_inactive_stylist_takes_nobody_but_an_inactive_absent_one_is_planned_for(
    salon: SimpleNamespace,
) -> None:
    _book(salon, TEN, salon.anna)
    Staff.objects.filter(pk=salon.anna.pk).update(is_active=False)
    make_staff(salon.company, "Cleo", is_active=False)

    state = _load(salon)

    assert {item.name: item.services for item in state.stylists} == {
        "Anna": frozenset(),
        "Ben": frozenset({salon.colour.pk, salon.cut.pk}),
    }
    assert len(state.appointments) == 1


@pytest.mark.parametrize("appointments", [1, 8])
def test_the_salon_loads_in_six_queries_however_full_it_is(
    salon: SimpleNamespace, appointments: int
) -> None:
    for number in range(appointments):
        _book(salon, MORNING.start + number * HALF_HOUR, salon.anna, f"Kundin {number}")
        _book(salon, MORNING.start + number * HALF_HOUR, salon.ben, f"Kunde {number}")

    with CaptureQueriesContext(connection) as queries:
        state = _load(salon)

    assert len(state.appointments) == appointments
    assert len(queries) == 6, [query["sql"][:80] for query in queries]
