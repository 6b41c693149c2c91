"""Appointments booked through the booking service, as a salon would book them."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace

from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.salons.models import Company, Service, Staff
from tests.factories import ACTOR, next_weekday


def a_wednesday(hour: int = 10, minute: int = 0) -> datetime:
    return next_weekday(timezone.now(), weekday=2, hour=hour, minute=minute)


def book_at(
    company: Company,
    service: Service,
    stylist: Staff,
    start: datetime,
    customer: str,
    email: str = "",
) -> Appointment:
    request = BookingRequest(
        service.pk, start, CustomerDetails(customer, email=email), str(stylist.pk)
    )
    return book_appointment(company, request, actor=ACTOR)


def book(
    salon: SimpleNamespace,
    service: Service | None = None,
    staff: Staff | None = None,
    hour: int = 10,
    minute: int = 0,
    weeks: int = 1,
    weekday: int = 2,
    customer: str = "Paul Klaus",
) -> Appointment:
    """`salon`'s colour with Anna unless told otherwise, by a customer of their own (a fresh
    e-mail address each time)."""
    start = next_weekday(timezone.now(), weekday=weekday, hour=hour, minute=minute, weeks=weeks)
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    return book_at(
        salon.company, service or salon.colour, staff or salon.anna, start, customer, email
    )
