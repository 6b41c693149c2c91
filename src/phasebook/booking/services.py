"""The booking service: the only write path for appointments, used by every caller.

Every function takes the `Actor` who asks and writes the change's event (events.py) in the
change's transaction.

`hold_appointment`, `book_appointment`, `confirm_hold`, `reschedule_appointment` and
`hand_over_appointment` (the salon's own handover to a colleague at the same times) take
their start through the booking path (`placement.py`), which locks, re-checks and writes in
one place. Cancelling changes one locked appointment in one transaction.

A hold keeps only its caller's details: the customer is found (by phone number) or created
when it is booked, so holds that are never booked leave no customer behind.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from phasebook.booking import events, holds, limits
from phasebook.booking.access import access_appointment, access_service, choose_staff
from phasebook.booking.availability import Caller
from phasebook.booking.customers import CustomerDetails, clean_details, find_customer
from phasebook.booking.errors import InvalidRequest, InvalidState
from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment, AppointmentSource, AppointmentStatus
from phasebook.booking.placement import (
    Confirmation,
    NewAppointment,
    Placement,
    check_movable,
    take_start,
)
from phasebook.booking.signals import appointment_changed
from phasebook.salons.models import Absence, Company, Customer


@dataclass(frozen=True)
class BookingRequest:
    service_id: int
    start: datetime
    customer: CustomerDetails
    staff_id: str | None = None
    source: str = AppointmentSource.API


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _require_aware(start: datetime) -> None:
    if start.tzinfo is None:
        raise InvalidRequest(
            gettext_noop(
                "Zeitangaben brauchen einen UTC-Versatz, z. B. 2026-03-02T10:00:00+01:00."
            ),
            field="start",
        )


def _create(
    company: Company,
    request: BookingRequest,
    status: str,
    actor: Actor,
    now: datetime | None,
    customer: Customer | None = None,
    replacing: Collection[UUID] = (),
) -> Appointment:
    _require_aware(request.start)
    service = access_service(company, request.service_id)
    candidates = choose_staff(company, service, request.staff_id, least_busy_on=request.start)
    # Checked before anything asks Cal.com or writes.
    details = clean_details(company, request.customer)
    placement = Placement(
        company=company,
        service=service,
        start=request.start,
        now=_now(now),
        caller=Caller(customer or find_customer(company, details), details.phone),
        target=NewAppointment(details, status, request.source, frozenset(replacing)),
        actor=actor,
    )
    return take_start(placement, candidates)


def hold_appointment(
    company: Company,
    request: BookingRequest,
    *,
    actor: Actor,
    now: datetime | None = None,
    replacing: Collection[UUID] = (),
) -> Appointment:
    """Reserve a start for a caller who is still on the phone. Expires by itself.

    `replacing`: the actor's earlier holds for this caller, offered times they moved on
    from. They are released (cancelled by the actor) in the new hold's write transaction and
    do not count against its caps; when the new start is refused, they stay as they were.
    Another client's holds among them are left alone.

    Within the salon's limits (booking/limits.py): RateLimited when the client or caller
    places too many, or holds too many at once (checked by the booking path, before it
    writes)."""
    limits.check_write_rate(company, actor.client_key, request.customer)
    return _create(company, request, AppointmentStatus.HELD, actor, now, replacing=replacing)


def book_appointment(
    company: Company, request: BookingRequest, *, actor: Actor, now: datetime | None = None
) -> Appointment:
    limits.check_write_rate(company, actor.client_key, request.customer)
    return _create(company, request, AppointmentStatus.BOOKED, actor, now)


def confirm_hold(
    company: Company,
    hold_id: Any,
    *,
    actor: Actor,
    now: datetime | None = None,
    said: CustomerDetails | None = None,
) -> Appointment:
    """Turn a hold into a booking; its caller becomes a customer (found by phone number or
    created), unless they are in another appointment at that time (SlotTaken). An expired
    hold is booked anew if its slot is still free.

    `said`: the name and e-mail address the caller gave when confirming, for a hold made
    before they said them (the phone agent holds first); the hold's phone number stays."""
    now = _now(now)
    hold = access_appointment(company, hold_id)
    if hold.status == AppointmentStatus.BOOKED:
        return hold  # confirming twice is harmless
    details = _hold_details(company, hold, said)
    if hold.status == AppointmentStatus.HELD and _unexpired(hold, now):
        return _book_hold(company, hold, details, actor, now)
    with transaction.atomic():
        hold = access_appointment(company, hold_id, lock=True)
        if hold.status not in (AppointmentStatus.HELD, AppointmentStatus.EXPIRED):
            raise InvalidState(
                gettext_noop("Diese Reservierung ist nicht mehr gültig."), status=hold.status
            )
        # Expired, whether or not another booking has retired it already: the same answer.
        if hold.status == AppointmentStatus.HELD:
            holds.retire(hold, now)
    request = BookingRequest(hold.service_id, hold.start, details, str(hold.staff_id), hold.source)
    return _create(company, request, AppointmentStatus.BOOKED, actor, now, hold.customer)


def _unexpired(hold: Appointment, now: datetime) -> bool:
    return bool(hold.hold_expires_at and hold.hold_expires_at > now)


def _hold_details(
    company: Company, hold: Appointment, said: CustomerDetails | None
) -> CustomerDetails:
    given = CustomerDetails(hold.caller_name, hold.caller_phone, hold.caller_email)
    if said is not None:
        given = CustomerDetails(said.name or given.name, given.phone, said.email or given.email)
    return clean_details(company, given)


def _book_hold(
    company: Company, hold: Appointment, details: CustomerDetails, actor: Actor, now: datetime
) -> Appointment:
    """Book the live hold at its own start and stylist, once its caller is known to be free
    then: they may be a customer who meanwhile has another appointment (the booking path
    re-checks under the locks)."""
    placement = Placement(
        company=company,
        service=hold.service,
        start=hold.start,
        now=now,
        caller=Caller(hold.customer or find_customer(company, details), details.phone),
        target=Confirmation(hold, details),
        actor=actor,
    )
    return take_start(placement, [hold.staff])


def reschedule_appointment(
    company: Company,
    appointment_id: Any,
    start: datetime,
    staff_id: str | None = None,
    *,
    actor: Actor,
    now: datetime | None = None,
    absence: Absence | None = None,
) -> Appointment:
    """Move every phase together, keeping their identity; re-validated against everyone on
    the booking path, the pre-booking checks included. `absence`: the stylist's absence
    that the move repairs, the reason in the appointment's history."""
    _require_aware(start)
    appointment = access_appointment(company, appointment_id)
    check_movable(appointment)  # before anything asks Cal.com
    return _move(company, appointment, start, staff_id, actor, _now(now), absence)


def hand_over_appointment(
    company: Company,
    appointment_id: Any,
    staff_id: str,
    *,
    absence: Absence,
    actor: Actor,
    now: datetime | None = None,
) -> Appointment:
    """The salon gives the appointment to the colleague `staff_id` at its own times, because
    its stylist is absent. The client keeps the start they booked with notice, so the
    minimum notice is not asked again (a sick call at 07:30 hands over the 08:00 client);
    everything else is checked as for any reschedule. An appointment that has begun is not
    handed over: a person decides."""
    now = _now(now)
    appointment = access_appointment(company, appointment_id)
    check_movable(appointment)  # before anything asks Cal.com
    if appointment.start < now:
        raise InvalidState(
            gettext_noop("Der Termin hat bereits begonnen und wird nicht übergeben."),
            status=appointment.status,
        )
    return _move(
        company, appointment, appointment.start, staff_id, actor, now, absence, handover=True
    )


def _move(
    company: Company,
    appointment: Appointment,
    start: datetime,
    staff_id: str | None,
    actor: Actor,
    now: datetime,
    absence: Absence | None,
    *,
    handover: bool = False,
) -> Appointment:
    service = appointment.service
    candidates = choose_staff(company, service, staff_id or str(appointment.staff_id))
    placement = Placement(
        company=company,
        service=service,
        start=start,
        now=now,
        caller=Caller.of(appointment),
        target=appointment,
        actor=actor,
        absence=absence,
        handover=handover,
    )
    return take_start(placement, candidates)


def cancel_appointment(
    company: Company,
    appointment_id: Any,
    reason: str = "",
    *,
    actor: Actor,
    now: datetime | None = None,
    absence: Absence | None = None,
) -> Appointment:
    """Cancel; cancelling a cancelled appointment returns it unchanged. `absence`: the
    stylist's absence that made the salon let the hold go, its reason in the history."""
    now = _now(now)
    with transaction.atomic():
        appointment = access_appointment(company, appointment_id, lock=True)
        if appointment.status == AppointmentStatus.CANCELLED:
            return appointment
        was_booked = appointment.status == AppointmentStatus.BOOKED
        appointment.status = AppointmentStatus.CANCELLED
        appointment.is_live = False
        appointment.cancel_reason = reason[:500]
        appointment.cancelled_at = now
        appointment.save(
            update_fields=["status", "is_live", "cancel_reason", "cancelled_at", "updated_at"]
        )
        appointment.phases.update(blocks_staff=False)
        events.cancelled(appointment, actor, now, absence)
        if was_booked:
            appointment_changed.send(Appointment, appointment=appointment, change="cancelled")
        return appointment
