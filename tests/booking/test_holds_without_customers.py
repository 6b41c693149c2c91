"""A hold keeps only its caller's details: the customer is found or created when it is
booked, so a flood of holds that are never booked leaves no customers behind. The caller is
still one person while they hold: their holds and bookings never overlap (invariant 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import SlotTaken
from phasebook.booking.models import Appointment, AppointmentStatus, EventKind
from phasebook.booking.services import (
    BookingRequest,
    book_appointment,
    cancel_appointment,
    confirm_hold,
    hold_appointment,
)
from phasebook.salons.models import Customer, Service, Staff
from phasebook.scheduling.availability import Rule
from tests.factories import ACTOR, BERLIN, make_customer, next_weekday
from tests.support.api import ApiClient

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
TEN = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday, 10:00
PAUL = CustomerDetails("Paul Klaus", phone="0171 2345678", email="Paul@Example.org")
PAULS_NUMBER = "+491712345678"
EVA = CustomerDetails("Eva Adler", phone="+49 171 7654321")


def _request(
    service: Service, start: datetime, customer: CustomerDetails, staff: Staff
) -> BookingRequest:
    return BookingRequest(service.pk, start, customer, str(staff.pk))


def _hold(
    salon: SimpleNamespace,
    start: datetime = TEN,
    customer: CustomerDetails = PAUL,
    staff: Staff | None = None,
) -> Appointment:
    request = _request(salon.cut, start, customer, staff or salon.anna)
    return hold_appointment(salon.company, request, now=NOW, actor=ACTOR)


def _rules(taken: SlotTaken) -> set[Rule]:
    assert taken.explained is not None
    return {conflict.rule for conflict in taken.explained.all_conflicts()}


def _ttl() -> timedelta:
    return timedelta(seconds=settings.PHASEBOOK_HOLD_TTL_SECONDS)


def test_a_hold_creates_no_customer_and_keeps_the_callers_details_as_given(
    salon: SimpleNamespace,
) -> None:
    hold = _hold(salon)

    assert not Customer.objects.exists()
    stored = Appointment.objects.get(pk=hold.pk)
    assert stored.customer is None
    assert (stored.caller_name, stored.caller_phone, stored.caller_email) == (
        "Paul Klaus",
        PAULS_NUMBER,
        "paul@example.org",
    )
    assert stored.contact.name == "Paul Klaus"


def test_confirming_a_hold_makes_its_caller_a_customer_once(salon: SimpleNamespace) -> None:
    hold = _hold(salon)

    booked = confirm_hold(salon.company, hold.pk, now=NOW, actor=ACTOR)
    again = confirm_hold(salon.company, hold.pk, now=NOW, actor=ACTOR)

    paul = Customer.objects.get()
    assert (paul.name, paul.phone, paul.email) == ("Paul Klaus", PAULS_NUMBER, "paul@example.org")
    assert booked.pk == again.pk == hold.pk
    stored = Appointment.objects.get(pk=hold.pk)
    assert (stored.status, stored.customer_id, stored.hold_expires_at) == (
        AppointmentStatus.BOOKED,
        paul.pk,
        None,
    )
    assert [event.kind for event in stored.events.all()] == [EventKind.HELD, EventKind.CONFIRMED]


def test_confirming_finds_the_customer_with_that_number_and_keeps_their_name(
    salon: SimpleNamespace,
) -> None:
    known = make_customer(salon.company, "Paul K. (Stammkunde)", phone=PAULS_NUMBER)
    hold = _hold(salon)
    assert Appointment.objects.get(pk=hold.pk).customer is None

    booked = confirm_hold(salon.company, hold.pk, now=NOW, actor=ACTOR)

    assert booked.customer_id == known.pk
    assert Customer.objects.get().name == "Paul K. (Stammkunde)"


def test_a_cancelled_or_run_out_hold_leaves_no_customer(salon: SimpleNamespace) -> None:
    cancelled = _hold(salon)
    cancel_appointment(salon.company, cancelled.pk, now=NOW, actor=ACTOR)
    run_out = _hold(salon, TEN + timedelta(hours=2))
    later = NOW + _ttl() * 2
    # Eva's booking finds the run-out hold in its way and retires it.
    book_appointment(
        salon.company, _request(salon.cut, run_out.start, EVA, salon.anna), now=later, actor=ACTOR
    )

    assert Appointment.objects.get(pk=run_out.pk).status == AppointmentStatus.EXPIRED
    assert list(Customer.objects.values_list("name", flat=True)) == ["Eva Adler"]


def test_a_run_out_hold_confirmed_late_is_booked_anew_for_one_new_customer(
    salon: SimpleNamespace,
) -> None:
    hold = _hold(salon)

    booked = confirm_hold(salon.company, hold.pk, now=NOW + _ttl() * 2, actor=ACTOR)

    assert booked.pk != hold.pk
    assert booked.customer == Customer.objects.get(phone=PAULS_NUMBER)
    assert Customer.objects.count() == 1


def test_a_callers_hold_keeps_their_other_overlapping_holds_and_bookings_out(
    salon: SimpleNamespace,
) -> None:
    _hold(salon, staff=salon.anna)

    for write in (hold_appointment, book_appointment):
        with pytest.raises(SlotTaken) as taken:
            write(
                salon.company,
                _request(salon.cut, TEN + timedelta(minutes=15), PAUL, salon.ben),
                now=NOW,
                actor=ACTOR,
            )
        assert Rule.CUSTOMER_BUSY in _rules(taken.value)
    # Another caller, and the same caller later, are free to take Ben.
    _hold(salon, TEN + timedelta(minutes=15), EVA, salon.ben)
    _hold(salon, TEN + timedelta(minutes=30), PAUL, salon.anna)
    assert not Customer.objects.exists()


def test_a_booked_customer_keeps_their_number_from_holding_an_overlapping_time(
    salon: SimpleNamespace,
) -> None:
    book_appointment(
        salon.company, _request(salon.cut, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )

    with pytest.raises(SlotTaken):
        _hold(salon, TEN, PAUL, salon.ben)


def test_confirming_refuses_a_customer_who_has_another_appointment_then(
    salon: SimpleNamespace,
) -> None:
    # Paul holds with his mobile; the salon knows him under another number, booked with Ben
    # at the same time, and then enters his mobile on his customer record.
    hold = _hold(salon, staff=salon.anna)
    other_number = CustomerDetails("Paul Klaus", phone="+49 30 1234567")
    elsewhere = book_appointment(
        salon.company, _request(salon.cut, TEN, other_number, salon.ben), now=NOW, actor=ACTOR
    )
    Customer.objects.filter(pk=elsewhere.customer_id).update(phone=PAULS_NUMBER)

    with pytest.raises(SlotTaken) as taken:
        confirm_hold(salon.company, hold.pk, now=NOW, actor=ACTOR)

    assert Rule.CUSTOMER_BUSY in _rules(taken.value)
    stored = Appointment.objects.get(pk=hold.pk)
    assert (stored.status, stored.customer_id) == (AppointmentStatus.HELD, None)
    assert Customer.objects.count() == 1
    # Once the other appointment is gone, the same hold books.
    cancel_appointment(salon.company, elsewhere.pk, now=NOW, actor=ACTOR)
    assert confirm_hold(salon.company, hold.pk, now=NOW, actor=ACTOR).customer_id == (
        elsewhere.customer_id
    )


def test_the_api_shows_a_hold_without_a_customer_id_until_it_is_booked(
    salon: SimpleNamespace, api: ApiClient
) -> None:
    body = {
        "service_id": salon.cut.pk,
        "start": next_weekday(timezone.now()).isoformat(),
        "staff_id": str(salon.anna.pk),
        "customer": {"name": "Paul Klaus", "phone": "0171 2345678"},
    }
    hold = api.post("/holds", body)
    assert hold.status_code == 201, hold.content
    assert hold.json()["customer"] == {"id": None, "name": "Paul Klaus"}
    shown = api.get(f"/appointments/{hold.json()['id']}").json()
    assert shown["customer"] == {"id": None, "name": "Paul Klaus"}

    booked = api.post("/appointments", {"hold_id": hold.json()["id"]})

    assert booked.status_code == 201, booked.content
    paul = Customer.objects.get()
    assert booked.json()["customer"] == {"id": paul.pk, "name": "Paul Klaus"}


def test_the_api_refuses_confirming_for_a_customer_busy_then_with_409(
    salon: SimpleNamespace, api: ApiClient
) -> None:
    now, start = timezone.now(), next_weekday(timezone.now())
    hold = hold_appointment(
        salon.company, _request(salon.cut, start, PAUL, salon.anna), now=now, actor=ACTOR
    )
    other_number = CustomerDetails("Paul", phone="+49 30 1234567")
    elsewhere = book_appointment(
        salon.company, _request(salon.cut, start, other_number, salon.ben), now=now, actor=ACTOR
    )
    Customer.objects.filter(pk=elsewhere.customer_id).update(phone=PAULS_NUMBER)

    refused = api.post("/appointments", {"hold_id": str(hold.pk)})

    assert refused.status_code == 409, refused.content
    assert refused.json()["error"] == "slot_taken"
    assert Appointment.objects.get(pk=hold.pk).status == AppointmentStatus.HELD


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_one_number_in_two_live_appointments_at_once(
    salon: SimpleNamespace,
) -> None:
    hold = _hold(salon, staff=salon.anna)
    twin = Appointment(
        company=salon.company,
        caller_name="Paul Klaus",
        caller_phone=PAULS_NUMBER,
        service=salon.cut,
        staff=salon.ben,
        start=hold.start + timedelta(minutes=15),
        end=hold.end + timedelta(minutes=15),
        status=AppointmentStatus.HELD,
        hold_expires_at=hold.hold_expires_at,
        is_live=True,
    )
    with (
        pytest.raises(IntegrityError, match="appointment_caller_no_overlap"),
        transaction.atomic(),
    ):
        twin.save()
    # Without a number, or once the first is cancelled, nothing is in the way.
    cancel_appointment(salon.company, hold.pk, now=NOW, actor=ACTOR)
    twin.save()


def test_the_database_refuses_a_booking_without_a_customer(salon: SimpleNamespace) -> None:
    hold = _hold(salon)
    booked_without = Appointment.objects.filter(pk=hold.pk)
    with (
        pytest.raises(IntegrityError, match="appointment_booked_has_customer"),
        transaction.atomic(),
    ):
        booked_without.update(status=AppointmentStatus.BOOKED, hold_expires_at=None)
