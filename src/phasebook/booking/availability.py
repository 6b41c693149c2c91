"""Read side: load what the scheduling core needs from the database, and ask it.

Every availability answer — slots, explanations and the check inside a booking
transaction — goes through `load_situation` and the core's predicate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum, Value

from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.common.db import EpochSeconds
from phasebook.salons.calendar import booking_policy
from phasebook.salons.models import Absence, Company, Customer, ExternalBusyBlock, Service, Staff
from phasebook.scheduling.availability import (
    Busy,
    BusyKind,
    Policy,
    Slot,
    StaffSchedule,
    Verdict,
    check_start,
    search_slots,
)
from phasebook.scheduling.explain import explain
from phasebook.scheduling.intervals import Interval

# Slot searches wider than this are refused: a caller should page through time.
MAX_SEARCH_DAYS = 31


def live_appointments(now: datetime) -> Q:
    """Booked appointments and holds that have not expired. Expired holds never block."""
    return Q(status=AppointmentStatus.BOOKED) | Q(
        status=AppointmentStatus.HELD, hold_expires_at__gt=now
    )


# An appointment lies inside one opening window of one day (weekly hours cannot run
# past midnight), so no appointment or phase is this long. Bounding the start from below
# lets the (staff, start_time) index do a range scan instead of reading every older row.
LONGEST_APPOINTMENT = timedelta(days=1)


def overlapping(
    interval: Interval, start: str = "start", end: str = "end", longest: timedelta | None = None
) -> Q:
    """Rows whose [start, end) overlaps `interval`; `longest` bounds their length, if known."""
    condition = Q(**{f"{start}__lt": interval.end, f"{end}__gt": interval.start})
    if longest is not None:
        condition &= Q(**{f"{start}__gt": interval.start - longest})
    return condition


def qualified_staff(company: Company, service: Service) -> QuerySet[Staff]:
    return Staff.objects.filter(company=company, is_active=True, services=service).order_by(
        "name", "id"
    )


def least_busy_first(company: Company, staff: Sequence[Staff], start: datetime) -> list[Staff]:
    """`staff`, those with the fewest booked minutes on the local day of `start` first
    (ties keep the given order)."""
    if len(staff) < 2:
        return list(staff)
    day = start.astimezone(company.zone).date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=company.zone)
    booked = dict(
        AppointmentPhase.objects.filter(
            staff__in=staff,
            blocks_staff=True,
            start_time__gte=midnight,
            start_time__lt=midnight + timedelta(days=1),
        )
        .values("staff")
        .annotate(minutes=Sum("duration_minutes"))
        .values_list("staff", "minutes")
    )
    return sorted(staff, key=lambda member: booked.get(member.id, 0))


def _phase_busy(
    staff_ids: Sequence[Any], window: Interval, now: datetime, exclude: Appointment | None
) -> dict[Any, list[Busy]]:
    # blocks_staff is only ever set on phases of booked or held appointments; of those,
    # only holds that have run out must be left out.
    phases = AppointmentPhase.objects.filter(
        overlapping(window, "start_time", "end_time", LONGEST_APPOINTMENT),
        staff_id__in=staff_ids,
        blocks_staff=True,
    ).exclude(appointment__status=AppointmentStatus.HELD, appointment__hold_expires_at__lte=now)
    if exclude is not None:
        phases = phases.exclude(appointment=exclude)
    # Unordered (the core sorts): the model's default ordering goes through the appointment
    # and would join its table a second time.
    phases = phases.order_by()
    busy: dict[Any, list[Busy]] = defaultdict(list)
    rows = phases.values_list(
        EpochSeconds("start_time"), EpochSeconds("end_time"), "staff_id", "segment_name"
    )
    for start, end, staff_id, name in rows:
        interval = Interval(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
        busy[staff_id].append(Busy(interval, BusyKind.PHASE, name))
    return busy


def _calendar_busy(staff_ids: Sequence[Any], window: Interval) -> dict[Any, list[Busy]]:
    """Absences and external busy blocks, in one round trip."""
    # Unordered: SQLite allows no ORDER BY (the models' default) inside a UNION.
    absences = (
        Absence.objects.filter(overlapping(window), staff_id__in=staff_ids)
        .order_by()
        .values_list("staff_id", "start", "end", "reason", Value(BusyKind.ABSENCE.value))
    )
    blocks = (
        ExternalBusyBlock.objects.filter(overlapping(window), staff_id__in=staff_ids)
        .order_by()
        .values_list("staff_id", "start", "end", Value("Kalender"), Value(BusyKind.EXTERNAL.value))
    )
    busy: dict[Any, list[Busy]] = defaultdict(list)
    for staff_id, start, end, label, kind in absences.union(blocks, all=True):
        busy[staff_id].append(Busy(Interval(start, end), BusyKind(kind), label))
    return busy


def staff_schedules(
    staff: Iterable[Staff],
    service: Service,
    window: Interval,
    now: datetime,
    exclude: Appointment | None = None,
) -> list[StaffSchedule]:
    """Each stylist's hours and busy time overlapping `window`, in the given order."""
    members = list(staff)
    ids = [member.id for member in members]
    phase_busy = _phase_busy(ids, window, now, exclude)
    calendar_busy = _calendar_busy(ids, window)
    qualified = set(
        Staff.services.through.objects.filter(staff_id__in=ids, service=service).values_list(
            "staff_id", flat=True
        )
    )
    return [
        StaffSchedule(
            staff_id=str(member.id),
            name=member.name,
            working_hours=member.weekly_working_hours,
            busy=tuple(phase_busy[member.id] + calendar_busy[member.id]),
            qualified=member.id in qualified and member.is_active,
        )
        for member in members
    ]


def customer_busy(
    customer: Customer | None, window: Interval, now: datetime, exclude: Appointment | None = None
) -> list[Busy]:
    if customer is None or customer.pk is None:
        return []
    appointments = Appointment.objects.filter(
        live_appointments(now), overlapping(window, longest=LONGEST_APPOINTMENT), customer=customer
    )
    if exclude is not None:
        appointments = appointments.exclude(pk=exclude.pk)
    return [
        Busy(Interval(start, end), BusyKind.APPOINTMENT)
        for start, end in appointments.values_list("start", "end")
    ]


def policy_around(company: Company, window: Interval) -> Policy:
    zone = company.zone
    return booking_policy(
        company,
        (window.start - timedelta(days=1)).astimezone(zone).date(),
        (window.end + timedelta(days=1)).astimezone(zone).date(),
    )


@dataclass(frozen=True)
class Situation:
    """Everything the predicate needs around one start."""

    policy: Policy
    staff: list[StaffSchedule]
    customer_busy: list[Busy]


def load_situation(
    company: Company,
    service: Service,
    staff: Iterable[Staff],
    window: Interval,
    now: datetime,
    customer: Customer | None = None,
    exclude: Appointment | None = None,
) -> Situation:
    return Situation(
        policy=policy_around(company, window),
        staff=staff_schedules(staff, service, window, now, exclude),
        customer_busy=customer_busy(customer, window, now, exclude),
    )


def verdict_for(
    company: Company,
    service: Service,
    start: datetime,
    staff: Iterable[Staff],
    now: datetime,
    customer: Customer | None = None,
    exclude: Appointment | None = None,
) -> tuple[Verdict, Situation]:
    """The predicate's verdict for starting `service` at `start` with each of `staff`."""
    # Python adds timedeltas to zoned datetimes in wall-clock time (and drops `fold`):
    # in UTC, minutes are real minutes on clock-change days too.
    start = start.astimezone(UTC)
    window = Interval(start, start + timedelta(minutes=service.duration_minutes))
    situation = load_situation(company, service, staff, window, now, customer, exclude)
    verdict = check_start(
        service.segment_list, start, situation.staff, situation.customer_busy, situation.policy, now
    )
    return verdict, situation


def explain_start(
    company: Company, service: Service, start: datetime, staff: Iterable[Staff], now: datetime
) -> dict[str, Any]:
    members = list(staff)
    verdict, situation = verdict_for(company, service, start, members, now)
    return explain(verdict, situation.policy, {str(member.id): member.name for member in members})


def find_slots(
    company: Company,
    service: Service,
    window: Interval,
    staff: Iterable[Staff],
    now: datetime,
    customer: Customer | None = None,
    exclude: Appointment | None = None,
) -> list[Slot]:
    # Busy time is loaded with one appointment's length of margin on both sides, so
    # appointments that start before the window but reach into it are seen.
    length = timedelta(minutes=service.duration_minutes)
    padded = Interval(window.start - length, window.end + length)
    situation = load_situation(company, service, staff, padded, now, customer, exclude)
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
    customer: Customer | None = None,
    exclude: Appointment | None = None,
    count: int = 3,
) -> list[Slot]:
    """Up to `count` bookable starts closest to `start`, for a "slot taken" answer."""
    window = Interval(start - timedelta(hours=3), start + timedelta(days=7))
    slots = find_slots(company, service, window, staff, now, customer, exclude)
    return sorted(slots, key=lambda slot: (abs(slot.start - start), slot.start))[:count]
