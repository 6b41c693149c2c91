"""Tenant-checked lookups, used by every caller: the API, the admin, the phone agent and the
booking service itself.

Each fetches one company's row (salons/tenancy.py `of_company`: the one rule of which rows
are a company's) and answers everything else (another salon's id, an id that does not
exist, one that is malformed) with the same NotFound, so that a foreign id looks exactly
like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop

from phasebook.booking import locks
from phasebook.booking.availability import least_busy_first, qualified_staff
from phasebook.booking.errors import NotFound
from phasebook.booking.models import Appointment
from phasebook.salons.models import Company, Service, Staff
from phasebook.salons.tenancy import of_company


def access_appointment(company: Company, appointment_id: Any, *, lock: bool = False) -> Appointment:
    """The company's appointment with its company, service, stylist and customer; with
    `lock`, its row is locked until the transaction ends (first in the lock order)."""
    appointments = locks.appointments_for_update() if lock else Appointment.objects.all()
    try:
        return (
            of_company(appointments, company)
            .select_related("company", "service", "staff", "customer")
            .get(pk=appointment_id)
        )
    except (Appointment.DoesNotExist, ValidationError) as error:  # ValidationError: not a UUID
        raise NotFound(gettext_noop("Diesen Termin gibt es nicht.")) from error


def access_service(company: Company, service_id: Any) -> Service:
    """The company's bookable (active) service."""
    try:
        return of_company(Service.objects, company).get(pk=service_id, is_active=True)
    except (Service.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(gettext_noop("Diese Leistung gibt es nicht."), field="service") from error


def choose_staff(
    company: Company, service: Service, staff_id: str | None, least_busy_on: datetime | None = None
) -> list[Staff]:
    """The company's active stylist asked for, or every qualified active stylist: in a stable
    order, or with `least_busy_on` those with the least booked time on that day first."""
    if staff_id is None:
        if least_busy_on is not None:
            return least_busy_first(company, service, least_busy_on)
        return list(qualified_staff(company, service))
    try:
        return [of_company(Staff.objects, company).get(pk=staff_id, is_active=True)]
    except (Staff.DoesNotExist, ValidationError) as error:  # ValidationError: not a UUID
        raise NotFound(
            gettext_noop("Diese Mitarbeiterin oder diesen Mitarbeiter gibt es nicht."),
            field="staff",
        ) from error
