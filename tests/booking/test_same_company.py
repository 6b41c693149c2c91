"""An appointment's customer, service and stylist are of its own company: the booking
service looks up and writes only the company's rows."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from phasebook.booking.availability import Caller
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import NotFound
from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.booking.placement import NewAppointment, Placement, take_start
from phasebook.booking.services import BookingRequest, book_appointment, reschedule_appointment
from phasebook.salons.models import Customer
from tests.factories import ACTOR, BERLIN, make_customer

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
TEN = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday, 10:00
PAUL = CustomerDetails("Paul Klaus", phone="+49 171 2345678")


def _book(salon: SimpleNamespace, start: datetime = TEN) -> Appointment:
    request = BookingRequest(salon.cut.pk, start, PAUL, str(salon.anna.pk))
    return book_appointment(salon.company, request, now=NOW, actor=ACTOR)


def _placement(salon: SimpleNamespace, **fields: Any) -> Placement:
    values: dict[str, Any] = {
        "company": salon.company,
        "service": salon.cut,
        "start": TEN,
        "now": NOW,
        "caller": Caller(),
        "target": NewAppointment(PAUL, AppointmentStatus.BOOKED, "api"),
        "actor": ACTOR,
    }
    return Placement(**(values | fields))


def test_another_salons_service_or_stylist_is_not_found_by_the_booking_service(
    salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    foreign_service = BookingRequest(other_salon.cut.pk, TEN, PAUL, str(salon.anna.pk))
    foreign_stylist = BookingRequest(salon.cut.pk, TEN, PAUL, str(other_salon.anna.pk))
    for request in (foreign_service, foreign_stylist):
        with pytest.raises(NotFound):
            book_appointment(salon.company, request, now=NOW, actor=ACTOR)
    booked = _book(salon)
    with pytest.raises(NotFound):
        reschedule_appointment(
            salon.company, booked.pk, TEN, str(other_salon.anna.pk), now=NOW, actor=ACTOR
        )
    booked.refresh_from_db()
    assert booked.staff_id == salon.anna.pk
    assert Appointment.objects.count() == 1


def test_a_phone_number_known_to_another_salon_books_a_customer_of_this_one(
    salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    theirs = make_customer(other_salon.company, "Paula Fremd", phone="+491712345678")
    booked = _book(salon)
    assert booked.customer.company_id == salon.company.pk
    assert booked.customer.pk != theirs.pk
    assert Customer.objects.get(pk=theirs.pk).name == "Paula Fremd"


@pytest.mark.parametrize("field", ["service", "customer"])
def test_the_booking_path_refuses_another_salons_service_or_customer(
    field: str, salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    foreign = {
        "service": other_salon.cut,
        "customer": Caller(make_customer(other_salon.company)),
    }
    with pytest.raises(ValueError, match="not of company"):
        _placement(salon, **{"caller" if field == "customer" else field: foreign[field]})


def test_the_booking_path_refuses_another_salons_stylist_and_writes_nothing(
    salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    with pytest.raises(ValueError, match="not of company"):
        take_start(_placement(salon), [salon.anna, other_salon.anna])
    assert not Appointment.objects.exists()
    assert take_start(_placement(salon), [salon.anna]).staff_id == salon.anna.pk
