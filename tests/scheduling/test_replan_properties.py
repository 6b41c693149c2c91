"""Hypothesis: random salons and absences, and the re-plan held to its promises.

- the plan covers exactly the appointments the absence breaks;
- replayed in the plan's order, every move is bookable by THE predicate at its turn: a
  handover at the same times without the minimum notice (as the booking path's handover),
  a new time with it; no move ever starts in the past;
- afterwards no stylist has two overlapping staff-required phases and no customer two
  overlapping appointments;
- an appointment gets another time, a release or a call only if no colleague is free
  for all its phases at its times (even with every same-time move of the plan made).

The checks keep their own record of the salon; they share nothing with the planner but
the predicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phasebook.scheduling.availability import (
    Busy,
    BusyKind,
    Policy,
    StaffSchedule,
    check_start,
    find_conflicts,
    handover_policy,
)
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import PlannedPhase, plan_phases
from phasebook.scheduling.replan import (
    AbsencePeriod,
    Action,
    LiveAppointment,
    Replan,
    SalonState,
    Stylist,
    replan,
)
from phasebook.scheduling.segments import Segment
from tests.support.scheduling import BERLIN, hours

PROPERTY = settings(
    max_examples=120,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# An ordinary Monday and both clock changes of 2026 (the salon opens every day here).
DAYS = [date(2026, 6, 15), date(2026, 3, 29), date(2026, 10, 25)]
OPENING = hours([("08:00", "20:00")])
SHIFTS = [
    hours([("08:00", "18:00")]),
    hours([("09:00", "14:00")]),
    hours([("12:00", "20:00")]),
    hours([("08:00", "12:00"), ("13:00", "20:00")]),
]
QUARTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Salon:
    state: SalonState
    absence: AbsencePeriod
    search_days: int


def local(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=BERLIN).astimezone(UTC) + timedelta(minutes=minutes)


@st.composite
def services(draw: st.DrawFn) -> tuple[Segment, ...]:
    parts: list[Segment] = [Segment("A", "Auftragen", draw(st.integers(1, 8)) * 5, True)]
    for number in range(draw(st.integers(0, 2))):
        if draw(st.booleans()):
            parts.append(
                Segment(f"GAP_{number}", "Einwirkzeit", draw(st.integers(2, 9)) * 5, False)
            )
        parts.append(Segment(f"S{number}", "Schnitt", draw(st.integers(1, 8)) * 5, True))
    return tuple(parts)


def staff_phases(phases: Iterable[PlannedPhase]) -> list[Interval]:
    return [phase.interval for phase in phases if phase.staff_required]


def whole(phases: tuple[PlannedPhase, ...]) -> Interval:
    return Interval(phases[0].interval.start, phases[-1].interval.end)


@st.composite
def salons(draw: st.DrawFn) -> Salon:
    day = draw(st.sampled_from(DAYS))
    catalogue = {number: draw(services()) for number in range(1, draw(st.integers(1, 3)) + 1)}
    count = draw(st.integers(2, 4))
    stylists = []
    for number in range(count):
        # Long blocks as well as short ones: free time must be scarce sometimes, so that
        # two broken appointments want the same free time.
        blocks = draw(
            st.lists(
                st.tuples(st.integers(0, 1), st.integers(32, 76), st.integers(1, 24)), max_size=3
            )
        )
        stylists.append(
            Stylist(
                staff_id=f"s{number}",
                name=f"Stylist {number}",
                working_hours=draw(st.sampled_from(SHIFTS)),
                services=frozenset(
                    draw(st.sets(st.sampled_from(sorted(catalogue)), min_size=number == 0))
                ),
                busy=tuple(
                    Busy(
                        Interval(
                            local(day + timedelta(days=offset), quarter * 15),
                            local(day + timedelta(days=offset), quarter * 15 + length * 15),
                        ),
                        BusyKind.EXTERNAL,
                    )
                    for offset, quarter, length in blocks
                ),
            )
        )
    appointments = book_some(draw, day, catalogue, stylists)
    absent = draw(st.sampled_from(stylists[:1] * 3 + stylists))
    # A whole day (a sick day) or part of one, in quarter hours of the local day.
    first, last = draw(
        st.just((0, 96))
        | st.integers(24, 80).flatmap(lambda a: st.tuples(st.just(a), st.integers(a + 1, 96)))
    )
    absence = AbsencePeriod(
        absent.staff_id, Interval(local(day, first * 15), local(day, last * 15))
    )
    now = local(day, draw(st.sampled_from([-12 * 60, *range(8 * 60, 14 * 60, 45)])))
    policy = Policy(
        zone=BERLIN,
        opening_hours=OPENING,
        closed_dates=frozenset(),
        min_notice=timedelta(minutes=draw(st.sampled_from([0, 60]))),
        horizon=timedelta(days=30),
        slot_step=QUARTER,
    )
    state = SalonState(policy, now, tuple(stylists), tuple(appointments))
    return Salon(state, absence, draw(st.integers(1, 2)))


def book_some(
    draw: st.DrawFn, day: date, catalogue: dict[int, tuple[Segment, ...]], stylists: list[Stylist]
) -> list[LiveAppointment]:
    """Appointments on two days, each kept only if it fits (a valid salon to start from)."""
    booked: list[LiveAppointment] = []
    tries = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(catalogue)),
                # mostly the first stylist's, mostly on the day: the one most often absent
                st.sampled_from([0, 0, 0, *range(len(stylists))]),
                st.sampled_from([0, 0, 0, 1]),
                st.integers(32, 76),
                st.integers(0, 3),
                st.booleans(),
            ),
            min_size=4,
            max_size=20,
        )
    )
    for number, (service_id, stylist_number, offset, quarter, customer, held) in enumerate(tries):
        stylist = stylists[stylist_number]
        phases = plan_phases(
            catalogue[service_id], local(day + timedelta(days=offset), quarter * 15)
        )
        candidate = LiveAppointment(
            f"a{number}",
            service_id,
            f"Leistung {service_id}",
            catalogue[service_id],
            stylist.staff_id,
            f"c{customer}",
            phases,
            held=held and customer == 0,
        )
        if service_id in stylist.services and fits(candidate, stylist, booked):
            booked.append(candidate)
    return booked


def fits(candidate: LiveAppointment, stylist: Stylist, booked: list[LiveAppointment]) -> bool:
    mine = staff_phases(candidate.phases)
    taken = [busy.interval for busy in stylist.busy] + [
        interval
        for other in booked
        if other.staff_id == stylist.staff_id
        for interval in staff_phases(other.phases)
    ]
    customer = [
        whole(other.phases) for other in booked if other.customer_id == candidate.customer_id
    ]
    return not any(a.overlaps(b) for a in mine for b in taken) and not any(
        whole(candidate.phases).overlaps(other) for other in customer
    )


class Ledger:
    """The test's own record of where every appointment is."""

    def __init__(self, salon: Salon) -> None:
        self.salon = salon
        self.stylists = {stylist.staff_id: stylist for stylist in salon.state.stylists}
        self.places = {a.appointment_id: (a.staff_id, a.phases) for a in salon.state.appointments}
        self.appointments = {a.appointment_id: a for a in salon.state.appointments}

    def fixed(self, staff_id: str) -> list[Busy]:
        absence = self.salon.absence
        extra = [Busy(absence.interval, BusyKind.ABSENCE)] if staff_id == absence.staff_id else []
        return [*self.stylists[staff_id].busy, *extra]

    def schedule(self, staff_id: str, moving: LiveAppointment) -> StaffSchedule:
        stylist = self.stylists[staff_id]
        phases = [
            Busy(interval, BusyKind.PHASE)
            for other, (place, placed) in self.places.items()
            if place == staff_id and other != moving.appointment_id
            for interval in staff_phases(placed)
        ]
        return StaffSchedule(
            staff_id,
            stylist.name,
            stylist.working_hours,
            busy=(*self.fixed(staff_id), *phases),
            qualified=moving.service_id in stylist.services,
        )

    def customer_busy(self, moving: LiveAppointment) -> list[Busy]:
        return [
            Busy(whole(placed), BusyKind.APPOINTMENT)
            for other, (_, placed) in self.places.items()
            if other != moving.appointment_id
            and self.appointments[other].customer_id == moving.customer_id
        ]


def plan_of(salon: Salon) -> Replan:
    return replan(salon.state, salon.absence, salon.search_days)


@PROPERTY
@given(salons())
def test_the_plan_covers_exactly_the_broken_appointments(salon: Salon) -> None:
    absence = salon.absence
    broken = {
        a.appointment_id
        for a in salon.state.appointments
        if a.staff_id == absence.staff_id
        and any(interval.overlaps(absence.interval) for interval in staff_phases(a.phases))
    }
    plan = plan_of(salon)

    assert sorted(entry.appointment.appointment_id for entry in plan.entries) == sorted(broken)
    for entry in plan.entries:
        assert (entry.action is Action.LEAVE) == (entry.appointment.start < salon.state.now)
        assert (entry.move is not None) == (entry.action in (Action.SAME_TIME, Action.NEW_TIME))
        assert entry.explanation


@PROPERTY
@given(salons())
def test_every_move_is_bookable_in_turn_and_nothing_collides_afterwards(salon: Salon) -> None:
    ledger = Ledger(salon)
    state = salon.state
    for entry in plan_of(salon).entries:
        if entry.move is None:
            continue
        moving = entry.appointment
        handover = entry.action is Action.SAME_TIME
        conflicts = find_conflicts(
            entry.move.phases,
            ledger.schedule(entry.move.staff_id, moving),
            ledger.customer_busy(moving),
            handover_policy(state.policy) if handover else state.policy,
            state.now,
        )
        assert conflicts == [], entry
        assert entry.move.start >= state.now, entry
        if handover:
            assert entry.move.start == moving.start
            assert entry.move.staff_id != moving.staff_id
        else:
            assert not moving.held
        ledger.places[moving.appointment_id] = (entry.move.staff_id, entry.move.phases)

    placed = list(ledger.places.items())
    for (first, (staff_a, phases_a)), (second, (staff_b, phases_b)) in combinations(placed, 2):
        if staff_a == staff_b:
            assert not any(
                a.overlaps(b) for a in staff_phases(phases_a) for b in staff_phases(phases_b)
            ), (first, second)
        if ledger.appointments[first].customer_id == ledger.appointments[second].customer_id:
            assert not whole(phases_a).overlaps(whole(phases_b)), (first, second)


@PROPERTY
@given(salons())
def test_a_colleague_at_the_same_times_is_chosen_whenever_one_is_free(salon: Salon) -> None:
    plan = plan_of(salon)
    ledger = Ledger(salon)
    for entry in plan.entries:
        if entry.action is Action.SAME_TIME and entry.move is not None:
            moved = entry.appointment.appointment_id
            ledger.places[moved] = (entry.move.staff_id, entry.move.phases)
    for entry in plan.entries:
        if entry.action not in (Action.NEW_TIME, Action.CALL, Action.RELEASE_HOLD):
            continue
        moving = entry.appointment
        colleagues = [
            ledger.schedule(staff_id, moving)
            for staff_id in ledger.stylists
            if staff_id != moving.staff_id
        ]
        verdict = check_start(
            moving.segments,
            moving.start,
            colleagues,
            ledger.customer_busy(moving),
            handover_policy(salon.state.policy),
            salon.state.now,
        )
        assert not verdict.possible, entry
