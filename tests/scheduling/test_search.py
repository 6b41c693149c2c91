"""Slot search for one stylist and for "any stylist"."""

from __future__ import annotations

from datetime import timedelta

from phasebook.scheduling.availability import (
    BusyKind,
    Slot,
    StaffSchedule,
    candidate_starts,
    check_start,
    search_slots,
)
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import plan_phases
from tests.support.scheduling import (
    COLOUR,
    CUT,
    MONDAY,
    NOW,
    at,
    busy,
    clock,
    hours,
    policy,
    span,
    stylist,
)

TUESDAY = MONDAY + timedelta(days=1)
DAY = Interval(at(MONDAY, "00:00"), at(TUESDAY, "00:00"))


def starts(slots: list[Slot]) -> list[str]:
    return [clock(slot.start) for slot in slots]


def test_a_free_day_offers_every_quarter_hour_the_service_fits_into() -> None:
    slots = search_slots(CUT, [stylist()], [], policy(), NOW, DAY)

    assert starts(slots)[:3] == ["09:00", "09:15", "09:30"]
    assert starts(slots)[-1] == "17:30"
    assert len(slots) == 35
    assert {slot.staff_id for slot in slots} == {"anna"}


def test_a_slot_ends_after_the_whole_appointment() -> None:
    (first, *_) = search_slots(COLOUR, [stylist()], [], policy(), NOW, DAY)

    assert (first.start, first.end) == (at(MONDAY, "09:00"), at(MONDAY, "11:40"))


def test_the_search_offers_a_cut_inside_another_clients_processing_time() -> None:
    colour = plan_phases(COLOUR, at(MONDAY, "09:00"))
    anna = stylist(busy=[busy(p.interval) for p in colour if p.staff_required])

    slots = search_slots(CUT, [anna], [], policy(), NOW, DAY)

    assert starts(slots)[:2] == ["09:30", "11:45"]


def test_the_search_offers_a_colour_whose_processing_time_holds_a_cut() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "09:30", "10:00"))])

    slots = search_slots(COLOUR, [anna], [], policy(), NOW, DAY)

    assert "09:00" in starts(slots)
    assert "09:15" not in starts(slots)


def test_the_search_skips_the_clients_other_appointments() -> None:
    other = busy(span(MONDAY, "09:00", "17:00"), BusyKind.APPOINTMENT)

    slots = search_slots(CUT, [stylist()], [other], policy(), NOW, DAY)

    assert starts(slots) == ["17:00", "17:15", "17:30"]


def test_the_search_respects_absences_and_external_blocks() -> None:
    anna = stylist(
        busy=[
            busy(span(MONDAY, "09:00", "13:00"), BusyKind.ABSENCE),
            busy(span(MONDAY, "13:30", "18:00"), BusyKind.EXTERNAL),
        ]
    )

    assert starts(search_slots(CUT, [anna], [], policy(), NOW, DAY)) == ["13:00"]


def test_the_search_starts_after_the_minimum_notice() -> None:
    now = at(MONDAY, "12:05")

    assert starts(search_slots(CUT, [stylist()], [], policy(), now, DAY))[0] == "13:15"


def test_the_search_stops_at_the_horizon() -> None:
    short = policy(horizon=timedelta(hours=2))
    now = at(MONDAY, "09:00")

    assert starts(search_slots(CUT, [stylist()], [], short, now, DAY))[-1] == "11:00"


def test_the_search_uses_the_slot_grid() -> None:
    hourly = policy(step=timedelta(hours=1))

    assert starts(search_slots(CUT, [stylist()], [], hourly, NOW, DAY))[:2] == ["09:00", "10:00"]


def test_the_search_finds_nothing_on_a_closed_date() -> None:
    assert search_slots(CUT, [stylist()], [], policy(closed=[MONDAY]), NOW, DAY) == []


def test_the_search_finds_nothing_when_the_window_is_in_the_past() -> None:
    assert search_slots(CUT, [stylist()], [], policy(), at(TUESDAY, "00:00"), DAY) == []


def test_a_stylist_who_is_not_qualified_gets_no_slots() -> None:
    assert search_slots(CUT, [stylist(qualified=False)], [], policy(), NOW, DAY) == []


def test_any_stylist_search_takes_the_first_stylist_in_order_who_fits() -> None:
    anna = stylist("anna", busy=[busy(span(MONDAY, "09:00", "12:00"))])
    ben = stylist("ben")
    cleo = stylist("cleo")

    slots = search_slots(CUT, [anna, ben, cleo], [], policy(), NOW, DAY)

    by_start = {clock(slot.start): slot.staff_id for slot in slots}
    assert by_start["09:00"] == "ben"
    assert by_start["12:00"] == "anna"
    assert "cleo" not in by_start.values()


def test_any_stylist_search_offers_a_start_once() -> None:
    slots = search_slots(CUT, [stylist("anna"), stylist("ben")], [], policy(), NOW, DAY)

    assert len(slots) == len({slot.start for slot in slots}) == 35


def test_touching_working_hours_form_one_stretch_for_search_and_check() -> None:
    # Regression: the search joined 09:00–12:00 and 12:00–18:00, the predicate did not.
    split = stylist(working=hours([("09:00", "12:00"), ("12:00", "18:00")]))
    noon = at(MONDAY, "11:45")

    assert noon in [slot.start for slot in search_slots(CUT, [split], [], policy(), NOW, DAY)]
    assert check_start(CUT, noon, [split], [], policy(), NOW).possible


def test_an_empty_busy_block_blocks_neither_search_nor_check() -> None:
    # Regression: a zero-length block counted as overlapping in the predicate only.
    blip = busy(Interval(at(MONDAY, "09:10"), at(MONDAY, "09:10")), BusyKind.EXTERNAL)
    anna = stylist(busy=[blip])
    nine = at(MONDAY, "09:00")

    assert nine in [slot.start for slot in search_slots(CUT, [anna], [blip], policy(), NOW, DAY)]
    assert check_start(CUT, nine, [anna], [blip], policy(), NOW).possible


def test_candidate_starts_are_the_grid_inside_opening_hours() -> None:
    lunch_break = policy(hours([("09:00", "10:00"), ("13:10", "14:00")]))

    found = [clock(start) for start in candidate_starts(lunch_break, MONDAY, MONDAY)]

    assert found == ["09:00", "09:15", "09:30", "09:45", "13:15", "13:30", "13:45"]


def test_every_search_result_passes_check_start() -> None:
    anna: StaffSchedule = stylist(busy=[busy(span(MONDAY, "10:00", "11:00"))])
    slots = search_slots(COLOUR, [anna], [], policy(), NOW, DAY)
    verdicts = [check_start(COLOUR, s.start, [anna], [], policy(), NOW) for s in slots]

    assert slots
    assert all(verdict.possible for verdict in verdicts)
