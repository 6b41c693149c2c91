"""Hypothesis: random schedules around the clock changes, held to the invariants.

- every slot the search returns is bookable by THE predicate;
- the search returns a start (with the first bookable stylist) iff check_start allows it;
- booking the returned slots one after another never double-books a stylist or a client;
- the interval arithmetic obeys its laws.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations, pairwise

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from phasebook.scheduling.availability import (
    Busy,
    BusyKind,
    Policy,
    StaffSchedule,
    candidate_starts,
    check_start,
    find_conflicts,
    on_grid,
    search_slots,
)
from phasebook.scheduling.calendar import WeeklyHours, days_between, windows_on
from phasebook.scheduling.intervals import Interval, IntervalIndex, merge, subtract
from phasebook.scheduling.phases import plan_phases
from phasebook.scheduling.segments import Segment
from tests.support.scheduling import BERLIN

PROPERTY = settings(
    max_examples=150,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow],
)
# First days of the searched windows: both clock changes of 2026 and an ordinary week.
FIRST_DAYS = [
    date(2026, 3, 28),
    date(2026, 3, 29),
    date(2026, 10, 24),
    date(2026, 10, 25),
    date(2026, 6, 15),
]
BUSY_KINDS = [BusyKind.PHASE, BusyKind.ABSENCE, BusyKind.EXTERNAL]
FIVE_MINUTES = timedelta(minutes=5)


@dataclass(frozen=True)
class Scenario:
    segments: tuple[Segment, ...]
    staff: tuple[StaffSchedule, ...]
    customer_busy: tuple[Busy, ...]
    policy: Policy
    now: datetime
    window: Interval


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=BERLIN).astimezone(UTC)


@st.composite
def service(draw: st.DrawFn) -> tuple[Segment, ...]:
    count = draw(st.integers(1, 4))
    parts: list[Segment] = []
    for number in range(count):
        if number and draw(st.booleans()):
            minutes = draw(st.integers(1, 12)) * 5
            parts.append(Segment(f"GAP_{number}", "Einwirkzeit", minutes, False))
        parts.append(Segment(f"S{number}", "Phase", draw(st.integers(1, 12)) * 5, True))
    return tuple(parts)


@st.composite
def day_spans(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    """0–2 local spans on quarter hours, sometimes touching, sometimes in the DST hour."""
    quarters = draw(st.lists(st.integers(0, 95), min_size=0, max_size=4, unique=True))
    quarters = sorted(quarters)[: len(quarters) // 2 * 2]
    if len(quarters) == 4 and draw(st.booleans()):
        quarters[2] = quarters[1]  # touching spans, e.g. 09:00–12:00 and 12:00–18:00
    clocks = [time(q // 4, q % 4 * 15) for q in quarters]
    return tuple(zip(clocks[::2], clocks[1::2], strict=True))


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    if draw(st.booleans()):  # often the same hours every day: more slots to check
        spans = draw(day_spans())
        return WeeklyHours((spans,) * 7)
    return WeeklyHours(tuple(draw(day_spans()) for _ in range(7)))


@st.composite
def busy_list(draw: st.DrawFn, start: datetime, kinds: list[BusyKind]) -> tuple[Busy, ...]:
    items = draw(
        st.lists(
            st.tuples(st.integers(-24, 3 * 288), st.integers(0, 36), st.sampled_from(kinds)),
            max_size=6,
        )
    )
    return tuple(
        Busy(
            Interval(start + offset * FIVE_MINUTES, start + (offset + length) * FIVE_MINUTES),
            kind,
            label="Termin",
        )
        for offset, length, kind in items
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    first_day = draw(st.sampled_from(FIRST_DAYS))
    days = draw(st.integers(1, 3))
    last_day = first_day + timedelta(days=days - 1)
    start = local_midnight(first_day)
    window = Interval(start, local_midnight(last_day + timedelta(days=1)))
    staff = tuple(
        StaffSchedule(
            staff_id=f"s{number}",
            name=f"Stylist {number}",
            working_hours=draw(weekly_hours()),
            busy=draw(busy_list(start, BUSY_KINDS)),
            qualified=draw(st.booleans() | st.just(True)),
        )
        for number in range(draw(st.integers(1, 3)))
    )
    policy = Policy(
        zone=BERLIN,
        opening_hours=draw(weekly_hours()),
        closed_dates=frozenset(
            draw(st.lists(st.sampled_from(list(days_between(first_day, last_day))), max_size=1))
        ),
        min_notice=timedelta(minutes=draw(st.integers(0, 12)) * 15),
        horizon=timedelta(hours=draw(st.integers(0, 96))),
        slot_step=timedelta(minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60]))),
    )
    now = start + timedelta(seconds=draw(st.integers(-2 * 86400, 2 * 86400)))
    if draw(st.booleans()):
        now = now.astimezone(BERLIN)  # any zone: notice and horizon are real time
    return Scenario(
        segments=draw(service()),
        staff=staff,
        customer_busy=draw(busy_list(start, [BusyKind.APPOINTMENT])),
        policy=policy,
        now=now,
        window=window,
    )


def search(scenario: Scenario) -> dict[datetime, str]:
    slots = search_slots(
        scenario.segments,
        scenario.staff,
        scenario.customer_busy,
        scenario.policy,
        scenario.now,
        scenario.window,
    )
    starts = [slot.start for slot in slots]
    assert starts == sorted(set(starts)), "slots are sorted and each start appears once"
    return {slot.start: slot.staff_id for slot in slots}


def grid_instants(scenario: Scenario) -> list[datetime]:
    """Every instant of the window on the local slot grid (all grids here are 5-minute based,
    and Berlin's offsets are whole hours)."""
    instants: list[datetime] = []
    instant = scenario.window.start
    while instant < scenario.window.end:
        if on_grid(instant, scenario.policy):
            instants.append(instant)
        instant += FIVE_MINUTES
    return instants


@PROPERTY
@given(scenarios())
def test_every_slot_the_search_returns_is_bookable(scenario: Scenario) -> None:
    staff_by_id = {schedule.staff_id: schedule for schedule in scenario.staff}
    for slot in search_slots(
        scenario.segments,
        scenario.staff,
        scenario.customer_busy,
        scenario.policy,
        scenario.now,
        scenario.window,
    ):
        phases = plan_phases(scenario.segments, slot.start)
        assert slot.end == phases[-1].interval.end
        assert scenario.window.start <= slot.start < scenario.window.end
        assert (
            find_conflicts(
                phases,
                staff_by_id[slot.staff_id],
                scenario.customer_busy,
                scenario.policy,
                scenario.now,
            )
            == []
        )


@PROPERTY
@given(scenarios())
def test_explain_agrees_with_search_on_every_grid_instant(scenario: Scenario) -> None:
    found = search(scenario)
    for start in grid_instants(scenario):
        verdict = check_start(
            scenario.segments,
            start,
            scenario.staff,
            scenario.customer_busy,
            scenario.policy,
            scenario.now,
        )
        assert (start in found) == verdict.possible, start
        if verdict.possible:
            assert found[start] == verdict.bookable_staff[0], "the first bookable stylist"


@PROPERTY
@given(scenarios())
def test_candidate_starts_are_the_grid_instants_inside_opening_hours(scenario: Scenario) -> None:
    policy = scenario.policy
    first = scenario.window.start.astimezone(BERLIN).date()
    last = (scenario.window.end - FIVE_MINUTES).astimezone(BERLIN).date()
    open_windows = [
        window
        for day in days_between(first, last)
        if day not in policy.closed_dates
        for window in windows_on(policy.opening_hours, day, BERLIN)
    ]
    expected = [
        instant
        for instant in grid_instants(scenario)
        if any(window.start <= instant < window.end for window in open_windows)
    ]

    assert candidate_starts(policy, first, last) == expected


@PROPERTY
@given(scenarios(), st.data())
def test_booking_the_returned_slots_keeps_every_stylist_single_booked(
    scenario: Scenario, data: st.DataObject
) -> None:
    booked: dict[str, list[Interval]] = {schedule.staff_id: [] for schedule in scenario.staff}
    customer_appointments: list[Interval] = []
    for _ in range(6):
        found = search(scenario)
        if not found:
            break
        start = data.draw(st.sampled_from(sorted(found)))
        staff_id = found[start]
        phases = plan_phases(scenario.segments, start)
        whole = Interval(start, phases[-1].interval.end)
        new_busy = tuple(Busy(p.interval, BusyKind.PHASE) for p in phases if p.staff_required)
        scenario = replace(
            scenario,
            staff=tuple(
                replace(schedule, busy=schedule.busy + new_busy)
                if schedule.staff_id == staff_id
                else schedule
                for schedule in scenario.staff
            ),
        )
        booked[staff_id].extend(busy.interval for busy in new_busy)
        if data.draw(st.booleans(), label="same customer"):
            customer_appointments.append(whole)
            scenario = replace(
                scenario,
                customer_busy=(*scenario.customer_busy, Busy(whole, BusyKind.APPOINTMENT)),
            )
    for schedule in scenario.staff:
        original = [
            busy.interval
            for busy in schedule.busy[: len(schedule.busy) - len(booked[schedule.staff_id])]
        ]
        mine = booked[schedule.staff_id]
        assert not any(a.overlaps(b) for a, b in combinations(mine, 2))
        assert not any(a.overlaps(b) for a in mine for b in original)
    assert not any(a.overlaps(b) for a, b in combinations(customer_appointments, 2))


# --- interval arithmetic -------------------------------------------------------------------

BASE = datetime(2026, 3, 29, tzinfo=UTC)
intervals = st.builds(
    lambda start, length: Interval(
        BASE + timedelta(minutes=start), BASE + timedelta(minutes=start + length)
    ),
    st.integers(0, 60),
    st.integers(0, 15),
)


def minutes_covered(items: list[Interval]) -> set[int]:
    """The one-minute cells [m, m + 1) covered; exact, since all ends are whole minutes."""
    return {
        minute
        for item in items
        for minute in range(
            int((item.start - BASE).total_seconds() // 60),
            int((item.end - BASE).total_seconds() // 60),
        )
    }


@settings(max_examples=200)
@given(st.lists(intervals, max_size=10))
def test_merge_is_sorted_disjoint_and_covers_the_same_instants(items: list[Interval]) -> None:
    merged = merge(items)

    assert all(item.start < item.end for item in merged)
    assert all(a.end < b.start for a, b in pairwise(merged))
    assert minutes_covered(merged) == minutes_covered(items)


@settings(max_examples=200)
@given(st.lists(intervals, max_size=8), st.lists(intervals, max_size=8))
@example(  # an empty hole overlapped the part it left intact
    base=[Interval(BASE, BASE + timedelta(minutes=2))],
    holes=[Interval(BASE + timedelta(minutes=1), BASE + timedelta(minutes=1))],
)
def test_subtract_leaves_what_the_holes_do_not_cover(
    base: list[Interval], holes: list[Interval]
) -> None:
    rest = subtract(base, holes)

    assert not any(part.overlaps(hole) for part in rest for hole in holes)
    assert all(any(item.contains(part) for item in merge(base)) for part in rest)
    assert all(a.end < b.start for a, b in pairwise(rest))
    assert minutes_covered(rest) == minutes_covered(base) - minutes_covered(holes)


@settings(max_examples=200)
@given(st.lists(intervals, max_size=12), intervals)
def test_the_index_finds_exactly_what_a_scan_finds(items: list[Interval], probe: Interval) -> None:
    index = IntervalIndex((item, number) for number, item in enumerate(items))
    brute_force = sorted(
        ((item, number) for number, item in enumerate(items) if item.overlaps(probe)),
        key=lambda pair: (pair[0].start, pair[0].end, pair[1]),
    )

    assert (
        sorted(index.overlapping(probe), key=lambda pair: (pair[0].start, pair[0].end, pair[1]))
        == brute_force
    )
