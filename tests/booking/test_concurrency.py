"""Many clients booking the same time at once: exactly one wins each conflict.

The PostgreSQL tests release 50 writers together, each on its own connection, and then
check invariant 1 with raw SQL, independent of the service that wrote the rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from phasebook.booking import locks
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import RateLimited, SlotTaken
from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.booking.services import (
    BookingRequest,
    book_appointment,
    hold_appointment,
    reschedule_appointment,
)
from phasebook.salons.models import Customer, Service, Staff
from tests.factories import ACTOR, BERLIN, set_limits
from tests.support.overlaps import customer_overlaps, staff_overlaps
from tests.support.race import BARRIER_TIMEOUT_SECONDS, Outcome, failures, race, winners

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
START = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday, 10:00 in Berlin
WRITERS = 50

Writer = Callable[[], Appointment]
Create = Callable[..., Appointment]


def _request(
    service: Service, start: datetime, customer: CustomerDetails, staff: Staff | None = None
) -> BookingRequest:
    return BookingRequest(service.pk, start, customer, str(staff.pk) if staff else None)


def _writer(create: Create, salon: SimpleNamespace, request: BookingRequest) -> Writer:
    return lambda: create(salon.company, request, now=NOW, actor=ACTOR)


def _client(number: int) -> CustomerDetails:
    return CustomerDetails(f"Kundin {number}")


def _hold_by(salon: SimpleNamespace, actor: Actor, request: BookingRequest) -> Writer:
    return lambda: hold_appointment(salon.company, request, now=NOW, actor=actor)


def _holds_on_days_of_their_own(
    salon: SimpleNamespace, callers: list[tuple[Actor, CustomerDetails]]
) -> list[Writer]:
    """A hold for each (client, caller), each on a stylist's day of its own: no stylist's
    lock queues them."""
    days = [START + timedelta(days=n) for n in range(2 * len(callers))]
    workdays = [day for day in days if day.weekday() != 6]  # the salon is closed on Sundays
    stylists = (salon.anna, salon.ben)
    return [
        _hold_by(salon, actor, _request(salon.cut, workdays[n // 2], details, stylists[n % 2]))
        for n, (actor, details) in enumerate(callers)
    ]


def _assert_only_slot_taken(outcomes: list[Outcome]) -> None:
    unexpected = [error for error in failures(outcomes) if not isinstance(error, SlotTaken)]
    assert unexpected == []


def _assert_invariant_one_holds() -> None:
    assert staff_overlaps() == 0
    assert customer_overlaps() == 0


pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("create", [book_appointment, hold_appointment])
def test_fifty_clients_asking_one_stylist_for_one_time_leave_exactly_one_winner(
    salon: SimpleNamespace, create: Create
) -> None:
    outcomes = race(
        [
            _writer(create, salon, _request(salon.colour, START, _client(n), salon.anna))
            for n in range(WRITERS)
        ]
    )
    assert len(winners(outcomes)) == 1
    assert winners(outcomes)[0].staff_id == salon.anna.pk
    assert len(failures(outcomes)) == WRITERS - 1
    _assert_only_slot_taken(outcomes)
    _assert_invariant_one_holds()


def test_any_stylist_racers_get_each_stylist_exactly_once(salon: SimpleNamespace) -> None:
    creates = (book_appointment, hold_appointment)
    outcomes = race(
        [
            _writer(creates[n % 2], salon, _request(salon.colour, START, _client(n)))
            for n in range(WRITERS)
        ]
    )
    assert sorted(str(won.staff_id) for won in winners(outcomes)) == sorted(
        [str(salon.anna.pk), str(salon.ben.pk)]
    )
    _assert_only_slot_taken(outcomes)
    _assert_invariant_one_holds()


def test_overlapping_starts_on_one_stylist_never_double_book(salon: SimpleNamespace) -> None:
    starts = [START + timedelta(minutes=15 * (n % 5)) for n in range(WRITERS)]
    outcomes = race(
        [
            _writer(book_appointment, salon, _request(salon.cut, start, _client(n), salon.anna))
            for n, start in enumerate(starts)
        ]
    )
    # Cuts of 30 minutes at 10:00 … 11:00 in 15-minute steps: two or three can fit.
    assert 2 <= len(winners(outcomes)) <= 3
    _assert_only_slot_taken(outcomes)
    _assert_invariant_one_holds()


def test_one_customer_calling_on_every_line_gets_one_appointment(
    salon: SimpleNamespace,
) -> None:
    same_client = CustomerDetails("Paul Klaus", phone="+49 171 2345678")
    staff_choices = (salon.anna, salon.ben, None)  # different locks: the constraint decides
    outcomes = race(
        [
            _writer(
                book_appointment,
                salon,
                _request(salon.colour, START, same_client, staff_choices[n % 3]),
            )
            for n in range(WRITERS)
        ]
    )
    assert len(winners(outcomes)) == 1
    _assert_only_slot_taken(outcomes)
    _assert_invariant_one_holds()


def test_holds_of_one_client_queue_on_its_lock_and_stop_at_its_cap(
    salon: SimpleNamespace,
) -> None:
    set_limits(salon.company, live_holds_per_client=1, client_writes_per_minute=1000)
    call = Actor.phone("call-1")
    outcomes = race(_holds_on_days_of_their_own(salon, [(call, _client(n)) for n in range(20)]))

    assert len(winners(outcomes)) == 1
    assert all(isinstance(error, RateLimited) for error in failures(outcomes))
    assert Appointment.objects.count() == 1  # the refused holds were never written


def test_holds_for_one_caller_queue_on_its_lock_and_stop_at_its_cap(
    salon: SimpleNamespace,
) -> None:
    set_limits(salon.company, live_holds_per_caller=1, caller_writes_per_hour=1000)
    caller = CustomerDetails("Paul Klaus", phone="0171 2345678")
    calls = [(Actor.phone(f"call-{n}"), caller) for n in range(20)]
    outcomes = race(_holds_on_days_of_their_own(salon, calls))

    assert len(winners(outcomes)) == 1
    assert all(isinstance(error, RateLimited) for error in failures(outcomes))
    assert Appointment.objects.count() == 1


def test_one_caller_holding_on_every_line_gets_one_hold_and_no_customer(
    salon: SimpleNamespace,
) -> None:
    # Holds have no customer: only the caller's number keeps them apart.
    same_caller = CustomerDetails("Paul Klaus", phone="+49 171 2345678")
    staff_choices = (salon.anna, salon.ben, None)
    outcomes = race(
        [
            _writer(
                hold_appointment,
                salon,
                _request(salon.colour, START, same_caller, staff_choices[n % 3]),
            )
            for n in range(WRITERS)
        ]
    )
    assert len(winners(outcomes)) == 1
    _assert_only_slot_taken(outcomes)
    _assert_invariant_one_holds()
    assert not Customer.objects.exists()


def _cuts_on(salon: SimpleNamespace, stylist: Staff, count: int) -> list[Appointment]:
    """`count` cuts on `stylist`, one every half hour on the days after START."""
    day = START.replace(hour=9) + timedelta(days=1)
    starts = [day + timedelta(days=n // 16, minutes=30 * (n % 16)) for n in range(count)]
    return [
        book_appointment(
            salon.company,
            _request(salon.cut, start, _client(1000 + n), stylist),
            now=NOW,
            actor=ACTOR,
        )
        for n, start in enumerate(starts)
    ]


def test_reschedules_and_new_bookings_racing_for_one_time_leave_one_winner(
    salon: SimpleNamespace,
) -> None:
    movers = _cuts_on(salon, salon.ben, WRITERS // 2)
    before = {mover.pk: (mover.staff_id, mover.start) for mover in movers}

    def mover(appointment: Appointment) -> Writer:
        return lambda: reschedule_appointment(
            salon.company, appointment.pk, START, str(salon.anna.pk), now=NOW, actor=ACTOR
        )

    outcomes = race(
        [mover(appointment) for appointment in movers]
        + [
            _writer(book_appointment, salon, _request(salon.cut, START, _client(n), salon.anna))
            for n in range(WRITERS - len(movers))
        ]
    )
    assert len(winners(outcomes)) == 1
    _assert_only_slot_taken(outcomes)
    on_anna = Appointment.objects.filter(staff=salon.anna, start=START, is_live=True)
    assert on_anna.count() == 1
    for appointment in Appointment.objects.filter(pk__in=before).exclude(pk=on_anna.get().pk):
        assert (appointment.staff_id, appointment.start) == before[appointment.pk]
    _assert_invariant_one_holds()


def _phase_like(phase: AppointmentPhase, appointment: Appointment) -> AppointmentPhase:
    return AppointmentPhase(
        company_id=appointment.company_id,
        appointment=appointment,
        staff=phase.staff,
        segment_key="X",
        segment_name="Direkt",
        start_time=phase.start_time + timedelta(minutes=10),
        end_time=phase.end_time + timedelta(minutes=10),
        duration_minutes=phase.duration_minutes,
        staff_required=True,
        sequence_order=99,
        blocks_staff=True,
    )


def test_the_database_itself_refuses_an_overlapping_phase_written_past_the_service(
    salon: SimpleNamespace,
) -> None:
    booked = book_appointment(
        salon.company, _request(salon.cut, START, _client(1), salon.anna), now=NOW, actor=ACTOR
    )
    other = book_appointment(
        salon.company,
        _request(salon.cut, START + timedelta(hours=3), _client(2), salon.anna),
        now=NOW,
        actor=ACTOR,
    )
    with pytest.raises(IntegrityError, match="phase_staff_no_overlap"), transaction.atomic():
        _phase_like(booked.phases.get(), other).save()
    _assert_invariant_one_holds()


def test_the_database_itself_refuses_a_customer_in_two_appointments_at_once(
    salon: SimpleNamespace,
) -> None:
    booked = book_appointment(
        salon.company, _request(salon.cut, START, _client(1), salon.anna), now=NOW, actor=ACTOR
    )
    twin = Appointment(
        company=salon.company,
        customer=booked.customer,
        service=salon.cut,
        staff=salon.ben,
        start=booked.start + timedelta(minutes=15),
        end=booked.end + timedelta(minutes=15),
        status="booked",
        is_live=True,
    )
    with (
        pytest.raises(IntegrityError, match="appointment_customer_no_overlap"),
        transaction.atomic(),
    ):
        twin.save()


def _fail_instead_of_waiting_for_locks(milliseconds: int | None) -> None:
    with connection.cursor() as cursor:
        if milliseconds is None:
            cursor.execute("RESET lock_timeout")
        else:
            cursor.execute(f"SET lock_timeout = '{milliseconds}ms'")


def test_a_stylists_day_lock_queues_that_day_and_leaves_her_other_days_free(
    salon: SimpleNamespace,
) -> None:
    held, release = threading.Event(), threading.Event()

    def hold_wednesday() -> None:
        try:
            with transaction.atomic():
                locks.lock_stylist_day(salon.anna, START.date())
                held.set()
                release.wait(BARRIER_TIMEOUT_SECONDS)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_wednesday)
    holder.start()
    _fail_instead_of_waiting_for_locks(200)
    try:
        assert held.wait(BARRIER_TIMEOUT_SECONDS)
        thursday = START + timedelta(days=1)
        booked = book_appointment(
            salon.company,
            _request(salon.cut, thursday, _client(1), salon.anna),
            now=NOW,
            actor=ACTOR,
        )
        assert booked.staff_id == salon.anna.pk
        with pytest.raises(OperationalError, match="lock timeout"):
            book_appointment(
                salon.company,
                _request(salon.cut, START, _client(2), salon.anna),
                now=NOW,
                actor=ACTOR,
            )
    finally:
        _fail_instead_of_waiting_for_locks(None)
        release.set()
        holder.join()


def test_a_clients_hold_lock_queues_its_holds_and_its_callers_and_no_one_elses(
    salon: SimpleNamespace,
) -> None:
    held, release = threading.Event(), threading.Event()
    phone = "+491712345678"

    def hold_call_one() -> None:
        try:
            with transaction.atomic():
                locks.lock_holds_of(salon.company, "call:call-1", phone)
                held.set()
                release.wait(BARRIER_TIMEOUT_SECONDS)
        finally:
            connection.close()

    def hold(call: str, day: int, details: CustomerDetails) -> Appointment:
        request = _request(salon.cut, START + timedelta(days=day), details, salon.ben)
        return _hold_by(salon, Actor.phone(call), request)()

    holder = threading.Thread(target=hold_call_one)
    holder.start()
    _fail_instead_of_waiting_for_locks(200)
    try:
        assert held.wait(BARRIER_TIMEOUT_SECONDS)
        assert hold("call-2", 1, _client(2)).status == "held"
        with pytest.raises(OperationalError, match="lock timeout"):
            hold("call-1", 2, _client(1))
        with pytest.raises(OperationalError, match="lock timeout"):
            hold("call-3", 3, CustomerDetails("Paul Klaus", phone="0171 2345678"))
    finally:
        _fail_instead_of_waiting_for_locks(None)
        release.set()
        holder.join()


def test_a_refused_try_keeps_the_connections_prepared_statements(salon: SimpleNamespace) -> None:
    # psycopg forgets every prepared statement on a rollback; refused tries commit.
    for hour in range(6):  # a statement is prepared after its fifth run
        book_appointment(
            salon.company,
            _request(salon.cut, START + timedelta(hours=hour), _client(hour), salon.anna),
            now=NOW,
            actor=ACTOR,
        )
    with pytest.raises(SlotTaken):
        book_appointment(
            salon.company, _request(salon.cut, START, _client(9), salon.anna), now=NOW, actor=ACTOR
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] > 0
