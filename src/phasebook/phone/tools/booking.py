"""`book_appointment`: confirm the caller's hold, or book a service, day and time directly.

The reply speaks the booked time; Cal.com hears of it after commit, in the background (the
booking service's signal), so the caller never waits for Cal.com. A retried request of the
same call gets the first reply (dispatch.py), so Retell's retries never book twice.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import Field

from phasebook.booking import services as booking
from phasebook.booking.access import access_appointment
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import InvalidRequest, InvalidState, NotBookable, NotFound, SlotTaken
from phasebook.booking.models import Appointment, AppointmentSource
from phasebook.phone.calls import link_to_call
from phasebook.phone.language.spoken import spoken_clock, spoken_on
from phasebook.phone.models import CallAppointment
from phasebook.phone.tools.availability import CALLER_PLACEHOLDER
from phasebook.phone.tools.base import (
    Asked,
    Tool,
    ToolArgs,
    ToolCall,
    ToolReply,
    offer,
    phase_replies,
    refusal,
)
from phasebook.phone.tools.choosing import choose_service, choose_stylists, interpret
from phasebook.salons.models import Customer


class BookingArgs(ToolArgs):
    hold_id: str | None = Field(
        default=None,
        max_length=64,
        description="Die hold_id aus check_availability, wenn der Termin reserviert ist.",
    )
    service: str | None = Field(
        default=None, max_length=200, description="Ohne hold_id: die Leistung."
    )
    date: str | None = Field(
        default=None, max_length=200, description="Ohne hold_id: der Tag, wie gesagt."
    )
    time: str | None = Field(
        default=None, max_length=100, description="Ohne hold_id: die Uhrzeit, wie gesagt."
    )
    staff: str | None = Field(
        default=None, max_length=200, description="Ohne hold_id: Wunsch-Stylistin, falls genannt."
    )
    customer_name: str = Field(
        max_length=200, description="Vor- und Nachname der Kundin oder des Kunden."
    )
    customer_phone: str | None = Field(
        default=None,
        max_length=40,
        description="Nur wenn nicht die Nummer, von der angerufen wird.",
    )
    customer_email: str | None = Field(
        default=None, max_length=254, description="E-Mail-Adresse, falls genannt."
    )


_HOLD_NOT_FOUND = refusal(
    "hold_not_found",
    "Diese Reservierung finde ich nicht mehr. Soll ich noch einmal nach einem freien Termin "
    "schauen?",
)


def book_appointment(call: ToolCall, args: BookingArgs) -> ToolReply:
    if not args.customer_name:
        return refusal("name_missing", "Auf welchen Namen darf ich den Termin buchen?")
    try:
        appointment = _confirm(call, args.hold_id, args) if args.hold_id else _book(call, args)
        link_to_call(call.call, appointment, CallAppointment.Action.BOOKED)
    except Asked as asked:
        return asked.reply
    except SlotTaken as taken:
        day = call.now.astimezone(call.company.zone).date()
        return refusal(
            "slot_taken",
            f"Dieser Termin ist leider gerade vergeben worden. {offer(taken.alternatives, day)}",
            available=False,
            alternatives=taken.alternatives,
        )
    except NotBookable as refused:
        return refusal("not_bookable", str(refused.message), available=False)
    except (NotFound, InvalidState):
        return _HOLD_NOT_FOUND
    except InvalidRequest as invalid:
        return refusal("invalid_customer", _customer_problem(invalid))
    return _booked(appointment)


def _confirm(call: ToolCall, hold_id: str, args: BookingArgs) -> Appointment:
    hold = access_appointment(call.company, hold_id)
    # The agent confirms only holds it made, and only for the number that is calling.
    phone = hold.contact.phone
    if hold.source != AppointmentSource.PHONE or (phone and phone != (call.caller or "")):
        raise Asked(_HOLD_NOT_FOUND)
    # A hold is made before the caller says their name: it carries a placeholder, and the
    # name (and a valid e-mail address) said now are the new customer's.
    name, email = args.customer_name.strip()[:200], _usable_email(args.customer_email)
    said = CustomerDetails(name, email=email)
    appointment = booking.confirm_hold(
        call.company, hold.pk, now=call.now, actor=call.actor, said=said
    )
    if appointment.customer is not None:
        _name_placeholder(appointment.customer, name, email)
    return appointment


def _usable_email(email: str | None) -> str:
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return ""  # no or no usable address: booked without one
    return address


def _name_placeholder(customer: Customer, name: str, email: str) -> None:
    """A customer known by the number may carry the placeholder from a hold made before
    holds stopped creating customers: the name (and e-mail address) said at booking replace
    it. A known customer's name is never changed by what an agent heard."""
    if customer.name != CALLER_PLACEHOLDER:
        return
    fields = {"name": name} | ({"email": email} if email else {})
    Customer.objects.filter(pk=customer.pk, name=CALLER_PLACEHOLDER).update(**fields)


def _book(call: ToolCall, args: BookingArgs) -> Appointment:
    if not (args.service and args.date and args.time):
        raise Asked(
            refusal("booking_incomplete", "Welche Leistung, an welchem Tag und um wie viel Uhr?")
        )
    service = choose_service(call, args.service)
    if isinstance(service, ToolReply):
        raise Asked(service)
    stylists = choose_stylists(call, service, args.staff)
    if isinstance(stylists, ToolReply):
        raise Asked(stylists)
    resolved = interpret(call, args.date, args.time)
    if isinstance(resolved, ToolReply):
        raise Asked(resolved)
    if resolved.start is None:
        raise Asked(refusal("time_missing", "Um wie viel Uhr möchten Sie kommen?"))
    details = CustomerDetails(
        args.customer_name, args.customer_phone or call.caller or "", args.customer_email or ""
    )
    request = booking.BookingRequest(
        service_id=service.pk,
        start=resolved.start,
        customer=details,
        staff_id=str(stylists[0].pk) if len(stylists) == 1 else None,
        source=AppointmentSource.PHONE,
    )
    return booking.book_appointment(call.company, request, now=call.now, actor=call.actor)


def _customer_problem(invalid: InvalidRequest) -> str:
    field = invalid.details.get("field", "")
    if field == "customer.phone":
        return "Die Telefonnummer habe ich nicht richtig verstanden. Können Sie sie wiederholen?"
    if field == "customer.email":
        return "Die E-Mail-Adresse habe ich nicht richtig verstanden. Buchen wir ohne?"
    return "Auf welchen Namen darf ich den Termin buchen?"


def _booked(appointment: Appointment) -> ToolReply:
    fresh = access_appointment(appointment.company, appointment.pk)
    zone = fresh.company.zone
    start, end = fresh.start.astimezone(zone), fresh.end.astimezone(zone)
    return ToolReply(
        ok=True,
        appointment_id=fresh.pk,
        start=start,
        end=end,
        phases=phase_replies(fresh),
        message=(
            f"Gebucht: {fresh.service.name} {spoken_on(start)} bei {fresh.staff.name}. "
            f"Sie sind bis etwa {spoken_clock(end)} bei uns."
        ),
    )


TOOL = Tool(
    name="book_appointment",
    description=(
        "Bucht verbindlich: mit der hold_id aus check_availability (bevorzugt) oder mit "
        "Leistung, Tag und Uhrzeit. Erst aufrufen, wenn die Anruferin zugestimmt und ihren "
        "Namen genannt hat. Die Nummer des Anrufs wird automatisch hinterlegt."
    ),
    args=BookingArgs,
    run=book_appointment,
    speak_during_execution=True,
    writes=True,
)
