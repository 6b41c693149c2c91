"""Re-planning an absence: what breaks, who takes over at the same times, which
appointments move to the nearest free time, and what is left for a phone call."""

from __future__ import annotations

from datetime import timedelta

import pytest

from phasebook.scheduling.availability import BusyKind
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.replan import (
    NUMBER_WORDS,
    TAKES_OVER_ALL,
    Action,
    PlanEntry,
    Replan,
    impact,
    replan,
)
from tests.support.scheduling import (
    BERLIN,
    CUT_ID,
    MONDAY,
    absent,
    at,
    booked,
    busy,
    clock,
    hours,
    salon_state,
    salon_stylist,
    span,
)

SICK_DAY = span(MONDAY, "00:00", "23:59")
COLOUR_AT_TEN = booked("colour", "anna", at(MONDAY, "10:00"))  # A 10:00, B 11:00, C 11:20, D 12:00


def entry(plan: Replan, appointment_id: str) -> PlanEntry:
    (found,) = [item for item in plan.entries if item.appointment.appointment_id == appointment_id]
    return found


def test_only_appointments_with_a_staff_phase_in_the_absence_are_broken() -> None:
    state = salon_state(
        [salon_stylist("anna"), salon_stylist("ben")],
        [
            COLOUR_AT_TEN,
            booked("before", "anna", at(MONDAY, "09:00"), CUT_ID),
            booked("bens", "ben", at(MONDAY, "11:00"), CUT_ID),
        ],
    )
    # 10:30–11:00 is the colour's processing time: the absence must reach a staff phase.
    (broken,) = impact(state, absent("anna", span(MONDAY, "10:30", "11:10")))

    assert broken.appointment.appointment_id == "colour"
    assert [phase.key for phase in broken.collisions] == ["B"]
    assert impact(state, absent("anna", span(MONDAY, "10:30", "11:00"))) == []


def test_a_free_colleague_takes_every_phase_at_the_same_times() -> None:
    state = salon_state([salon_stylist("anna"), salon_stylist("ben")], [COLOUR_AT_TEN])

    plan = replan(state, absent("anna", SICK_DAY))

    (only,) = plan.entries
    assert only.action is Action.SAME_TIME
    assert only.move is not None
    assert (only.move.staff_id, only.move.start) == ("ben", COLOUR_AT_TEN.start)
    assert [phase.key for phase in only.collisions] == ["A", "B", "C", "D"]
    assert only.explanation == ("Ben übernimmt alle vier Phasen.",)


def test_the_least_busy_colleague_of_that_day_takes_over() -> None:
    cara_busy = busy(span(MONDAY, "15:00", "16:00"))
    ben_busier = busy(span(MONDAY, "15:00", "17:00"))
    state = salon_state(
        [
            salon_stylist("anna"),
            salon_stylist("ben", [ben_busier]),
            salon_stylist("cara", [cara_busy]),
        ],
        [COLOUR_AT_TEN],
    )

    (only,) = replan(state, absent("anna", SICK_DAY)).entries

    assert only.move is not None
    assert only.move.staff_id == "cara"


def test_a_cut_in_the_colours_processing_time_goes_with_it_when_nobody_else_is_free() -> None:
    cut_in_gap = booked("cut", "anna", at(MONDAY, "10:30"), CUT_ID)
    state = salon_state([salon_stylist("anna"), salon_stylist("ben")], [COLOUR_AT_TEN, cut_in_gap])

    plan = replan(state, absent("anna", SICK_DAY))

    assert [(item.action, item.move and item.move.staff_id) for item in plan.entries] == [
        (Action.SAME_TIME, "ben"),
        (Action.SAME_TIME, "ben"),
    ]
    assert entry(plan, "cut").explanation == ("Ben übernimmt den Termin.",)


def test_when_nobody_is_free_for_one_phase_the_appointment_moves_to_the_nearest_time() -> None:
    ben = salon_stylist("ben", [busy(span(MONDAY, "11:30", "11:45"), label="Föhnen")])
    state = salon_state([salon_stylist("anna"), ben], [COLOUR_AT_TEN])

    (only,) = replan(state, absent("anna", span(MONDAY, "09:00", "13:00"))).entries

    assert only.action is Action.NEW_TIME
    assert only.explanation[0] == "Kein:e Kolleg:in frei für Phase C „Formschnitt“ 11:20–12:00."
    assert only.details == (
        "Die Phase „Formschnitt“ (11:20–12:00) überschneidet sich mit „Föhnen“ "
        "(11:30–11:45) von Ben.",
    )
    # From 10:45 Ben's 11:30–11:45 falls into the processing time (11:15–11:45); every
    # start nearer to 10:00 puts a phase on it, and Anna is back only at 13:00.
    assert only.move is not None
    assert (only.move.staff_id, clock(only.move.start)) == ("ben", "10:45")
    assert only.explanation[1] == "Neuer Termin am 15.06.2026 um 10:45 bei Ben."


def test_at_equal_distance_the_stylist_keeps_her_client() -> None:
    # Anna is out until 11:00 and Ben starts work at 11:00: both are free then.
    cut = booked("cut", "anna", at(MONDAY, "10:00"), CUT_ID)
    ben = salon_stylist("ben", working=hours([("11:00", "18:00")]))
    state = salon_state([salon_stylist("anna"), ben], [cut])

    (only,) = replan(state, absent("anna", span(MONDAY, "09:00", "11:00"))).entries

    assert only.move is not None
    assert (only.move.staff_id, clock(only.move.start)) == ("anna", "11:00")


def test_a_nearer_time_with_a_colleague_beats_the_same_stylist_later() -> None:
    cut = booked("cut", "anna", at(MONDAY, "10:00"), CUT_ID)
    ben = salon_stylist("ben", [busy(span(MONDAY, "09:00", "10:30"))])
    state = salon_state([salon_stylist("anna"), ben], [cut])

    (only,) = replan(state, absent("anna", span(MONDAY, "09:00", "11:00"))).entries

    assert only.move is not None
    assert (only.move.staff_id, clock(only.move.start)) == ("ben", "10:30")


def test_the_most_constrained_appointment_is_served_first() -> None:
    # Only Ben can take the colour (Cara is busy in its last phase); either can take the
    # earlier cut, which overlaps the colour. Ben is the less busy, so taking them by start
    # would give him the cut and leave the colour without anyone.
    cut = booked("cut", "anna", at(MONDAY, "09:45"), CUT_ID)
    colour = booked("colour", "anna", at(MONDAY, "10:00"))
    cara = salon_stylist("cara", [busy(span(MONDAY, "12:00", "12:30"))])
    state = salon_state([salon_stylist("anna"), salon_stylist("ben"), cara], [cut, colour])

    plan = replan(state, absent("anna", SICK_DAY))

    assert [
        (item.appointment.appointment_id, item.action, item.move and item.move.staff_id)
        for item in plan.entries
    ] == [
        ("colour", Action.SAME_TIME, "ben"),
        ("cut", Action.SAME_TIME, "cara"),
    ]


def test_two_broken_appointments_are_never_moved_into_the_same_free_time() -> None:
    # Ben's only free half hour on Monday is 12:00–12:30; both cuts would like it.
    first = booked("first", "anna", at(MONDAY, "10:00"), CUT_ID)
    second = booked("second", "anna", at(MONDAY, "10:30"), CUT_ID)
    ben = salon_stylist(
        "ben", [busy(span(MONDAY, "09:00", "12:00")), busy(span(MONDAY, "12:30", "18:00"))]
    )
    state = salon_state([salon_stylist("anna"), ben], [first, second])

    plan = replan(state, absent("anna", SICK_DAY))

    assert [
        (
            item.appointment.appointment_id,
            item.move and item.move.staff_id,
            item.move and f"{item.move.start.astimezone(BERLIN):%a %H:%M}",
        )
        for item in plan.entries
    ] == [
        ("first", "ben", "Mon 12:00"),
        ("second", "anna", "Tue 10:30"),  # the next day, at the old time of day
    ]


def test_a_new_time_keeps_clear_of_the_customers_other_appointments() -> None:
    colour = booked("colour", "anna", at(MONDAY, "10:00"), customer_id="eva")
    ben = salon_stylist("ben", [busy(span(MONDAY, "09:00", "12:00"))])
    # Eva has a massage next door 12:00–14:00 (another appointment of hers).
    elsewhere = {"eva": (busy(span(MONDAY, "12:00", "14:00"), BusyKind.APPOINTMENT),)}
    state = salon_state([salon_stylist("anna"), ben], [colour], customer_busy=elsewhere)

    (only,) = replan(state, absent("anna", SICK_DAY)).entries

    assert only.move is not None
    assert (only.move.staff_id, clock(only.move.start)) == ("ben", "14:00")


def test_a_hold_goes_to_a_free_colleague_at_its_time() -> None:
    hold = booked("hold", "anna", at(MONDAY, "10:00"), CUT_ID, held=True)
    state = salon_state([salon_stylist("anna"), salon_stylist("ben")], [hold])

    (only,) = replan(state, absent("anna", SICK_DAY)).entries

    assert only.action is Action.SAME_TIME


def test_a_hold_nobody_can_take_at_its_time_is_released_not_moved() -> None:
    # The caller agreed to 10:00; Ben would be free at 10:30, but that is another time.
    hold = booked("hold", "anna", at(MONDAY, "10:00"), CUT_ID, held=True)
    ben = salon_stylist("ben", [busy(span(MONDAY, "10:00", "10:30"))])
    state = salon_state([salon_stylist("anna"), ben], [hold])

    (only,) = replan(state, absent("anna", SICK_DAY)).entries

    assert (only.action, only.move) == (Action.RELEASE_HOLD, None)
    assert only.explanation[1].startswith("Die Reservierung wird freigegeben")


def test_an_appointment_that_has_begun_is_left_to_a_person() -> None:
    state = salon_state(
        [salon_stylist("anna"), salon_stylist("ben")], [COLOUR_AT_TEN], now=at(MONDAY, "10:15")
    )

    (only,) = replan(state, absent("anna", span(MONDAY, "10:15", "18:00"))).entries

    assert (only.action, only.move) == (Action.LEAVE, None)


def test_when_nothing_fits_the_client_is_on_the_call_list() -> None:
    nobody_else = salon_stylist("ben", services=())
    state = salon_state([salon_stylist("anna"), nobody_else], [COLOUR_AT_TEN])
    start = at(MONDAY, "00:00")
    long_absence = absent("anna", Interval(start, start + timedelta(days=30)))

    (only,) = replan(state, long_absence, search_days=3).entries

    assert only.action is Action.CALL
    assert only.explanation == (
        "Niemand sonst bietet „Ansatzfärbung“ an.",
        "Bis zum 18.06.2026 ist kein Termin frei: bitte mit der Kundin oder dem Kunden sprechen.",
    )


def test_a_handover_at_the_same_times_is_not_asked_for_the_minimum_notice() -> None:
    # A sick call at 09:30 for the 10:00 colour: the client keeps the time she booked.
    state = salon_state(
        [salon_stylist("anna"), salon_stylist("ben")], [COLOUR_AT_TEN], now=at(MONDAY, "09:30")
    )

    (only,) = replan(state, absent("anna", SICK_DAY)).entries

    assert (only.action, only.explanation[0]) == (
        Action.SAME_TIME,
        "Ben übernimmt alle vier Phasen.",
    )


def test_an_appointment_that_has_begun_is_never_handed_over_into_the_past() -> None:
    state = salon_state(
        [salon_stylist("anna"), salon_stylist("ben")], [COLOUR_AT_TEN], now=at(MONDAY, "10:05")
    )

    (only,) = replan(state, absent("anna", SICK_DAY)).entries

    assert (only.action, only.move) == (Action.LEAVE, None)  # for a person to decide


ENGLISH = {TAKES_OVER_ALL: "%(staff)s takes over all %(count)s phases.", NUMBER_WORDS[4]: "four"}


def test_the_explanation_renders_in_another_language_with_its_number_word() -> None:
    state = salon_state([salon_stylist("anna"), salon_stylist("ben")], [COLOUR_AT_TEN])

    (only,) = replan(state, absent("anna", SICK_DAY)).entries

    assert only.explanation[0].render(ENGLISH.__getitem__) == "Ben takes over all four phases."


def test_an_absence_of_a_stylist_the_state_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the salon"):
        replan(salon_state([salon_stylist("ben")], []), absent("anna", SICK_DAY))


def test_colleagues_each_blocked_in_another_phase_are_named_one_by_one() -> None:
    ben = salon_stylist("ben", [busy(span(MONDAY, "10:00", "10:15"), label="Beratung")])
    cara = salon_stylist("cara", [busy(span(MONDAY, "12:00", "12:15"), label="Pause")])
    state = salon_state([salon_stylist("anna"), ben, cara], [COLOUR_AT_TEN])

    (only,) = replan(state, absent("anna", SICK_DAY)).entries

    assert only.explanation[0] == "Kein:e Kolleg:in ist für alle Phasen frei."
    assert only.details == (
        "Die Phase „Farbe auftragen“ (10:00–10:30) überschneidet sich mit „Beratung“ "
        "(10:00–10:15) von Ben.",
        "Die Phase „Föhnen & Styling“ (12:00–12:40) überschneidet sich mit „Pause“ "
        "(12:00–12:15) von Cara.",
    )
