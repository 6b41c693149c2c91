"""HTTP API v1. Thin endpoints: authenticate (the token names the company), validate into
a typed object, call one booking function, render with booking/rendering.py. OpenAPI at
/api/v1/openapi.json.

Messages and explanations are German, or English for `Accept-Language: en` (booking/texts.py).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field as NinjaField
from ninja import Query, Schema, Status

from phasebook.absences.rendering import AbsenceOut, render_applied, render_plan
from phasebook.absences.services import apply_absence, plan_absence
from phasebook.api.auth import CompanyToken, actor_of, company_of
from phasebook.api.calls import router as calls_router
from phasebook.api.content import json_bodies
from phasebook.api.errors import ShapedNinjaAPI, install_error_handlers, missing_field
from phasebook.api.idempotency import IDEMPOTENT, idempotent
from phasebook.api.schemas import (
    AbsenceIn,
    AppointmentIn,
    BookingIn,
    CancelIn,
    ConflictOut,
    Day,
    ErrorOut,
    Instant,
    QueryId,
    RescheduleIn,
    SlotsOut,
)
from phasebook.booking import services as booking
from phasebook.booking.access import access_appointment, access_service, choose_staff
from phasebook.booking.availability import MAX_SEARCH_DAYS, explain_start, find_slots
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import InvalidRequest
from phasebook.booking.models import Appointment, AppointmentSource
from phasebook.booking.rendering import (
    AppointmentOut,
    ExplanationOut,
    ServiceOut,
    render_appointment,
    render_explanation,
    render_service,
    render_slot,
)
from phasebook.salons.models import Service
from phasebook.salons.tenancy import of_company
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
    view_decorators=(idempotent, json_bodies),  # innermost first
)
install_error_handlers(api)
api.add_router("/calls", calls_router)

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Writes also answer 409 (taken, wrong state, key in use), 413/415 (the body) and 429 (limits).
WRITE_ERRORS: dict[int, type[Schema]] = {
    **ERRORS,
    409: ConflictOut,
    413: ErrorOut,
    415: ErrorOut,
    429: ErrorOut,
}


def _reloaded(appointment: Appointment) -> AppointmentOut:
    """The appointment as the write left it, with its phases."""
    return render_appointment(access_appointment(appointment.company, appointment.pk))


def _created(appointment: Appointment) -> AppointmentOut:
    """A new hold or booking, or a confirmed hold: the write holds the row as it saved it,
    with its company, service, stylist and customer, and a new one its history, so only
    the phases are read (reading the row again cost one joined query more per booking)."""
    return render_appointment(appointment, appointment.saved_history)


def _request(body: BookingIn) -> booking.BookingRequest:
    customer = body.customer
    return booking.BookingRequest(
        service_id=body.service_id,
        start=body.start,
        staff_id=str(body.staff_id) if body.staff_id else None,
        customer=CustomerDetails(customer.name, customer.phone or "", customer.email or ""),
        source=AppointmentSource.API,
    )


@api.get("/services", response={200: list[ServiceOut], **ERRORS}, tags=["catalogue"])
def list_services(request: HttpRequest) -> list[ServiceOut]:
    """The company's bookable services with their segments."""
    services = of_company(Service.objects, company_of(request)).filter(is_active=True)
    return [render_service(service) for service in services.prefetch_related("staff")]


class AvailabilityQuery(Schema):
    """`from` and `to` are instants with offset, or plain dates (as Cal.com's slots take
    them): the salon's local day, `to` inclusive."""

    service: QueryId
    start: Instant | Day = NinjaField(alias="from")
    end: Instant | Day = NinjaField(alias="to")
    staff: UUID | None = None

    def window(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return _day_start(self.start, zone), _day_start(self.end, zone, inclusive=True)


def _day_start(value: datetime | date, zone: ZoneInfo, *, inclusive: bool = False) -> datetime:
    """An instant as it is; a date as the start of that local day (of the next, inclusive)."""
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if inclusive else value
    return datetime.combine(day, time.min, tzinfo=zone)


@api.get("/availability", response={200: SlotsOut, **ERRORS}, tags=["availability"])
def availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> SlotsOut:
    """Bookable starts in [from, to): one slot per start, with the first stylist who can
    take it (or only `staff`)."""
    company = company_of(request)
    start, end = query.window(company.zone)
    if end <= start:
        raise InvalidRequest(gettext("„to“ muss nach „from“ liegen."), field="to")
    if end - start > timedelta(days=MAX_SEARCH_DAYS):
        raise InvalidRequest(
            gettext("Bitte höchstens %(days)d Tage auf einmal abfragen.")
            % {"days": MAX_SEARCH_DAYS},
            field="to",
        )
    service = access_service(company, query.service)
    staff = choose_staff(company, service, str(query.staff) if query.staff else None)
    slots = find_slots(company, service, Interval(start, end), staff, timezone.now())
    names = {str(member.pk): member.name for member in staff}
    return SlotsOut(results=[render_slot(slot, company.zone, names) for slot in slots])


class ExplainQuery(Schema):
    service: QueryId
    start: Instant
    staff: UUID | None = None


@api.get("/explain", response={200: ExplanationOut, **ERRORS}, tags=["availability"])
def explain(request: HttpRequest, query: Query[ExplainQuery]) -> ExplanationOut:
    """Whether `start` is bookable, and if not, why (rule, phase, conflicting interval)."""
    company = company_of(request)
    service = access_service(company, query.service)
    staff = choose_staff(company, service, str(query.staff) if query.staff else None)
    return render_explanation(explain_start(company, service, query.start, staff, timezone.now()))


@api.post(
    "/holds",
    response={201: AppointmentOut, **WRITE_ERRORS},
    tags=["booking"],
    openapi_extra=IDEMPOTENT,
)
def create_hold(request: HttpRequest, body: BookingIn) -> Status[AppointmentOut]:
    """Reserve a start for a few minutes (default 5) while the caller decides."""
    hold = booking.hold_appointment(company_of(request), _request(body), actor=actor_of(request))
    return Status(201, _created(hold))


@api.post(
    "/appointments",
    response={201: AppointmentOut, **WRITE_ERRORS},
    tags=["booking"],
    openapi_extra=IDEMPOTENT,
)
def create_appointment(request: HttpRequest, body: AppointmentIn) -> Status[AppointmentOut]:
    """Book directly (service_id, start, staff_id?, customer) or confirm a hold (hold_id)."""
    company, actor = company_of(request), actor_of(request)
    if body.hold_id is not None:
        appointment = booking.confirm_hold(company, body.hold_id, actor=actor)
    else:
        wanted = _request(_direct_booking(body))
        appointment = booking.book_appointment(company, wanted, actor=actor)
    return Status(201, _created(appointment))


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
def get_appointment(request: HttpRequest, appointment_id: UUID) -> AppointmentOut:
    """One appointment with its phases and its history, in the company's time zone."""
    return render_appointment(access_appointment(company_of(request), appointment_id))


@api.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, **WRITE_ERRORS},
    tags=["booking"],
    openapi_extra=IDEMPOTENT,
)
def reschedule(request: HttpRequest, appointment_id: UUID, body: RescheduleIn) -> AppointmentOut:
    """Move every phase together (optionally to another stylist), re-validated."""
    appointment = booking.reschedule_appointment(
        company_of(request),
        appointment_id,
        body.start,
        str(body.staff_id) if body.staff_id else None,
        actor=actor_of(request),
    )
    return _reloaded(appointment)


@api.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **WRITE_ERRORS},
    tags=["booking"],
    openapi_extra=IDEMPOTENT,
)
def cancel(
    request: HttpRequest, appointment_id: UUID, body: CancelIn | None = None
) -> AppointmentOut:
    """Cancel; cancelling again returns the cancelled appointment unchanged."""
    reason = body.reason if body and body.reason else ""
    cancelled = booking.cancel_appointment(
        company_of(request), appointment_id, reason, actor=actor_of(request)
    )
    return _reloaded(cancelled)


@api.post(
    "/staff/{staff_id}/absences",
    response={200: AbsenceOut, 201: AbsenceOut, **WRITE_ERRORS},
    tags=["absences"],
    openapi_extra=IDEMPOTENT,
)
def record_absence(request: HttpRequest, staff_id: UUID, body: AbsenceIn) -> Status[AbsenceOut]:
    """A stylist is out: the appointments it breaks and a plan that keeps the clients'
    times where a colleague is free (`dry_run`: 200, nothing written), or the absence
    recorded and the plan applied through the booking path (201), each move re-checked;
    moves that no longer fit are reported, not forced."""
    company = company_of(request)
    if body.dry_run:
        if body.plan_id is not None or body.skip:
            raise InvalidRequest(
                gettext("Ein Probelauf nimmt weder plan_id noch skip."), field="dry_run"
            )
        plan = plan_absence(company, staff_id, body.start, body.end, body.reason)
        return Status(200, render_plan(plan))
    applied = apply_absence(
        company,
        staff_id,
        body.start,
        body.end,
        body.reason,
        plan_id=body.plan_id,
        skip={str(appointment_id) for appointment_id in body.skip},
        actor=actor_of(request),
    )
    return Status(201, render_applied(applied))
