"""The booking path: the one place where a start is taken, for a booking, a hold, a hold
being booked (live or confirmed anew) and a reschedule alike.

`take_start`:
1. runs the pre-booking checks (before any transaction: they may ask Cal.com), except for
   a live hold being booked, whose start was checked when it was made;
2. tries the candidate stylists in order, each try a transaction of its own that
   a. for a new hold, checks its client's and caller's live-hold caps under their locks
      (limits.py) and releases the client's holds it replaces, or locks the moved
      appointment's or the booked hold's row; then locks the stylist's day (in that order,
      everywhere: see `locks.py`),
   b. re-runs the availability predicate against the current state (without the
      released holds: a caller moving from 10:00 to 10:30 is not in their own way; for a
      hold being booked: whether its caller, now a customer, is free then),
   c. retires the run-out holds in the way, and
   d. writes: the new appointment with exactly its phases, the moved phases, or the
      hold's customer and status; a refused try rolls back, so the replaced holds stay
      when the new one cannot be had;
3. explains a refusal (SlotTaken with alternatives, or NotBookable), and turns a race that
   only the PostgreSQL exclusion constraints caught (IntegrityError) into SlotTaken too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from phasebook.booking import events, holds, limits, locks
from phasebook.booking.access import access_appointment
from phasebook.booking.availability import Caller, nearest_slots, policy_around, verdict_for
from phasebook.booking.customers import CustomerDetails, find_or_create_customer
from phasebook.booking.errors import InvalidState, NotBookable, SlotTaken
from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.booking.rendering import Explained, SlotOut, render_slot
from phasebook.booking.signals import appointment_changed
from phasebook.salons.models import Absence, Company, Customer, Service, Staff
from phasebook.scheduling.availability import Rule, Verdict
from phasebook.scheduling.explain import describe
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import PlannedPhase
from phasebook.telemetry import metrics

# Conflicts that another booking caused, and that another time may not have.
_TAKEN_RULES = {Rule.STAFF_BUSY, Rule.CUSTOMER_BUSY, Rule.EXTERNAL_BUSY}

PreBookingCheck = Callable[
    [Company, Service, list[Staff], datetime, Appointment | None], list[Staff]
]
# Checks that run BEFORE the booking transaction opens, because they may ask another system
# (e.g. Cal.com's slots). Other apps register here, so booking does not depend on them. A
# check gets the company, service, candidate stylists, start and the appointment being
# moved (None for a new one, whose own bookings elsewhere are no conflict), and returns the
# candidates it agrees with or raises a BookingError.
PRE_BOOKING_CHECKS: list[PreBookingCheck] = []


@dataclass(frozen=True)
class NewAppointment:
    """What a booking or hold creates once a stylist can take its start."""

    details: CustomerDetails  # cleaned (customers.clean_details)
    status: str
    source: str
    # A new hold's client's own earlier holds that it replaces (`holds.release`).
    replaces: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class Confirmation:
    """A live hold becoming a booking at its own start, stylist and phases: its caller
    becomes a customer, who must not be in another appointment at that time."""

    hold: Appointment
    details: CustomerDetails  # cleaned: whom to find or create as the customer

    @property
    def source(self) -> str:
        return self.hold.source


@dataclass(frozen=True)
class Placement:
    """A start being taken for a service, as every try sees it."""

    company: Company
    service: Service
    start: datetime
    now: datetime
    caller: Caller  # whose other appointments the start must not overlap
    # Create this, book that hold, or move that appointment's phases.
    target: NewAppointment | Confirmation | Appointment
    actor: Actor  # who asks, for the appointment's history
    absence: Absence | None = None  # the stylist's absence this move repairs, for the history
    # The salon hands the moved appointment to a colleague at its own times: the client
    # keeps the start they booked with notice, so the minimum notice is not asked again
    # (`handover_policy`; a start in the past still refuses). Only `hand_over_appointment`.
    handover: bool = False

    def __post_init__(self) -> None:
        moving = self.moving
        if self.notice_given and (moving is None or moving.start != self.start):
            raise ValueError("a handover or a hold being booked keeps its start")
        _require_own_rows(self.company, [self.service, self.caller.customer, moving])

    @property
    def moving(self) -> Appointment | None:
        """The appointment whose own time is no conflict: the moved one, or the hold."""
        if isinstance(self.target, Confirmation):
            return self.target.hold
        return self.target if isinstance(self.target, Appointment) else None

    @property
    def notice_given(self) -> bool:
        """The start was taken with notice before (a handover, a hold being booked), so the
        minimum notice is not asked again (`handover_policy`)."""
        return self.handover or isinstance(self.target, Confirmation)

    @property
    def source(self) -> str:
        """Where the booking came from; a move counts where the appointment was booked."""
        return self.target.source


def _require_own_rows(
    company: Company, rows: Iterable[Service | Customer | Staff | Appointment | None]
) -> None:
    """The booking path writes only the company's own service, customer, stylists and
    appointment: a mistake of the caller, since the lookups (access.py, customers.py) hand
    it nothing else, refused before anything asks Cal.com or writes. On PostgreSQL the
    database refuses such a row too (common/constraints.py, SameCompanyForeignKey)."""
    foreign = [
        f"{type(row).__name__} {row.pk}"
        for row in rows
        if row is not None and row.company_id != company.pk
    ]
    if foreign:
        raise ValueError(f"not of company {company.pk}: {', '.join(foreign)}")


def take_start(placement: Placement, candidates: list[Staff]) -> Appointment:
    """Create or move the appointment with the first candidate who can take the start."""
    try:
        return _take_start(placement, candidates)
    except SlotTaken:
        metrics.BOOKING_CONFLICTS.labels(placement.source).inc()
        raise


def _take_start(placement: Placement, candidates: list[Staff]) -> Appointment:
    _require_own_rows(placement.company, candidates)
    # A hold's start was checked when it was made; booking it asks nobody again.
    checks = [] if isinstance(placement.target, Confirmation) else PRE_BOOKING_CHECKS
    for check in checks:
        candidates = check(
            placement.company, placement.service, candidates, placement.start, placement.moving
        )
    try:
        return _place(placement, candidates)
    except IntegrityError as error:
        # The exclusion constraints caught a concurrent booking between our check and
        # our write: the same answer as a taken slot, computed after the rollback.
        raise SlotTaken(
            gettext_noop("Dieser Termin wurde soeben vergeben."),
            alternatives=_alternatives(placement, candidates),
        ) from error


def _place(placement: Placement, candidates: list[Staff]) -> Appointment:
    """Try the candidates in order; raise the refusal when none can take the start.

    Each try locks the stylist's day and runs the predicate under the lock before it
    writes: bookings of one stylist on one day queue up instead of racing into the exclusion
    constraint (whose checks can deadlock when many overlapping rows arrive at once). A
    refused try has written nothing and ends, which releases its lock, so no transaction ever
    holds two stylist locks. For "any stylist" the least busy of the day comes first, which
    spreads the work; if the first fails, one unlocked look at the others says which of them
    are worth a try.
    """
    remaining = list(candidates)
    looked = False
    verdict: Verdict | None = None
    while remaining:
        tried = _try_stylist(placement, remaining.pop(0))
        if isinstance(tried, Appointment):
            return tried
        verdict = tried
        if verdict.salon_conflicts:
            break  # closed, too soon, the customer is busy...: true for every stylist
        if remaining and not looked:
            # The favourite could not take it: one unlocked look says who else may.
            look = _verdict(placement, remaining)
            bookable = set(look.bookable_staff)
            remaining = [member for member in remaining if str(member.id) in bookable]
            looked = True
    if verdict is None or (len(candidates) > 1 and not verdict.salon_conflicts):
        # Explain with every candidate, as they are now: the caller asked for any of them.
        verdict = _verdict(placement, candidates)
    _refuse(placement, verdict, candidates)


def _verdict(placement: Placement, staff: list[Staff]) -> Verdict:
    verdict, _ = verdict_for(
        placement.company,
        placement.service,
        placement.start,
        staff,
        placement.now,
        placement.caller,
        exclude=placement.moving,
        handover=placement.notice_given,
    )
    return verdict


def _try_stylist(placement: Placement, stylist: Staff) -> Appointment | Verdict:
    """Write with `stylist` if the predicate allows it under the locks; else the verdict
    against her."""
    company, start, target = placement.company, placement.start, placement.target
    savepoint = transaction.get_connection().in_atomic_block  # the caller has a transaction
    released: list[UUID] = []
    with transaction.atomic():
        if isinstance(target, Confirmation):
            hold = _lock_hold(company, target.hold)
            if hold.status == AppointmentStatus.BOOKED:
                return hold  # a concurrent confirmation got there first: harmless
        elif isinstance(target, Appointment):
            target = _lock_moved(company, target)
        elif target.status == AppointmentStatus.HELD:
            client, now = placement.actor.client_key, placement.now
            limits.check_hold_caps(company, client, target.details, now, target.replaces)
            released = holds.release(company, target.replaces, placement.actor, now)
        locks.lock_stylist_day(stylist, start.astimezone(company.zone).date())
        verdict, situation = verdict_for(
            company,
            placement.service,
            start,
            [stylist],
            placement.now,
            placement.caller,
            exclude=placement.moving,
            handover=placement.notice_given,
        )
        if not verdict.possible:
            # A refused try has written nothing; ending it releases the lock. A savepoint
            # lets go of it only when rolled back. A transaction does when it commits too,
            # which keeps the connection's prepared statements: psycopg discards them all
            # on every rollback (see DATABASES in settings). Holds released for this try
            # are restored by rolling it back.
            transaction.set_rollback(savepoint or bool(released))
            return verdict
        holds.retire_expired_holds(situation.expired_holds, placement.now)
        if isinstance(target, Confirmation):
            return _book_hold(placement, hold, target.details)
        if isinstance(target, Appointment):
            return _move(placement, target, stylist, verdict.phases)
        return _create(placement, target, stylist, verdict.phases)


def _lock_moved(company: Company, appointment: Appointment) -> Appointment:
    """The moved appointment as it is now, its row locked: first in the lock order."""
    locked = access_appointment(company, appointment.pk, lock=True)
    check_movable(locked)  # it may have been cancelled since the caller looked
    return locked


def _lock_hold(company: Company, hold: Appointment) -> Appointment:
    """The hold as it is now, its row locked: first in the lock order."""
    locked = access_appointment(company, hold.pk, lock=True)
    if locked.status not in (AppointmentStatus.HELD, AppointmentStatus.BOOKED):
        # Cancelled, or retired by a booking that found it run out since the caller looked.
        raise InvalidState(
            gettext_noop("Diese Reservierung ist nicht mehr gültig."), status=locked.status
        )
    return locked


def check_movable(appointment: Appointment) -> None:
    if not appointment.is_live:
        raise InvalidState(
            gettext_noop("Ein stornierter oder abgelaufener Termin kann nicht verschoben werden."),
            status=appointment.status,
        )


def _create(
    placement: Placement, new: NewAppointment, stylist: Staff, phases: tuple[PlannedPhase, ...]
) -> Appointment:
    held = new.status == AppointmentStatus.HELD
    details = new.details
    appointment = Appointment.objects.create(
        company=placement.company,
        # A hold keeps only the caller's details; booking it makes them a customer.
        customer=None if held else _customer(placement, details),
        caller_name=details.name,
        caller_phone=details.phone,
        caller_email=details.email,
        service=placement.service,
        staff=stylist,
        start=phases[0].interval.start,
        end=phases[-1].interval.end,
        status=new.status,
        is_live=True,
        source=new.source,
        placed_by=placement.actor.client_key,
        hold_expires_at=(
            placement.now + timedelta(seconds=settings.PHASEBOOK_HOLD_TTL_SECONDS) if held else None
        ),
    )
    AppointmentPhase.objects.bulk_create(phase_rows(appointment, phases))
    appointment.saved_history = [events.placed(appointment, placement.actor, placement.now)]
    if new.status == AppointmentStatus.BOOKED:
        appointment_changed.send(Appointment, appointment=appointment, change="booked")
    else:
        transaction.on_commit(metrics.HOLDS_CREATED.inc)  # bookings: monitoring's receiver
    return appointment


def _customer(placement: Placement, details: CustomerDetails) -> Customer:
    # Created only in the try that writes: a refused booking leaves no customer behind.
    return placement.caller.customer or find_or_create_customer(placement.company, details)


def _book_hold(placement: Placement, hold: Appointment, details: CustomerDetails) -> Appointment:
    """The locked hold becomes a booking, its caller its customer; its phases stay."""
    hold.customer = _customer(placement, details)
    hold.status = AppointmentStatus.BOOKED
    hold.hold_expires_at = None
    hold.save(update_fields=["customer", "status", "hold_expires_at", "updated_at"])
    events.confirmed(hold, placement.actor, placement.now)
    appointment_changed.send(Appointment, appointment=hold, change="booked")
    return hold


def phase_rows(
    appointment: Appointment, phases: tuple[PlannedPhase, ...]
) -> list[AppointmentPhase]:
    return [
        AppointmentPhase(
            company_id=appointment.company_id,
            appointment=appointment,
            staff=appointment.staff,
            segment_key=phase.key,
            segment_name=phase.segment.name,
            start_time=phase.interval.start,
            end_time=phase.interval.end,
            duration_minutes=phase.segment.duration_minutes,
            staff_required=phase.staff_required,
            sequence_order=phase.sequence_order,
            blocks_staff=phase.staff_required,
        )
        for phase in phases
    ]


def _move(
    placement: Placement,
    appointment: Appointment,
    stylist: Staff,
    phases: tuple[PlannedPhase, ...],
) -> Appointment:
    """Every phase to its new time and stylist, keeping its identity (and Cal.com ids)."""
    from_start, from_staff = appointment.start, appointment.staff
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
    events.moved(
        appointment, placement.actor, placement.now, from_start, from_staff, placement.absence
    )
    if appointment.status == AppointmentStatus.BOOKED:
        appointment_changed.send(Appointment, appointment=appointment, change="rescheduled")
    return appointment


def _alternatives(placement: Placement, staff: list[Staff]) -> list[SlotOut]:
    company = placement.company
    names = {str(member.id): member.name for member in staff}
    slots = nearest_slots(
        company,
        placement.service,
        placement.start,
        staff,
        placement.now,
        placement.caller,
        placement.moving,
    )
    return [render_slot(slot, company.zone, names) for slot in slots]


def _refuse(placement: Placement, verdict: Verdict, staff: list[Staff]) -> NoReturn:
    """Raise the error that explains why no stylist in `staff` can take this start."""
    policy = policy_around(
        placement.company,
        Interval(placement.start, placement.start),
        handover=placement.notice_given,
    )
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
            alternatives=_alternatives(placement, staff),
            explained=explained,
        )
    raise NotBookable(
        describe(blocking[0], verdict, policy, explained.staff_names), explained=explained
    )
