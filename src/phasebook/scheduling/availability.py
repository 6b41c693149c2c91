"""THE availability predicate, and the slot search built on the same rules.

Rules (all intervals half-open, so back-to-back is fine):
- the start respects the minimum notice, the booking horizon and the slot grid (a
  handover to a colleague at the same times is not asked for notice: `handover_policy`);
- the client occupies the whole appointment, which lies inside one opening window of
  an open day and overlaps none of the client's other appointments;
- the stylist performs the service, and each staff-required phase lies inside the
  stylist's working hours and overlaps no other staff-required phase, absence or
  external busy block of that stylist. Processing gaps are free for the stylist in
  both directions: they neither block nor are blocked.

`find_conflicts` is the single predicate used by checking, explaining and booking.
`search_slots` computes admissible start ranges with interval arithmetic instead of
testing every candidate, and the property tests hold it to the predicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from phasebook.scheduling.calendar import (
    WeeklyHours,
    days_between,
    local_instants,
    local_windows,
    windows_on,
)
from phasebook.scheduling.intervals import (
    Interval,
    IntervalIndex,
    StartRange,
    intersect_ranges,
    merge,
    range_contains,
    starts_fitting,
    subtract,
)
from phasebook.scheduling.phases import PlannedPhase, plan_phases, staff_offsets
from phasebook.scheduling.segments import Segment, total_minutes


class Rule(StrEnum):
    TOO_SOON = "too_soon"
    BEYOND_HORIZON = "beyond_horizon"
    OFF_GRID = "off_grid"
    SALON_CLOSED = "salon_closed"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    CUSTOMER_BUSY = "customer_busy"
    STAFF_NOT_QUALIFIED = "staff_not_qualified"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    STAFF_BUSY = "staff_busy"
    STAFF_ABSENT = "staff_absent"
    EXTERNAL_BUSY = "external_busy"


class BusyKind(StrEnum):
    PHASE = "phase"  # a staff-required phase of another live appointment
    ABSENCE = "absence"  # holiday, sick day, training
    EXTERNAL = "external"  # a block in the stylist's Cal.com calendar we did not create
    APPOINTMENT = "appointment"  # one of the client's other appointments


_RULE_FOR_BUSY = {
    BusyKind.PHASE: Rule.STAFF_BUSY,
    BusyKind.ABSENCE: Rule.STAFF_ABSENT,
    BusyKind.EXTERNAL: Rule.EXTERNAL_BUSY,
    BusyKind.APPOINTMENT: Rule.CUSTOMER_BUSY,
}


@dataclass(frozen=True, slots=True)
class Busy:
    interval: Interval
    kind: BusyKind
    label: str = ""  # what blocks, for explanations, e.g. "Formschnitt"; never personal data


@dataclass(frozen=True, slots=True)
class Policy:
    """A company's booking rules."""

    zone: ZoneInfo
    opening_hours: WeeklyHours
    closed_dates: frozenset[date]
    min_notice: timedelta
    horizon: timedelta
    slot_step: timedelta


def handover_policy(policy: Policy) -> Policy:
    """The rules for the salon handing an appointment to a colleague at its own times (its
    stylist is absent). The client booked that start with notice and keeps it, so the
    minimum notice is not asked again; zero notice still refuses a start in the past."""
    return replace(policy, min_notice=timedelta(0))


@dataclass(frozen=True)
class StaffSchedule:
    staff_id: str
    name: str
    working_hours: WeeklyHours
    busy: tuple[Busy, ...] = ()
    qualified: bool = True

    @cached_property
    def busy_index(self) -> IntervalIndex:
        return IntervalIndex((item.interval, item) for item in self.busy)


@dataclass(frozen=True, slots=True)
class Conflict:
    """One reason why a start is not possible."""

    rule: Rule
    staff_id: str | None = None
    phase: PlannedPhase | None = None
    blocking: Busy | None = None
    window: Interval | None = None  # the opening/working window that was missed, if any


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    staff_id: str


@dataclass(frozen=True)
class Verdict:
    """The result of checking one start for a set of stylists."""

    phases: tuple[PlannedPhase, ...]
    salon_conflicts: tuple[Conflict, ...]
    staff_conflicts: dict[str, tuple[Conflict, ...]] = field(default_factory=dict)

    @property
    def bookable_staff(self) -> list[str]:
        if self.salon_conflicts:
            return []
        return [staff_id for staff_id, conflicts in self.staff_conflicts.items() if not conflicts]

    @property
    def possible(self) -> bool:
        return bool(self.bookable_staff)


def check_start(
    segments: Sequence[Segment],
    start: datetime,
    staff: Sequence[StaffSchedule],
    customer_busy: Sequence[Busy],
    policy: Policy,
    now: datetime,
) -> Verdict:
    """Every conflict of starting `segments` at `start`, for each stylist in `staff`."""
    phases = plan_phases(segments, start)
    return Verdict(
        phases=phases,
        salon_conflicts=tuple(salon_conflicts(phases, customer_busy, policy, now)),
        staff_conflicts={
            schedule.staff_id: tuple(staff_conflicts(phases, schedule, policy))
            for schedule in staff
        },
    )


def find_conflicts(
    phases: Sequence[PlannedPhase],
    staff: StaffSchedule,
    customer_busy: Sequence[Busy],
    policy: Policy,
    now: datetime,
) -> list[Conflict]:
    """The availability predicate: empty means these phases may be booked for this stylist."""
    return salon_conflicts(phases, customer_busy, policy, now) + staff_conflicts(
        phases, staff, policy
    )


def salon_conflicts(
    phases: Sequence[PlannedPhase], customer_busy: Sequence[Busy], policy: Policy, now: datetime
) -> list[Conflict]:
    whole = Interval(phases[0].interval.start, phases[-1].interval.end)
    now = now.astimezone(UTC)  # real minutes of notice, not wall-clock ones
    conflicts: list[Conflict] = []
    if whole.start < now + policy.min_notice:
        conflicts.append(Conflict(Rule.TOO_SOON))
    if whole.start > now + policy.horizon:
        conflicts.append(Conflict(Rule.BEYOND_HORIZON))
    if not on_grid(whole.start, policy):
        conflicts.append(Conflict(Rule.OFF_GRID))
    conflicts.extend(_opening_conflicts(whole, policy))
    conflicts.extend(
        Conflict(Rule.CUSTOMER_BUSY, blocking=busy)
        for busy in customer_busy
        if busy.interval.overlaps(whole)
    )
    return conflicts


def _opening_conflicts(whole: Interval, policy: Policy) -> list[Conflict]:
    first_day = whole.start.astimezone(policy.zone).date()
    last_day = whole.end.astimezone(policy.zone).date()
    days = list(days_between(first_day, last_day))
    if any(day in policy.closed_dates or not policy.opening_hours.on(day) for day in days):
        return [Conflict(Rule.SALON_CLOSED)]
    # Touching spans (09:00–12:00, 12:00–18:00) are one stretch of opening hours.
    windows = merge(
        window for day in days for window in windows_on(policy.opening_hours, day, policy.zone)
    )
    if any(window.contains(whole) for window in windows):
        return []
    return [Conflict(Rule.OUTSIDE_OPENING_HOURS, window=_nearest(windows, whole))]


def staff_conflicts(
    phases: Sequence[PlannedPhase], staff: StaffSchedule, policy: Policy
) -> list[Conflict]:
    if not staff.qualified:
        return [Conflict(Rule.STAFF_NOT_QUALIFIED, staff_id=staff.staff_id)]
    conflicts: list[Conflict] = []
    for phase in phases:
        if not phase.staff_required:
            continue
        conflicts.extend(_working_hours_conflicts(phase, staff, policy))
        conflicts.extend(
            Conflict(_RULE_FOR_BUSY[busy.kind], staff_id=staff.staff_id, phase=phase, blocking=busy)
            for _, busy in _overlapping_busy(staff, phase.interval)
        )
    return conflicts


def _overlapping_busy(staff: StaffSchedule, interval: Interval) -> list[tuple[Interval, Busy]]:
    return [
        (found, busy)
        for found, busy in staff.busy_index.overlapping(interval)
        if isinstance(busy, Busy)
    ]


def _working_hours_conflicts(
    phase: PlannedPhase, staff: StaffSchedule, policy: Policy
) -> list[Conflict]:
    first_day = phase.interval.start.astimezone(policy.zone).date()
    last_day = phase.interval.end.astimezone(policy.zone).date()
    # Touching spans are one stretch of work, as they are for the search's free time.
    windows = merge(local_windows(staff.working_hours, policy.zone, first_day, last_day))
    if any(window.contains(phase.interval) for window in windows):
        return []
    return [
        Conflict(
            Rule.OUTSIDE_WORKING_HOURS,
            staff_id=staff.staff_id,
            phase=phase,
            window=_nearest(windows, phase.interval),
        )
    ]


def _nearest(windows: Sequence[Interval], interval: Interval) -> Interval | None:
    """The window an explanation should name: one that overlaps, else the day's first."""
    overlapping = [window for window in windows if window.overlaps(interval)]
    candidates = overlapping or list(windows)
    return candidates[0] if candidates else None


def on_grid(start: datetime, policy: Policy) -> bool:
    local = start.astimezone(policy.zone)
    step_seconds = int(policy.slot_step.total_seconds())
    seconds_of_day = local.hour * 3600 + local.minute * 60 + local.second
    return local.microsecond == 0 and seconds_of_day % step_seconds == 0


def candidate_starts(policy: Policy, first_day: date, last_day: date) -> list[datetime]:
    """Grid instants inside opening hours on open days, in local wall-clock steps, sorted.

    Exactly the instants `on_grid` accepts inside an opening window: a wall-clock time in
    the hour skipped when clocks go forward yields none, one in the hour repeated when they
    go back yields both of its instants if both lie inside the window.
    """
    step = int(policy.slot_step.total_seconds())
    starts: list[datetime] = []
    for day in days_between(first_day, last_day):
        if day in policy.closed_dates:
            continue
        spans = policy.opening_hours.on(day)
        for (opening, closing), window in zip(
            spans, windows_on(policy.opening_hours, day, policy.zone), strict=True
        ):
            low, high = _wall_seconds(day, opening, closing, window)
            starts.extend(
                _grid_instants(day, range(-(-low // step) * step, high, step), window, policy.zone)
            )
    return sorted(starts)


def _wall_time(second: int) -> time:
    return time(second // 3600, second // 60 % 60, second % 60)


def _grid_instants(day: date, grid: range, window: Interval, zone: ZoneInfo) -> list[datetime]:
    """The instants of the wall-clock seconds `grid` of `day` that lie in `window`."""
    if not grid:
        return []
    first = local_instants(day, _wall_time(grid.start), zone)
    if len(first) == 1 and _no_clock_change(first[0], window.end, zone):
        # One conversion, then arithmetic: wall clock and UTC advance together.
        instants = [first[0] + timedelta(seconds=second - grid.start) for second in grid]
    else:
        instants = [
            instant for second in grid for instant in local_instants(day, _wall_time(second), zone)
        ]
    return [instant for instant in instants if window.start <= instant < window.end]


def _no_clock_change(start: datetime, end: datetime, zone: ZoneInfo) -> bool:
    # Clocks change at most once a day, so equal offsets at both ends mean no change between.
    return start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset()


def _wall_seconds(day: date, opening: time, closing: time, window: Interval) -> tuple[int, int]:
    """The seconds of the day whose wall-clock times may show an instant of `window`.

    Usually opening to closing time. If the clocks change inside the window, the whole day:
    when they go back, the second instants of the repeated hour can lie in the window even
    though their wall-clock time is before the opening time.
    """
    if window.duration == datetime.combine(day, closing) - datetime.combine(day, opening):
        return _seconds_of_day(opening), _seconds_of_day(closing)
    return 0, 24 * 3600


def _seconds_of_day(wall_time: time) -> int:
    return wall_time.hour * 3600 + wall_time.minute * 60 + wall_time.second


def search_slots(
    segments: Sequence[Segment],
    staff: Sequence[StaffSchedule],
    customer_busy: Sequence[Busy],
    policy: Policy,
    now: datetime,
    window: Interval,
) -> list[Slot]:
    """Bookable starts in `window`, each with the first stylist of `staff` (in the given
    order) who can take it.

    Steps:
    1. admissible start ranges for the client: opening windows long enough for the whole
       appointment, minus the client's other appointments;
    2. per stylist, the free time (working hours minus busy) and, per staff-required
       phase, the starts that put the phase inside free time; intersect all of them;
    3. walk the grid instants of the window and pick the first stylist whose ranges
       contain the instant.
    """
    length = timedelta(minutes=total_minutes(segments))
    now = now.astimezone(UTC)  # real minutes of notice and horizon, not wall-clock ones
    earliest = max(window.start, now + policy.min_notice)
    latest = min(window.end - timedelta(microseconds=1), now + policy.horizon)
    if earliest > latest:
        return []
    first_day = earliest.astimezone(policy.zone).date()
    last_day = latest.astimezone(policy.zone).date()
    client = _client_ranges(policy, customer_busy, length, first_day, last_day)
    staff_ranges = [
        (schedule.staff_id, _staff_ranges(segments, schedule, policy, client, first_day, last_day))
        for schedule in staff
        if schedule.qualified
    ]
    lows = {staff_id: [item.low for item in ranges] for staff_id, ranges in staff_ranges}
    slots: list[Slot] = []
    for start in candidate_starts(policy, first_day, last_day):
        if not earliest <= start <= latest:
            continue
        for staff_id, ranges in staff_ranges:
            if range_contains(ranges, start, lows[staff_id]):
                slots.append(Slot(start, start + length, staff_id))
                break
    return slots


def _client_ranges(
    policy: Policy,
    customer_busy: Sequence[Busy],
    length: timedelta,
    first_day: date,
    last_day: date,
) -> list[StartRange]:
    # Whole-day padding: an appointment may run past midnight into an open next day.
    opening = local_windows(
        policy.opening_hours,
        policy.zone,
        first_day,
        last_day + timedelta(days=1),
        policy.closed_dates,
    )
    ranges = starts_fitting(merge(opening), timedelta(), length)
    for busy in merge(item.interval for item in customer_busy):
        # Starts in (busy.start - length, busy.end) would overlap this appointment.
        ranges = _remove_open(ranges, busy.start - length, busy.end)
    return ranges


def _remove_open(ranges: list[StartRange], low: datetime, high: datetime) -> list[StartRange]:
    kept: list[StartRange] = []
    for item in ranges:
        if item.high <= low or item.low >= high:
            kept.append(item)
            continue
        if item.low <= low:
            kept.append(StartRange(item.low, low))
        if high <= item.high:
            kept.append(StartRange(high, item.high))
    return kept


def _staff_ranges(
    segments: Sequence[Segment],
    schedule: StaffSchedule,
    policy: Policy,
    client: list[StartRange],
    first_day: date,
    last_day: date,
) -> list[StartRange]:
    working = local_windows(
        schedule.working_hours, policy.zone, first_day, last_day + timedelta(days=1)
    )
    free = subtract(working, (busy.interval for busy in schedule.busy))
    ranges = client
    for _, offset, length in staff_offsets(segments):
        ranges = intersect_ranges(ranges, starts_fitting(free, offset, length))
    return ranges
