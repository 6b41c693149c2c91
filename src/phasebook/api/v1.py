"""HTTP API v1. Thin endpoints: authenticate (the token names the company), validate into
a typed object, call one booking function, render. OpenAPI at /api/v1/openapi.json.

Messages and explanations are German, or English for `Accept-Language: en` (api/i18n.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field as NinjaField
from ninja import Query, Schema, Status

from phasebook.api.auth import CompanyToken
from phasebook.api.errors import ShapedNinjaAPI, install_error_handlers, missing_field, slot_dict
from phasebook.api.i18n import translated_explanation
from phasebook.api.schemas import (
    AppointmentIn,
    AppointmentOut,
    BookingIn,
    CancelIn,
    ConflictOut,
    ErrorOut,
    Instant,
    RescheduleIn,
    ServiceOut,
    SlotsOut,
)
from phasebook.booking import services as booking
from phasebook.booking.availability import (
    MAX_SEARCH_DAYS,
    explain_start,
    find_slots,
)
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import InvalidRequest, NotFound
from phasebook.booking.models import Appointment, AppointmentSource
from phasebook.salons.models import Company, Service
from phasebook.scheduling.intervals import Interval

api = ShapedNinjaAPI(
    title="phasebook API",
    version="1",
    description=(
        "Error messages and explanations are in German; send `Accept-Language: en` for English."
    ),
    urls_namespace="api-v1",
    auth=CompanyToken(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 409: ConflictOut}


def _company(request: HttpRequest) -> Company:
    # CompanyToken authenticated the request, so auth is always the caller's company.
    return cast(Company, request.auth)  # type: ignore[attr-defined]


def _local(instant: datetime, company: Company) -> datetime:
    return instant.astimezone(company.zone)


def appointment_out(appointment: Appointment) -> dict[str, Any]:
    company = appointment.company
    return {
        "id": appointment.id,
        "status": appointment.status,
        "start": _local(appointment.start, company),
        "end": _local(appointment.end, company),
        "service_id": appointment.service_id,
        "service_name": appointment.service.name,
        "staff_id": appointment.staff_id,
        "staff_name": appointment.staff.name,
        "customer": {"id": appointment.customer_id, "name": appointment.customer.name},
        "expires_at": appointment.hold_expires_at,
        "source": appointment.source,
        "calcom_sync_status": appointment.calcom_sync_status,
        "requires_manual_review": appointment.requires_manual_review,
        "cancel_reason": appointment.cancel_reason,
        "phases": [
            {
                "id": phase.id,
                "segment_key": phase.segment_key,
                "segment_name": phase.segment_name,
                "start_time": _local(phase.start_time, company),
                "end_time": _local(phase.end_time, company),
                "duration_minutes": phase.duration_minutes,
                "staff_required": phase.staff_required,
                "sequence_order": phase.sequence_order,
                "calcom_sync_status": phase.calcom_sync_status,
                "calcom_booking_uid": phase.calcom_booking_uid,
                "calcom_booking_id": phase.calcom_booking_id,
            }
            for phase in appointment.phases.order_by("sequence_order")
        ],
    }


def _reloaded(appointment: Appointment) -> dict[str, Any]:
    fresh = Appointment.objects.select_related("company", "service", "staff", "customer").get(
        pk=appointment.pk
    )
    return appointment_out(fresh)


def _request(body: BookingIn, source: str = AppointmentSource.API) -> booking.BookingRequest:
    customer = body.customer
    return booking.BookingRequest(
        service_id=body.service_id,
        start=body.start,
        staff_id=str(body.staff_id) if body.staff_id else None,
        customer=CustomerDetails(customer.name, customer.phone or "", customer.email or ""),
        source=source,
    )


@api.get("/services", response={200: list[ServiceOut], **ERRORS}, tags=["catalogue"])
def list_services(request: HttpRequest) -> list[dict[str, Any]]:
    """The company's bookable services with their segments."""
    services = Service.objects.filter(company=_company(request), is_active=True).prefetch_related(
        "staff"
    )
    return [
        {
            "id": service.pk,
            "name": service.name,
            "duration_minutes": service.duration_minutes,
            "is_composite": service.is_composite,
            "segments": [segment.as_dict() for segment in service.segment_list],
            "staff_ids": [member.pk for member in service.staff.all() if member.is_active],
        }
        for service in services
    ]


class AvailabilityQuery(Schema):
    service: int
    start: Instant = NinjaField(alias="from")
    end: Instant = NinjaField(alias="to")
    staff: UUID | None = None


@api.get("/availability", response={200: SlotsOut, **ERRORS}, tags=["availability"])
def availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> dict[str, Any]:
    """Bookable starts in [from, to): one slot per start, with the first stylist who can
    take it (or only `staff`)."""
    company = _company(request)
    if query.end <= query.start:
        raise InvalidRequest(gettext("„to“ muss nach „from“ liegen."), field="to")
    if query.end - query.start > timedelta(days=MAX_SEARCH_DAYS):
        raise InvalidRequest(
            gettext("Bitte höchstens %(days)d Tage auf einmal abfragen.")
            % {"days": MAX_SEARCH_DAYS},
            field="to",
        )
    service = booking.get_service(company, query.service)
    staff = booking.choose_staff(company, service, str(query.staff) if query.staff else None)
    slots = find_slots(company, service, Interval(query.start, query.end), staff, timezone.now())
    names = {str(member.pk): member.name for member in staff}
    return {
        "results": [
            slot_dict(slot, names)
            | {"start": _local(slot.start, company), "end": _local(slot.end, company)}
            for slot in slots
        ]
    }


class ExplainQuery(Schema):
    service: int
    start: Instant
    staff: UUID | None = None


@api.get("/explain", response={200: dict[str, Any], **ERRORS}, tags=["availability"])
def explain(request: HttpRequest, query: Query[ExplainQuery]) -> dict[str, Any]:
    """Whether `start` is bookable, and if not, why (rule, phase, conflicting interval)."""
    company = _company(request)
    service = booking.get_service(company, query.service)
    staff = booking.choose_staff(company, service, str(query.staff) if query.staff else None)
    return translated_explanation(
        explain_start(company, service, query.start, staff, timezone.now())
    )


@api.post("/holds", response={201: AppointmentOut, **WRITE_ERRORS}, tags=["booking"])
def create_hold(request: HttpRequest, body: BookingIn) -> Status[dict[str, Any]]:
    """Reserve a start for a few minutes (default 5) while the caller decides."""
    hold = booking.hold_appointment(_company(request), _request(body))
    return Status(201, _reloaded(hold))


@api.post("/appointments", response={201: AppointmentOut, **WRITE_ERRORS}, tags=["booking"])
def create_appointment(request: HttpRequest, body: AppointmentIn) -> Status[dict[str, Any]]:
    """Book directly (service_id, start, staff_id?, customer) or confirm a hold (hold_id)."""
    company = _company(request)
    if body.hold_id is not None:
        appointment = booking.confirm_hold(company, body.hold_id)
    else:
        appointment = booking.book_appointment(company, _request(_direct_booking(body)))
    return Status(201, _reloaded(appointment))


def _direct_booking(body: AppointmentIn) -> BookingIn:
    if body.service_id is None or body.start is None or body.customer is None:
        missing = [
            name for name in ("service_id", "start", "customer") if getattr(body, name) is None
        ]
        raise InvalidRequest(
            gettext(
                "Entweder hold_id angeben oder service_id, start und customer "
                "(es fehlt: %(missing)s)."
            )
            % {"missing": ", ".join(missing)},
            fields=[missing_field(name) for name in missing],
        )
    return BookingIn(
        service_id=body.service_id, start=body.start, staff_id=body.staff_id, customer=body.customer
    )


@api.get(
    "/appointments/{appointment_id}", response={200: AppointmentOut, **ERRORS}, tags=["booking"]
)
def get_appointment(request: HttpRequest, appointment_id: UUID) -> dict[str, Any]:
    """One appointment with its phases, in the company's time zone."""
    try:
        appointment = Appointment.objects.select_related(
            "company", "service", "staff", "customer"
        ).get(company=_company(request), pk=appointment_id)
    except Appointment.DoesNotExist as error:
        raise NotFound(gettext("Diesen Termin gibt es nicht.")) from error
    return appointment_out(appointment)


@api.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, **WRITE_ERRORS},
    tags=["booking"],
)
def reschedule(request: HttpRequest, appointment_id: UUID, body: RescheduleIn) -> dict[str, Any]:
    """Move every phase together (optionally to another stylist), re-validated."""
    appointment = booking.reschedule_appointment(
        _company(request),
        appointment_id,
        body.start,
        str(body.staff_id) if body.staff_id else None,
    )
    return _reloaded(appointment)


@api.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **WRITE_ERRORS},
    tags=["booking"],
)
def cancel(
    request: HttpRequest, appointment_id: UUID, body: CancelIn | None = None
) -> dict[str, Any]:
    """Cancel; cancelling again returns the cancelled appointment unchanged."""
    reason = body.reason if body and body.reason else ""
    return _reloaded(booking.cancel_appointment(_company(request), appointment_id, reason))
