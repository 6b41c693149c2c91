"""Read side: load what the scheduling core needs from the database, and ask it.

Every availability answer — slots, explanations and the check inside a booking
transaction — goes through `load_situation` and the core's predicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.db.models import QuerySet

from phasebook.booking.models import Appointment
from phasebook.booking.rendering import Explained
from phasebook.booking.snapshot import CallerKey, Snapshot, least_busy_qualified, load_snapshot
from phasebook.salons.calendar import booking_policy
from phasebook.salons.models import Company, Customer, Service, Staff
from phasebook.scheduling.availability import (
    Busy,
    Policy,
    Slot,
    StaffSchedule,
    Verdict,
    check_start,
    handover_policy,
    search_slots,
)
from phasebook.scheduling.intervals import Interval

# Slot searches wider than this are refused: a caller should page through time.
MAX_SEARCH_DAYS = 31


def qualified_staff(company: Company, service: Service) -> QuerySet[Staff]:
    return Staff.objects.filter(company=company, is_active=True, services=service).order_by(
        "name", "id"
    )


def least_busy_first(company: Company, service: Service, start: datetime) -> list[Staff]:
    """The stylists of `qualified_staff`, those with the fewest booked minutes on the local
    day of `start` first (ties by name)."""
    day = start.astimezone(company.zone).date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=company.zone)
    return least_busy_qualified(
        company.pk, service.pk, Interval(midnight, midnight + timedelta(days=1))
    )


def staff_schedules(members: Sequence[Staff], snapshot: Snapshot) -> list[StaffSchedule]:
    """Each stylist's hours and busy time, in the given order."""
    return [
        StaffSchedule(
            staff_id=str(member.id),
            name=member.name,
            working_hours=member.weekly_working_hours,
            busy=tuple(snapshot.busy_of(member.id)),
            qualified=member.id in snapshot.qualified and member.is_active,
        )
        for member in members
    ]


def policy_around(company: Company, window: Interval, *, handover: bool = False) -> Policy:
    """The company's rules around `window`; for a `handover` (the salon gives an appointment
    to a colleague at its own times) without the minimum notice, see `handover_policy`."""
    zone = company.zone
    policy = booking_policy(
        company,
        (window.start - timedelta(days=1)).astimezone(zone).date(),
        (window.end + timedelta(days=1)).astimezone(zone).date(),
    )
    return handover_policy(policy) if handover else policy


@dataclass(frozen=True)
class Caller:
    """Whom a start is for, as far as their other appointments go (invariant 1): those of
    the customer, and those made with the caller's phone number, since a hold has no
    customer until it is booked."""

    customer: Customer | None = None
    phone: str = ""  # E.164, "" when unknown

    @classmethod
    def of(cls, appointment: Appointment) -> Caller:
        return cls(appointment.customer, appointment.caller_phone or appointment.contact.phone)


NOBODY = Caller()


@dataclass(frozen=True)
class Situation:
    """Everything the predicate needs around one start."""

    policy: Policy
    staff: list[StaffSchedule]
    customer_busy: list[Busy]
    # Run-out holds in the way: they block nobody, but a booking must retire them before
    # it writes, or their rows would trip the exclusion constraints.
    expired_holds: frozenset[UUID]


def load_situation(
    company: Company,
    service: Service,
    staff: Iterable[Staff],
    window: Interval,
    now: datetime,
    caller: Caller = NOBODY,
    exclude: Appointment | None = None,
    *,
    handover: bool = False,
) -> Situation:
    members = list(staff)
    snapshot = load_snapshot(
        service.pk,
        [member.id for member in members],
        window,
        now,
        CallerKey(
            company.pk,
            caller.customer.pk if caller.customer is not None else None,
            caller.phone,
        ),
        exclude=exclude.pk if exclude is not None else None,
    )
    return Situation(
        policy=policy_around(company, window, handover=handover),
        staff=staff_schedules(members, snapshot),
        customer_busy=snapshot.customer_busy,
        expired_holds=snapshot.expired_holds,
    )


def verdict_for(
    company: Company,
    service: Service,
    start: datetime,
    staff: Iterable[Staff],
    now: datetime,
    caller: Caller = NOBODY,
    exclude: Appointment | None = None,
    *,
    handover: bool = False,
) -> tuple[Verdict, Situation]:
    """The predicate's verdict for starting `service` at `start` with each of `staff`
    (`handover`: `exclude` is handed to one of them at its own times)."""
    # Python adds timedeltas to zoned datetimes in wall-clock time (and drops `fold`):
    # in UTC, minutes are real minutes on clock-change days too.
    start = start.astimezone(UTC)
    window = Interval(start, start + timedelta(minutes=service.duration_minutes))
    situation = load_situation(
        company, service, staff, window, now, caller, exclude, handover=handover
    )
    verdict = check_start(
        service.segment_list, start, situation.staff, situation.customer_busy, situation.policy, now
    )
    return verdict, situation


def explain_start(
    company: Company, service: Service, start: datetime, staff: Iterable[Staff], now: datetime
) -> Explained:
    """The verdict on `start` for each of `staff`, ready to be rendered."""
    members = list(staff)
    verdict, situation = verdict_for(company, service, start, members, now)
    return Explained(verdict, situation.policy, {str(member.id): member.name for member in members})


def find_slots(
    company: Company,
    service: Service,
    window: Interval,
    staff: Iterable[Staff],
    now: datetime,
    caller: Caller = NOBODY,
    exclude: Appointment | None = None,
) -> list[Slot]:
    # Busy time is loaded with one appointment's length of margin on both sides, so
    # appointments that start before the window but reach into it are seen.
    length = timedelta(minutes=service.duration_minutes)
    padded = Interval(window.start - length, window.end + length)
    situation = load_situation(company, service, staff, padded, now, caller, exclude)
    return search_slots(
        service.segment_list,
        situation.staff,
        situation.customer_busy,
        situation.policy,
        now,
        window,
    )


def nearest_slots(
    company: Company,
    service: Service,
    start: datetime,
    staff: Iterable[Staff],
    now: datetime,
    caller: Caller = NOBODY,
    exclude: Appointment | None = None,
    count: int = 3,
) -> list[Slot]:
    """Up to `count` bookable starts closest to `start`, for a "slot taken" answer."""
    window = Interval(start - timedelta(hours=3), start + timedelta(days=7))
    slots = find_slots(company, service, window, staff, now, caller, exclude)
    return sorted(slots, key=lambda slot: (abs(slot.start - start), slot.start))[:count]
