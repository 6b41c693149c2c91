"""A stylist's absence: what it breaks, and a re-plan that keeps the clients' times.

`replan(state, absence)` takes the salon as plain values and decides, for each appointment
the absence breaks, one repair with its reasons as German `Sentence`s:

1. impact: the live appointments of the absent stylist with a staff-required phase that
   the absence hits (the predicate's STAFF_ABSENT conflicts against the absence alone);
2. the same times with another stylist, so that the client notices nothing: the most
   constrained appointments first (fewest free colleagues, then by start), each given to
   the least busy colleague whom the predicate lets take every phase at its times. The
   minimum notice is not asked of such a handover (`handover_policy`, as the booking
   path's handover does), so a sick call at 07:30 still hands over the 08:00 client; a
   new time respects it, and nothing is ever moved into the past;
3. new times for the rest, by start: on the first day with a bookable start (the
   appointment's own day first, then the following days), the one nearest to the old time
   of day; at equal distance the earlier one, the same stylist, then the least busy. A
   hold is not moved to another time (the caller on the phone agreed to that time): it
   keeps it or is released;
4. nothing fits within `search_days`: the client is called. An appointment that has begun
   is left as it is, for a person to decide.
Every decision is applied to a working copy of the salon (`_Board`) before the next one is
made, so no two moves collide, and the plan lists them in that order, which is the order
to apply them in: a move may use the time an earlier one set free.
Availability is always THE predicate (`check_start`, `find_conflicts`); the slot search
only proposes the starts the predicate then confirms.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from phasebook.scheduling.availability import (
    Busy,
    BusyKind,
    Policy,
    Rule,
    Slot,
    StaffSchedule,
    Verdict,
    check_start,
    find_conflicts,
    handover_policy,
    search_slots,
    staff_conflicts,
)
from phasebook.scheduling.calendar import WeeklyHours
from phasebook.scheduling.explain import (
    Sentence,
    clock_text,
    describe,
    gettext_noop,
    span_text,
)
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import PlannedPhase, plan_phases
from phasebook.scheduling.segments import Segment

# How many days after an appointment's own day the plan looks for a new time.
SEARCH_DAYS = 14
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Stylist:
    staff_id: str
    name: str
    working_hours: WeeklyHours
    services: frozenset[int]  # the services they perform (none, if inactive)
    # What blocks them apart from the state's `appointments`: absences, external blocks,
    # the staff-required phases of every other live appointment.
    busy: tuple[Busy, ...] = ()


@dataclass(frozen=True)
class LiveAppointment:
    """A booked or held appointment, as booked."""

    appointment_id: str
    service_id: int
    service_name: str
    segments: tuple[Segment, ...]  # the service's: a moved appointment is laid out anew
    staff_id: str
    customer_id: str  # who the client is: equal for the appointments of one person
    phases: tuple[PlannedPhase, ...]
    held: bool = False

    @property
    def start(self) -> datetime:
        return self.phases[0].interval.start


@dataclass(frozen=True)
class SalonState:
    """The salon around an absence. Only `appointments` can be moved; everything else
    that blocks a stylist or a customer is in `Stylist.busy` and `customer_busy`."""

    policy: Policy
    now: datetime
    stylists: tuple[Stylist, ...]
    appointments: tuple[LiveAppointment, ...]
    # Per customer id, their live appointments that are not among `appointments`.
    customer_busy: Mapping[str, tuple[Busy, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class AbsencePeriod:
    staff_id: str
    interval: Interval
    reason: str = ""


class Action(StrEnum):
    SAME_TIME = "same_time"  # another stylist, the same times
    NEW_TIME = "new_time"  # another time, the same or another stylist
    CALL = "call"  # nothing fits: someone talks to the client
    RELEASE_HOLD = "release_hold"  # a hold nobody else can take at its time
    LEAVE = "leave"  # begun already: for a person to decide


@dataclass(frozen=True, slots=True)
class Move:
    staff_id: str
    phases: tuple[PlannedPhase, ...]

    @property
    def start(self) -> datetime:
        return self.phases[0].interval.start

    @property
    def interval(self) -> Interval:
        return Interval(self.phases[0].interval.start, self.phases[-1].interval.end)


@dataclass(frozen=True)
class Broken:
    """An appointment the absence breaks, and its phases that fall into the absence."""

    appointment: LiveAppointment
    collisions: tuple[PlannedPhase, ...]


@dataclass(frozen=True)
class PlanEntry:
    appointment: LiveAppointment
    collisions: tuple[PlannedPhase, ...]
    action: Action
    move: Move | None = None
    explanation: tuple[Sentence, ...] = ()  # why, and what is done
    details: tuple[Sentence, ...] = ()  # each colleague's first conflict at the old times


@dataclass(frozen=True)
class Replan:
    absence: AbsencePeriod
    entries: tuple[PlanEntry, ...]  # in the order their moves are to be applied


# Whole sentences, one per case, so that a translation can order the parts as it needs.
TAKES_OVER_ONE = gettext_noop("%(staff)s übernimmt den Termin.")
TAKES_OVER_BOTH = gettext_noop("%(staff)s übernimmt beide Phasen.")
TAKES_OVER_ALL = gettext_noop("%(staff)s übernimmt alle %(count)s Phasen.")
NUMBER_WORDS = {
    3: gettext_noop("drei"),
    4: gettext_noop("vier"),
    5: gettext_noop("fünf"),
    6: gettext_noop("sechs"),
    7: gettext_noop("sieben"),
    8: gettext_noop("acht"),
    9: gettext_noop("neun"),
    10: gettext_noop("zehn"),
}
NOBODY_ELSE_OFFERS = gettext_noop("Niemand sonst bietet „%(service)s“ an.")
NOBODY_FREE_FOR_PHASE = gettext_noop(
    "Kein:e Kolleg:in frei für Phase %(key)s „%(phase)s“ %(span)s."
)
NOBODY_FREE_FOR_ALL = gettext_noop("Kein:e Kolleg:in ist für alle Phasen frei.")
NOBODY_FREE_AT = gettext_noop("Kein:e Kolleg:in ist %(span)s frei.")
MOVED = gettext_noop("Neuer Termin am %(day)s.%(month)s.%(year)s um %(time)s bei %(staff)s.")
NO_TIME = gettext_noop(
    "Bis zum %(day)s.%(month)s.%(year)s ist kein Termin frei: bitte mit der Kundin oder "
    "dem Kunden sprechen."
)
HOLD_RELEASED = gettext_noop(
    "Die Reservierung wird freigegeben: eine andere Zeit wurde nicht vereinbart."
)
BEGUN = gettext_noop("Der Termin hat bereits begonnen: bitte selbst entscheiden.")


def impact(state: SalonState, absence: AbsencePeriod) -> list[Broken]:
    """The absent stylist's live appointments that the absence breaks, by start."""
    stylist = _stylist(state, absence.staff_id)
    absence_alone = StaffSchedule(
        stylist.staff_id, stylist.name, stylist.working_hours, busy=(_absence_busy(absence),)
    )
    broken: list[Broken] = []
    for appointment in sorted(state.appointments, key=_by_start):
        if appointment.staff_id != absence.staff_id:
            continue
        collisions = tuple(
            conflict.phase
            for conflict in staff_conflicts(appointment.phases, absence_alone, state.policy)
            if conflict.rule is Rule.STAFF_ABSENT and conflict.phase is not None
        )
        if collisions:
            broken.append(Broken(appointment, collisions))
    return broken


def replan(state: SalonState, absence: AbsencePeriod, search_days: int = SEARCH_DAYS) -> Replan:
    """The impact of `absence` and one repair per broken appointment (see the module)."""
    board = _Board(state, absence)
    broken = impact(state, absence)
    begun = [item for item in broken if item.appointment.start < state.now]
    open_items = [item for item in broken if item.appointment.start >= state.now]
    same_time, rest = _plan_same_times(board, open_items)
    later = [_plan_rest(board, item, search_days) for item in rest]
    left = [
        PlanEntry(item.appointment, item.collisions, Action.LEAVE, explanation=(_s(BEGUN),))
        for item in begun
    ]
    return Replan(
        absence,
        (*same_time, *sorted([*later, *left], key=lambda entry: _by_start(entry.appointment))),
    )


def _plan_same_times(
    board: _Board, items: Sequence[Broken]
) -> tuple[list[PlanEntry], list[tuple[Broken, Verdict]]]:
    """Step 2: the same times with a colleague, most constrained first. Returns the
    entries made and, for the others, the verdict that refused them."""
    first_look = {
        item.appointment.appointment_id: len(board.same_time(item.appointment).bookable_staff)
        for item in items
    }
    ordered = sorted(
        items,
        key=lambda item: (first_look[item.appointment.appointment_id], item.appointment.start),
    )
    entries: list[PlanEntry] = []
    refused: list[tuple[Broken, Verdict]] = []
    for item in ordered:
        appointment = item.appointment
        verdict = board.same_time(appointment)
        if not verdict.possible:
            refused.append((item, verdict))
            continue
        day = board.local_day(appointment.start)
        chosen = min(
            verdict.bookable_staff,
            key=lambda staff_id: (board.booked_minutes(staff_id, day), board.name(staff_id)),
        )
        move = Move(chosen, verdict.phases)
        board.move(appointment, move)
        entries.append(
            PlanEntry(
                appointment,
                item.collisions,
                Action.SAME_TIME,
                move,
                explanation=(_takes_over(board.name(chosen), verdict.phases),),
            )
        )
    return entries, sorted(refused, key=lambda pair: _by_start(pair[0].appointment))


def _plan_rest(board: _Board, refused: tuple[Broken, Verdict], search_days: int) -> PlanEntry:
    """Steps 3 and 4 for an appointment no colleague can take at its times."""
    item, verdict = refused
    appointment = item.appointment
    why, details = _why_not_same_time(board, appointment, verdict)
    if appointment.held:
        return PlanEntry(
            appointment,
            item.collisions,
            Action.RELEASE_HOLD,
            explanation=(why, _s(HOLD_RELEASED)),
            details=details,
        )
    move = board.new_time(appointment, search_days)
    if move is None:
        last = _date_params(_last_day(board, appointment, search_days))
        return PlanEntry(
            appointment,
            item.collisions,
            Action.CALL,
            explanation=(why, _s(NO_TIME, last)),
            details=details,
        )
    board.move(appointment, move)
    moved = _s(
        MOVED,
        _date_params(board.local_day(move.start))
        | {"time": clock_text(move.start, board.policy.zone), "staff": board.name(move.staff_id)},
    )
    return PlanEntry(
        appointment,
        item.collisions,
        Action.NEW_TIME,
        move,
        explanation=(why, moved),
        details=details,
    )


class _Board:
    """The salon as the decisions so far leave it.

    A stylist's schedule is their fixed busy time (the absence included) plus the
    staff-required phases of the movable appointments placed on them; schedules are
    cached until a move touches the stylist.
    """

    def __init__(self, state: SalonState, absence: AbsencePeriod) -> None:
        self.policy, self.now = state.policy, state.now
        self._stylists = {stylist.staff_id: stylist for stylist in state.stylists}
        _stylist(state, absence.staff_id)  # refuse an absence of a stylist we do not know
        absent = (_absence_busy(absence),)
        self._fixed = {
            stylist.staff_id: stylist.busy
            + (absent if stylist.staff_id == absence.staff_id else ())
            for stylist in state.stylists
        }
        self._customer_busy = state.customer_busy
        self._placed = {
            item.appointment_id: Move(item.staff_id, item.phases) for item in state.appointments
        }
        self._on_staff: defaultdict[str, set[str]] = defaultdict(set)
        self._of_customer: defaultdict[str, set[str]] = defaultdict(set)
        for item in state.appointments:
            self._on_staff[item.staff_id].add(item.appointment_id)
            self._of_customer[item.customer_id].add(item.appointment_id)
        self._schedules: dict[tuple[str, bool], StaffSchedule] = {}
        self._fixed_minutes: dict[str, Counter[date]] = {}

    def name(self, staff_id: str) -> str:
        return self._stylists[staff_id].name

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.policy.zone).date()

    def schedule(self, staff_id: str, appointment: LiveAppointment) -> StaffSchedule:
        """The stylist as the predicate sees them for moving `appointment`: without the
        appointment's own phases, qualified if they perform its service."""
        stylist = self._stylists[staff_id]
        qualified = appointment.service_id in stylist.services
        if appointment.appointment_id in self._on_staff[staff_id]:
            return self._build(stylist, qualified, without=appointment.appointment_id)
        key = (staff_id, qualified)
        if key not in self._schedules:
            self._schedules[key] = self._build(stylist, qualified)
        return self._schedules[key]

    def _build(self, stylist: Stylist, qualified: bool, without: str = "") -> StaffSchedule:
        placed = tuple(
            Busy(phase.interval, BusyKind.PHASE, phase.segment.name)
            for appointment_id in self._on_staff[stylist.staff_id]
            if appointment_id != without
            for phase in self._placed[appointment_id].phases
            if phase.staff_required
        )
        return StaffSchedule(
            stylist.staff_id,
            stylist.name,
            stylist.working_hours,
            busy=self._fixed[stylist.staff_id] + placed,
            qualified=qualified,
        )

    def customer_busy(self, appointment: LiveAppointment) -> list[Busy]:
        """The customer's other live appointments, where the plan has put them."""
        customer = appointment.customer_id
        placed = [
            Busy(self._placed[other].interval, BusyKind.APPOINTMENT)
            for other in self._of_customer[customer]
            if other != appointment.appointment_id
        ]
        return [*self._customer_busy.get(customer, ()), *placed]

    def booked_minutes(self, staff_id: str, day: date) -> int:
        """Minutes of staff-required phases the stylist has starting on the local `day`."""
        if staff_id not in self._fixed_minutes:  # the fixed part never changes: count once
            per_day: Counter[date] = Counter()
            for busy in self._fixed[staff_id]:
                if busy.kind is BusyKind.PHASE:
                    per_day[self.local_day(busy.interval.start)] += _minutes(busy.interval)
            self._fixed_minutes[staff_id] = per_day
        placed = sum(
            _minutes(phase.interval)
            for appointment_id in self._on_staff[staff_id]
            for phase in self._placed[appointment_id].phases
            if phase.staff_required and self.local_day(phase.interval.start) == day
        )
        return self._fixed_minutes[staff_id][day] + placed

    def move(self, appointment: LiveAppointment, move: Move) -> None:
        appointment_id = appointment.appointment_id
        previous = self._placed[appointment_id].staff_id
        self._on_staff[previous].discard(appointment_id)
        self._on_staff[move.staff_id].add(appointment_id)
        self._placed[appointment_id] = move
        for staff_id in (previous, move.staff_id):
            for qualified in (True, False):
                self._schedules.pop((staff_id, qualified), None)

    def same_time(self, appointment: LiveAppointment) -> Verdict:
        """The predicate's verdict on every colleague taking `appointment` at its times."""
        colleagues = [
            self.schedule(staff_id, appointment)
            for staff_id in self._stylists
            if staff_id != appointment.staff_id
        ]
        return check_start(
            appointment.segments,
            appointment.start,
            colleagues,
            self.customer_busy(appointment),
            handover_policy(self.policy),
            self.now,
        )

    def new_time(self, appointment: LiveAppointment, search_days: int) -> Move | None:
        """The best bookable start: on the first day that has one (the appointment's own
        day first), the one nearest to the old time of day. Proposed by the slot search,
        confirmed by the predicate."""
        schedules = [
            self.schedule(staff_id, appointment)
            for staff_id, stylist in self._stylists.items()
            if appointment.service_id in stylist.services
        ]
        customer = self.customer_busy(appointment)
        first_day = self.local_day(appointment.start)
        for offset in range(search_days + 1):
            day = first_day + timedelta(days=offset)
            window = Interval(_midnight(day, self.policy), _midnight(day + ONE_DAY, self.policy))
            found = [
                (slot, schedule)
                for schedule in schedules
                for slot in search_slots(
                    appointment.segments,
                    [_near(schedule, window)],
                    customer,
                    self.policy,
                    self.now,
                    window,
                )
            ]
            found.sort(key=lambda pair: self._preference(pair[0], appointment))
            for slot, schedule in found:
                phases = plan_phases(appointment.segments, slot.start)
                if not find_conflicts(phases, schedule, customer, self.policy, self.now):
                    return Move(slot.staff_id, phases)
        return None

    def _preference(self, slot: Slot, appointment: LiveAppointment) -> tuple[Any, ...]:
        """Nearest to the old time of day, then earlier, the same stylist, the least busy."""
        return (
            self._clock_distance(slot, appointment),
            slot.start,
            slot.staff_id != appointment.staff_id,
            self.booked_minutes(slot.staff_id, self.local_day(slot.start)),
            self.name(slot.staff_id),
        )

    def _clock_distance(self, slot: Slot, appointment: LiveAppointment) -> int:
        def minute_of_day(instant: datetime) -> int:
            local = instant.astimezone(self.policy.zone)
            return local.hour * 60 + local.minute

        return abs(minute_of_day(slot.start) - minute_of_day(appointment.start))


def _near(schedule: StaffSchedule, window: Interval) -> StaffSchedule:
    """The schedule with only the busy time around `window`, all that a search for starts
    inside it can meet (an appointment lies within one day): searching a day then costs
    that day, not the whole loaded period. The predicate confirms with everything."""
    around = Interval(window.start - ONE_DAY, window.end + ONE_DAY)
    busy = tuple(
        item for _, item in schedule.busy_index.overlapping(around) if isinstance(item, Busy)
    )
    return replace(schedule, busy=busy)


def _why_not_same_time(
    board: _Board, appointment: LiveAppointment, verdict: Verdict
) -> tuple[Sentence, tuple[Sentence, ...]]:
    """One sentence on why no colleague can take the old times, and each colleague's
    first conflict (in the core's words)."""
    policy = board.policy
    names = {staff_id: board.name(staff_id) for staff_id in verdict.staff_conflicts}
    if verdict.salon_conflicts:
        return describe(verdict.salon_conflicts[0], verdict, policy, names), ()
    qualified = {
        staff_id: conflicts
        for staff_id, conflicts in verdict.staff_conflicts.items()
        if not any(conflict.rule is Rule.STAFF_NOT_QUALIFIED for conflict in conflicts)
    }
    if not qualified:
        return _s(NOBODY_ELSE_OFFERS, {"service": appointment.service_name}), ()
    details = tuple(
        describe(conflicts[0], verdict, policy, names) for conflicts in qualified.values()
    )
    staff_phases = [phase for phase in verdict.phases if phase.staff_required]
    for phase in staff_phases:
        if all(
            any(conflict.phase == phase for conflict in conflicts)
            for conflicts in qualified.values()
        ):
            span = span_text(phase.interval, policy.zone)
            if len(staff_phases) == 1:  # a simple service: its phase is the appointment
                return _s(NOBODY_FREE_AT, {"span": span}), details
            params = {"key": phase.key, "phase": phase.segment.name, "span": span}
            return _s(NOBODY_FREE_FOR_PHASE, params), details
    return _s(NOBODY_FREE_FOR_ALL), details


def _takes_over(staff: str, phases: Sequence[PlannedPhase]) -> Sentence:
    count = sum(1 for phase in phases if phase.staff_required)
    if count == 1:
        return _s(TAKES_OVER_ONE, {"staff": staff})
    if count == 2:
        return _s(TAKES_OVER_BOTH, {"staff": staff})
    word = NUMBER_WORDS.get(count)
    return _s(TAKES_OVER_ALL, {"staff": staff, "count": _s(word) if word else str(count)})


def _s(template: str, params: Mapping[str, object] | None = None) -> Sentence:
    return Sentence(template, dict(params or {}))


def _date_params(day: date) -> dict[str, str]:
    return {"day": f"{day:%d}", "month": f"{day:%m}", "year": f"{day:%Y}"}


def _last_day(board: _Board, appointment: LiveAppointment, search_days: int) -> date:
    return board.local_day(appointment.start) + timedelta(days=search_days)


def _midnight(day: date, policy: Policy) -> datetime:
    return datetime.combine(day, time(), tzinfo=policy.zone).astimezone(UTC)


def _minutes(interval: Interval) -> int:
    return int(interval.duration.total_seconds() // 60)


def _absence_busy(absence: AbsencePeriod) -> Busy:
    return Busy(absence.interval, BusyKind.ABSENCE, absence.reason)


def _by_start(appointment: LiveAppointment) -> tuple[datetime, str]:
    return appointment.start, appointment.appointment_id


def _stylist(state: SalonState, staff_id: str) -> Stylist:
    for stylist in state.stylists:
        if stylist.staff_id == staff_id:
            return stylist
    raise ValueError(f"the absent stylist {staff_id!r} is not in the salon's state")
