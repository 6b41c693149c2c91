"""Acceptance: Anna of the demo salon calls in sick for a Wednesday with six appointments,
two colours among them and a cut sitting in the first colour's processing time.

Ben can serve four of them at their times; the two he cannot go to the nearest free times;
applying the plan leaves no overlap anywhere (checked by query on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from phasebook.absences.services import (
    AbsencePlan,
    AppliedAbsence,
    Result,
    apply_absence,
    plan_absence,
)
from phasebook.booking.availability import Caller, nearest_slots
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import SlotTaken
from phasebook.booking.events import describe
from phasebook.booking.models import Appointment, AppointmentPhase, EventKind
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.demo.salon import load_demo_salon
from phasebook.salons.models import Absence, ApiToken, Service, Staff
from phasebook.scheduling.replan import Action, PlanEntry
from tests.factories import ACTOR, BERLIN
from tests.support.api import ApiClient
from tests.support.overlaps import customer_overlaps, staff_overlaps
from tests.support.race import failures, race, winners

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
WEDNESDAY = (2026, 3, 4)


def at(clock: str, day: tuple[int, int, int] = WEDNESDAY) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(*day, hour, minute, tzinfo=BERLIN)


@dataclass(frozen=True)
class Booked:
    clock: str
    service: str
    client: str


ANNAS_DAY = [
    Booked(
        "09:00", "Ansatzfärbung", "Clara Colour"
    ),  # A 09:00, processing 09:30–10:00, B, C, D to 11:40
    Booked("09:30", "Herrenhaarschnitt", "Carl Cut"),  # in the colour's processing time
    Booked("11:45", "Damenhaarschnitt", "Dora Damen"),  # Ben has a cut at 12:00
    Booked("13:00", "Ansatz + Längenausgleich", "Lena Laengen"),  # Ben is busy in its phase C
    Booked("16:00", "Herrenhaarschnitt", "Hans Herren"),
    Booked("16:45", "Damenhaarschnitt", "Dana Damen"),
]
BENS_DAY = [
    Booked("12:00", "Herrenhaarschnitt", "Bert Busy"),
    Booked("14:30", "Damenhaarschnitt", "Bea Busy"),
]


def _book(salon: SimpleNamespace, stylist: Staff, item: Booked, number: int) -> Appointment:
    service = Service.objects.get(company=salon.company, name=item.service)
    customer = CustomerDetails(item.client, phone=f"+49 171 100{number:04d}")
    request = BookingRequest(service.pk, at(item.clock), customer, str(stylist.pk))
    return book_appointment(salon.company, request, now=NOW, actor=ACTOR)


@pytest.fixture
def sick_day(db: None) -> SimpleNamespace:
    company = load_demo_salon()
    anna = Staff.objects.get(company=company, name="Anna Schneider")
    ben = Staff.objects.get(company=company, name="Ben Krüger")
    salon = SimpleNamespace(company=company, anna=anna, ben=ben)
    salon.annas = {
        item.client: _book(salon, anna, item, number) for number, item in enumerate(ANNAS_DAY)
    }
    salon.bens = [_book(salon, ben, item, 50 + number) for number, item in enumerate(BENS_DAY)]
    return salon


SICK_DAY = (at("00:00"), at("00:00", (2026, 3, 5)))


def _plan(salon: SimpleNamespace) -> AbsencePlan:
    return plan_absence(salon.company, salon.anna.pk, *SICK_DAY, "krank", now=NOW)


def _apply(salon: SimpleNamespace, plan_id: str | None = None) -> AppliedAbsence:
    return apply_absence(
        salon.company, salon.anna.pk, *SICK_DAY, "krank", plan_id, now=NOW, actor=ACTOR
    )


def _entries_by_client(plan: AbsencePlan) -> dict[str, PlanEntry]:
    return {
        plan.appointments[entry.appointment.appointment_id].customer.name: entry
        for entry in plan.replan.entries
    }


def _placement(entry: PlanEntry) -> tuple[Action, str, str]:
    assert entry.move is not None
    return entry.action, entry.move.staff_id, f"{entry.move.start.astimezone(BERLIN):%a %H:%M}"


def _rows() -> list[tuple[object, ...]]:
    return [
        *Appointment.objects.order_by("pk").values_list("pk", "staff_id", "start", "status"),
        *AppointmentPhase.objects.order_by("pk").values_list("pk", "staff_id", "start_time"),
    ]


def test_the_plan_keeps_every_time_ben_can_serve_and_moves_the_rest_to_the_nearest(
    sick_day: SimpleNamespace,
) -> None:
    before = _rows()
    plan = _plan(sick_day)

    ben, anna = str(sick_day.ben.pk), str(sick_day.anna.pk)
    entries = _entries_by_client(plan)
    assert {client: _placement(entry) for client, entry in entries.items()} == {
        "Clara Colour": (Action.SAME_TIME, ben, "Wed 09:00"),
        "Carl Cut": (Action.SAME_TIME, ben, "Wed 09:30"),  # inside the colour's processing
        "Hans Herren": (Action.SAME_TIME, ben, "Wed 16:00"),
        "Dana Damen": (Action.SAME_TIME, ben, "Wed 16:45"),
        "Dora Damen": (Action.NEW_TIME, ben, "Wed 12:30"),  # after Ben's 12:00 cut
        # Ben has no 175 minutes with room for all four phases left on Wednesday; Anna is
        # back on Thursday, at the old time of day.
        "Lena Laengen": (Action.NEW_TIME, anna, "Thu 13:00"),
    }
    assert entries["Clara Colour"].explanation == ("Ben Krüger übernimmt alle vier Phasen.",)
    assert entries["Dora Damen"].explanation == (
        "Kein:e Kolleg:in ist 11:45–12:30 frei.",
        "Neuer Termin am 04.03.2026 um 12:30 bei Ben Krüger.",
    )
    assert entries["Lena Laengen"].explanation[0] == (
        "Kein:e Kolleg:in frei für Phase C „Formschnitt“ 14:30–15:15."
    )
    assert entries["Lena Laengen"].details == (
        "Die Phase „Formschnitt“ (14:30–15:15) überschneidet sich mit „Damenhaarschnitt“ "
        "(14:30–15:15) von Ben Krüger.",
    )
    assert _rows() == before  # a plan writes nothing
    assert not Absence.objects.exists()


def _assert_as_planned(plan: AbsencePlan) -> None:
    for entry in plan.replan.entries:
        assert entry.move is not None
        appointment = Appointment.objects.get(pk=entry.appointment.appointment_id)
        assert (str(appointment.staff_id), appointment.start) == (
            entry.move.staff_id,
            entry.move.start,
        )
        phases = appointment.phases.order_by("sequence_order")
        assert [phase.interval for phase in phases] == [p.interval for p in entry.move.phases]
        assert {phase.staff_id for phase in phases} == {appointment.staff_id}


@pytest.mark.postgres
def test_applying_the_plan_moves_everyone_and_leaves_no_overlap(
    sick_day: SimpleNamespace,
) -> None:
    plan = _plan(sick_day)

    applied = _apply(sick_day, plan.plan_id)

    assert [outcome.result for outcome in applied.outcomes] == [Result.MOVED] * 6
    _assert_as_planned(plan)
    assert staff_overlaps() == 0
    assert customer_overlaps() == 0
    (absence,) = Absence.objects.all()
    assert (absence.staff_id, absence.start, absence.end, absence.reason) == (
        sick_day.anna.pk,
        *SICK_DAY,
        "krank",
    )


def test_each_move_is_one_history_event_with_the_absence_as_its_reason(
    sick_day: SimpleNamespace,
) -> None:
    plan = _plan(sick_day)

    _apply(sick_day, plan.plan_id)

    (absence,) = Absence.objects.all()
    for appointment in sick_day.annas.values():
        booked, move = appointment.events.order_by("pk")
        assert booked.kind == EventKind.BOOKED
        assert (move.kind, move.absence) in {
            (EventKind.STAFF_CHANGED, absence),
            (EventKind.MOVED, absence),
        }
        appointment.refresh_from_db()
        if appointment.staff_id != sick_day.anna.pk:
            assert (move.from_staff_id, move.to_staff_id) == (
                sick_day.anna.pk,
                appointment.staff_id,
            )
        assert move.to_start in {None, appointment.start}
    _assert_the_api_history_gives_the_absence_as_reason(sick_day, absence)
    dana = sick_day.annas["Dana Damen"].events.get(absence=absence)  # Ben takes her at 16:45
    assert describe(dana, BERLIN).render(lambda template: template) == (
        "Mitarbeiter:in gewechselt von Anna Schneider zu Ben Krüger. Grund: Ausfall von "
        "Anna Schneider vom 04.03.2026, 00:00 bis 05.03.2026, 00:00 (krank)."
    )


def _assert_the_api_history_gives_the_absence_as_reason(
    salon: SimpleNamespace, absence: Absence
) -> None:
    _, raw = ApiToken.issue(salon.company, "Rezeption")
    api = ApiClient(raw)
    for appointment in salon.annas.values():
        history = api.get(f"/appointments/{appointment.pk}").json()["history"]
        booked, move = history  # one event per move
        assert (booked["kind"], move["absence_id"]) == ("booked", absence.pk)
        assert "Grund: Ausfall von Anna Schneider vom 04.03.2026, 00:00" in move["description"]
    dora = api.get(f"/appointments/{salon.annas['Dora Damen'].pk}").json()["history"][-1]
    assert dora["description"].startswith(  # another time and another stylist: one event
        "Verschoben von 04.03.2026, 11:45 auf 04.03.2026, 12:30 und von Anna Schneider zu "
        "Ben Krüger. Grund:"
    )


def test_nothing_nearer_was_free_for_the_moved_clients(sick_day: SimpleNamespace) -> None:
    # Asked of booking's own slot search after applying: the nearest start for Dora with
    # Ben is the one she got.
    _apply(sick_day)
    dora = sick_day.annas["Dora Damen"]
    nearest = nearest_slots(
        sick_day.company,
        dora.service,
        at("11:45"),
        [sick_day.ben],
        NOW,
        Caller.of(dora),
        exclude=dora,
        count=1,
    )
    assert [slot.start for slot in nearest] == [at("12:30")]


@pytest.mark.postgres
def test_a_booking_between_planning_and_applying_fails_that_one_move_only(
    sick_day: SimpleNamespace,
) -> None:
    plan = _plan(sick_day)
    # Someone books Ben at 12:30, the time the plan gave Dora.
    _book(sick_day, sick_day.ben, Booked("12:30", "Herrenhaarschnitt", "Quick Quentin"), 99)

    applied = _apply(sick_day, plan.plan_id)

    outcomes = {
        applied.appointments[outcome.step.appointment_id].customer.name: outcome
        for outcome in applied.outcomes
    }
    dora = outcomes.pop("Dora Damen")
    assert (dora.result, dora.error) == (Result.REFUSED, "slot_taken")
    assert dora.message == "Dieser Termin ist leider schon vergeben."
    assert {outcome.result for outcome in outcomes.values()} == {Result.MOVED}
    unchanged = Appointment.objects.get(pk=sick_day.annas["Dora Damen"].pk)
    assert (unchanged.staff_id, unchanged.start) == (sick_day.anna.pk, at("11:45"))
    assert staff_overlaps() == 0
    assert customer_overlaps() == 0


RACERS_PER_TIME = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bookings_racing_the_apply_for_the_planned_times_never_double_book(
    sick_day: SimpleNamespace,
) -> None:
    plan = _plan(sick_day)
    clients = _entries_by_client(plan)
    contested = [clients[name] for name in ("Dora Damen", "Lena Laengen", "Hans Herren")]
    cut = Service.objects.get(company=sick_day.company, name="Herrenhaarschnitt")

    def racer(entry: PlanEntry, number: int) -> Callable[[], object]:
        assert entry.move is not None
        customer = CustomerDetails(f"Racer {number}", phone=f"+49 171 200{number:04d}")
        request = BookingRequest(cut.pk, entry.move.start, customer, entry.move.staff_id)
        return lambda: book_appointment(sick_day.company, request, now=NOW, actor=ACTOR)

    writers = [lambda: _apply(sick_day, plan.plan_id)] + [
        racer(entry, len(contested) * number + position)
        for number in range(RACERS_PER_TIME)
        for position, entry in enumerate(contested)
    ]
    (applying, *racing) = race(writers)

    assert applying.error is None
    applied = applying.appointment
    assert isinstance(applied, AppliedAbsence)
    outcomes = {outcome.step.appointment_id: outcome for outcome in applied.outcomes}
    for position, entry in enumerate(contested):
        mine = racing[position :: len(contested)]
        assert all(isinstance(error, SlotTaken) for error in failures(mine))
        moved = outcomes[entry.appointment.appointment_id].result is Result.MOVED
        assert moved + len(winners(mine)) == 1, "exactly one takes each contested time"
    assert staff_overlaps() == 0
    assert customer_overlaps() == 0
