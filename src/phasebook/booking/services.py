"""The booking service: the only write path for appointments, used by every caller.

`hold_appointment`, `confirm_hold`, `book_appointment`, `reschedule_appointment` and
`cancel_appointment` each write in one transaction (a booking for "any stylist" in one
per stylist it tries) that
1. locks the stylist's day (one lock order everywhere: see `locks.py`),
2. re-runs the availability predicate against the current state,
3. retires the run-out holds in the way, and
4. writes the appointment and exactly its phases.
The PostgreSQL exclusion constraints are the last line: a race that slips past the
predicate ends in IntegrityError, which becomes SlotTaken with alternatives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from phasebook.booking import locks
from phasebook.booking.access import access_appointment, access_service, choose_staff
from phasebook.booking.availability import nearest_slots, policy_around, verdict_for
from phasebook.booking.customers import CustomerDetails, find_customer, find_or_create_customer
from phasebook.booking.errors import InvalidRequest, InvalidState, NotBookable, SlotTaken
from phasebook.booking.models import (
    Appointment,
    AppointmentPhase,
    AppointmentSource,
    AppointmentStatus,
)
from phasebook.booking.rendering import Explained, SlotOut, render_slot
from phasebook.booking.signals import appointment_changed
from phasebook.salons.models import Company, Customer, Service, Staff
from phasebook.scheduling.availability import Rule, Verdict
from phasebook.scheduling.explain import describe
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import PlannedPhase

# Conflicts that another booking caused, and that another time may not have.
_TAKEN_RULES = {Rule.STAFF_BUSY, Rule.CUSTOMER_BUSY, Rule.EXTERNAL_BUSY}

PreBookingCheck = Callable[[Company, Service, list[Staff], datetime], list[Staff]]
# Checks that run BEFORE the booking transaction opens, because they may ask another system
# (e.g. Cal.com's slots). Other apps register here, so booking does not depend on them. A
# check returns the candidate stylists it agrees with or raises a BookingError.
PRE_BOOKING_CHECKS: list[PreBookingCheck] = []


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


def _alternatives(
    company: Company,
    service: Service,
    start: datetime,
    staff: list[Staff],
    now: datetime,
    customer: Customer | None,
    exclude: Appointment | None = None,
) -> list[SlotOut]:
    names = {str(member.id): member.name for member in staff}
    slots = nearest_slots(company, service, start, staff, now, customer, exclude)
    return [render_slot(slot, company.zone, names) for slot in slots]


def _refuse(
    company: Company,
    service: Service,
    start: datetime,
    verdict: Verdict,
    staff: list[Staff],
    customer: Customer | None,
    now: datetime,
    exclude: Appointment | None = None,
) -> NoReturn:
    """Raise the error that explains why no stylist in `staff` can take this start."""
    policy = policy_around(company, Interval(start, start))
    explained = Explained(verdict, policy, {str(member.id): member.name for member in staff})
    all_conflicts = explained.all_conflicts()
    if not all_conflicts:
        raise NotBookable(gettext_noop("Für diese Leistung ist niemand eingeplant."))
    blocking = [conflict for conflict in all_conflicts if conflict.rule not in _TAKEN_RULES]
    only_taken = not verdict.salon_conflicts and any(
        all(conflict.rule in _TAKEN_RULES for conflict in conflicts)
        for conflicts in verdict.staff_conflicts.values()
    )
    if only_taken or not blocking:
        raise SlotTaken(
            gettext_noop("Dieser Termin ist leider schon vergeben."),
            alternatives=_alternatives(company, service, start, staff, now, customer, exclude),
            explained=explained,
        )
    raise NotBookable(
        describe(blocking[0], verdict, policy, explained.staff_names), explained=explained
    )


def _phase_rows(
    appointment: Appointment, phases: tuple[PlannedPhase, ...], live: bool
) -> list[AppointmentPhase]:
    return [
        AppointmentPhase(
            appointment=appointment,
            staff=appointment.staff,
            segment_key=phase.key,
            segment_name=phase.segment.name,
            start_time=phase.interval.start,
            end_time=phase.interval.end,
            duration_minutes=phase.segment.duration_minutes,
            staff_required=phase.staff_required,
            sequence_order=phase.sequence_order,
            blocks_staff=live and phase.staff_required,
        )
        for phase in phases
    ]


@dataclass(frozen=True)
class _Booking:
    """A booking or hold being placed, as every try sees it."""

    company: Company
    service: Service
    start: datetime
    details: CustomerDetails
    status: str
    source: str
    now: datetime
    customer: Customer | None  # the existing customer, if there is one

    def customer_to_write(self) -> Customer:
        """In the try that writes: a new customer is created only with a booking."""
        return self.customer or find_or_create_customer(self.company, self.details)


def _place(booking: _Booking, candidates: list[Staff]) -> Appointment:
    """Book a candidate stylist who can take the start.

    Each try is a transaction of its own that locks the stylist's day and runs the
    predicate under the lock before it writes: bookings of one stylist on one day queue
    up instead of racing into the exclusion constraint (whose checks can deadlock when
    many overlapping rows arrive at once). A refused try has written nothing and ends,
    which releases its lock, so no transaction ever holds two stylist locks. Candidates
    are tried in the given order (for "any stylist", the least busy of the day first,
    which spreads the work); if the first fails, one unlocked look at the others says
    which of them are worth a try.
    """
    company, service, start, now = booking.company, booking.service, booking.start, booking.now
    customer = booking.customer
    remaining = list(candidates)
    looked = False
    verdict: Verdict | None = None
    while remaining:
        tried = _try_stylist(booking, remaining.pop(0))
        if isinstance(tried, Appointment):
            return tried
        verdict = tried
        if verdict.salon_conflicts:
            break  # closed, too soon, the customer is busy...: true for every stylist
        if remaining and not looked:
            # The favourite could not take it: one unlocked look says who else may.
            look, _ = verdict_for(company, service, start, remaining, now, customer)
            bookable = set(look.bookable_staff)
            remaining = [member for member in remaining if str(member.id) in bookable]
            looked = True
    if verdict is None or (len(candidates) > 1 and not verdict.salon_conflicts):
        # Explain with every candidate, as they are now: the caller asked for any of them.
        verdict, _ = verdict_for(company, service, start, candidates, now, customer)
    _refuse(company, service, start, verdict, candidates, customer, now)


def _try_stylist(booking: _Booking, stylist: Staff) -> Appointment | Verdict:
    """Book `stylist` if the predicate allows it under the stylist's lock; else the
    verdict against it."""
    company, start = booking.company, booking.start
    savepoint = transaction.get_connection().in_atomic_block  # the caller has a transaction
    with transaction.atomic():
        locks.lock_stylist_day(stylist, start.astimezone(company.zone).date())
        verdict, situation = verdict_for(
            company, booking.service, start, [stylist], booking.now, booking.customer
        )
        if not verdict.possible:
            # A refused try has written nothing; ending it releases the lock. A savepoint
            # lets go of it only when rolled back. A transaction does when it commits too,
            # which keeps the connection's prepared statements: psycopg discards them all
            # on every rollback (see DATABASES in settings).
            transaction.set_rollback(savepoint)
            return verdict
        locks.retire_expired_holds(situation.expired_holds)
        return _write(booking, stylist, booking.customer_to_write(), verdict)


def _write(booking: _Booking, stylist: Staff, customer: Customer, verdict: Verdict) -> Appointment:
    phases = verdict.phases
    appointment = Appointment.objects.create(
        company=booking.company,
        customer=customer,
        service=booking.service,
        staff=stylist,
        start=phases[0].interval.start,
        end=phases[-1].interval.end,
        status=booking.status,
        is_live=True,
        source=booking.source,
        hold_expires_at=(
            booking.now + timedelta(seconds=settings.PHASEBOOK_HOLD_TTL_SECONDS)
            if booking.status == AppointmentStatus.HELD
            else None
        ),
    )
    AppointmentPhase.objects.bulk_create(_phase_rows(appointment, phases, live=True))
    if booking.status == AppointmentStatus.BOOKED:
        appointment_changed.send(Appointment, appointment=appointment, change="booked")
    return appointment


def _lost_race(
    company: Company,
    service: Service,
    start: datetime,
    candidates: list[Staff],
    customer: Customer | None,
    now: datetime,
) -> SlotTaken:
    return SlotTaken(
        gettext_noop("Dieser Termin wurde soeben vergeben."),
        alternatives=_alternatives(company, service, start, candidates, now, customer),
    )


def _create(
    company: Company,
    request: BookingRequest,
    status: str,
    now: datetime | None,
    customer: Customer | None = None,
) -> Appointment:
    now = _now(now)
    _require_aware(request.start)
    service = access_service(company, request.service_id)
    candidates = choose_staff(company, service, request.staff_id, least_busy_on=request.start)
    # Also checks the customer's details, before anything asks Cal.com or writes.
    customer = customer or find_customer(company, request.customer)
    for check in PRE_BOOKING_CHECKS:
        candidates = check(company, service, candidates, request.start)
    booking = _Booking(
        company=company,
        service=service,
        start=request.start,
        details=request.customer,
        status=status,
        source=request.source,
        now=now,
        customer=customer,
    )
    try:
        return _place(booking, candidates)
    except IntegrityError as error:
        # The exclusion constraints caught a concurrent booking between our check and
        # our insert: the same answer as a taken slot, computed after the rollback.
        raise _lost_race(company, service, request.start, candidates, customer, now) from error


def hold_appointment(
    company: Company, request: BookingRequest, now: datetime | None = None
) -> Appointment:
    """Reserve a start for a caller who is still on the phone. Expires by itself."""
    return _create(company, request, AppointmentStatus.HELD, now)


def book_appointment(
    company: Company, request: BookingRequest, now: datetime | None = None
) -> Appointment:
    return _create(company, request, AppointmentStatus.BOOKED, now)


def confirm_hold(company: Company, hold_id: Any, now: datetime | None = None) -> Appointment:
    """Turn a hold into a booking. An expired hold is booked anew if its slot is still free."""
    now = _now(now)
    with transaction.atomic():
        hold = access_appointment(company, hold_id, lock=True)
        if hold.status == AppointmentStatus.BOOKED:
            return hold  # confirming twice is harmless
        if hold.status not in (AppointmentStatus.HELD, AppointmentStatus.EXPIRED):
            raise InvalidState(
                gettext_noop("Diese Reservierung ist nicht mehr gültig."), status=hold.status
            )
        unexpired = bool(hold.hold_expires_at and hold.hold_expires_at > now)
        if hold.status == AppointmentStatus.HELD and unexpired:
            hold.status = AppointmentStatus.BOOKED
            hold.hold_expires_at = None
            hold.save(update_fields=["status", "hold_expires_at", "updated_at"])
            appointment_changed.send(Appointment, appointment=hold, change="booked")
            return hold
        # Expired, whether or not another booking has retired it already: the same answer.
        if hold.status == AppointmentStatus.HELD:
            locks.retire(hold)
    request = BookingRequest(
        hold.service_id,
        hold.start,
        CustomerDetails(hold.customer.name),
        str(hold.staff_id),
        hold.source,
    )
    return _create(company, request, AppointmentStatus.BOOKED, now, customer=hold.customer)


def reschedule_appointment(
    company: Company,
    appointment_id: Any,
    start: datetime,
    staff_id: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move every phase together, keeping their identity; re-validated against everyone."""
    now = _now(now)
    _require_aware(start)
    try:
        with transaction.atomic():
            appointment = access_appointment(company, appointment_id, lock=True)
            if not appointment.is_live:
                raise InvalidState(
                    gettext_noop(
                        "Ein stornierter oder abgelaufener Termin kann nicht verschoben werden."
                    ),
                    status=appointment.status,
                )
            target = staff_id or str(appointment.staff_id)
            candidates = choose_staff(company, appointment.service, target)
            locks.lock_stylist_day(candidates[0], start.astimezone(company.zone).date())
            verdict, situation = verdict_for(
                company,
                appointment.service,
                start,
                candidates,
                now,
                appointment.customer,
                exclude=appointment,
            )
            if not verdict.possible:
                _refuse(
                    company,
                    appointment.service,
                    start,
                    verdict,
                    candidates,
                    appointment.customer,
                    now,
                    exclude=appointment,
                )
            locks.retire_expired_holds(situation.expired_holds)
            _move(appointment, candidates[0], verdict.phases)
            if appointment.status == AppointmentStatus.BOOKED:
                appointment_changed.send(Appointment, appointment=appointment, change="rescheduled")
            return appointment
    except IntegrityError as error:
        appointment = access_appointment(company, appointment_id)
        raise _lost_race(
            company,
            appointment.service,
            start,
            choose_staff(company, appointment.service, staff_id or str(appointment.staff_id)),
            appointment.customer,
            now,
        ) from error


def _move(appointment: Appointment, stylist: Staff, phases: tuple[PlannedPhase, ...]) -> None:
    rows = {phase.sequence_order: phase for phase in appointment.phases.all()}
    # Release first: moved phases may overlap their own old times, and the exclusion
    # constraint checks each row as it is written.
    appointment.phases.update(blocks_staff=False)
    for planned in phases:
        row = rows[planned.sequence_order]
        row.staff = stylist
        row.start_time, row.end_time = planned.interval.start, planned.interval.end
        row.blocks_staff = planned.staff_required
    AppointmentPhase.objects.bulk_update(
        rows.values(), ["staff", "start_time", "end_time", "blocks_staff", "updated_at"]
    )
    appointment.staff = stylist
    appointment.start, appointment.end = phases[0].interval.start, phases[-1].interval.end
    appointment.save(update_fields=["staff", "start", "end", "updated_at"])


def cancel_appointment(
    company: Company, appointment_id: Any, reason: str = "", now: datetime | None = None
) -> Appointment:
    """Cancel; cancelling a cancelled appointment returns it unchanged."""
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
        if was_booked:
            appointment_changed.send(Appointment, appointment=appointment, change="cancelled")
        return appointment
