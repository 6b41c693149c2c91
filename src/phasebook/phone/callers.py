"""Who is on the line: the caller's number from Retell's call object, never from what the
agent's LLM filled into a tool's arguments."""

from __future__ import annotations

from datetime import datetime

from phasebook.booking.availability import Caller
from phasebook.booking.customers import normalize_phone
from phasebook.booking.errors import InvalidRequest
from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.salons.models import Company, Customer
from phasebook.salons.tenancy import of_company


def caller_number(company: Company, from_number: str | None) -> str | None:
    """The caller's number in E.164, or None when it is withheld ("anonymous"), missing (a
    web call) or no valid number."""
    if not from_number or not any(char.isdigit() for char in from_number):
        return None
    try:
        return normalize_phone(from_number, company.public_holidays_country or "DE")
    except InvalidRequest:
        return None


def caller_customer(company: Company, number: str | None) -> Customer | None:
    if number is None:
        return None
    return of_company(Customer.objects, company).filter(phone=number).first()


def availability_caller(company: Company, number: str | None) -> Caller:
    """The caller as the availability predicate sees them: the customer with their number,
    if there is one, and the holds made with it."""
    return Caller(caller_customer(company, number), number or "")


def upcoming_appointments(company: Company, customer: Customer, now: datetime) -> list[Appointment]:
    """The customer's booked appointments that have not started yet, soonest first."""
    return list(
        of_company(Appointment.objects, company)
        .filter(customer=customer, status=AppointmentStatus.BOOKED, start__gt=now)
        .select_related("service", "staff")
        .order_by("start")
    )
