"""THE predicate: which rule stops a start, for the salon and for each stylist."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from phasebook.scheduling.availability import (
    Busy,
    BusyKind,
    Policy,
    Rule,
    StaffSchedule,
    check_start,
    find_conflicts,
    on_grid,
)
from phasebook.scheduling.phases import plan_phases
from phasebook.scheduling.segments import Segment
from tests.support.scheduling import (
    COLOUR,
    CUT,
    MONDAY,
    NOW,
    at,
    busy,
    hours,
    policy,
    segments,
    span,
    stylist,
)

SUNDAY = MONDAY - timedelta(days=1)


def rules(
    start: str,
    service: Sequence[Segment] = COLOUR,
    staff: StaffSchedule | None = None,
    customer: Sequence[Busy] = (),
    pol: Policy | None = None,
    now: datetime = NOW,
) -> list[Rule]:
    phases = plan_phases(service, at(MONDAY, start))
    conflicts = find_conflicts(phases, staff or stylist(), customer, pol or policy(), now)
    return [conflict.rule for conflict in conflicts]


def test_a_colour_inside_opening_and_working_hours_is_bookable() -> None:
    assert rules("10:00") == []


def test_a_cut_fits_into_another_clients_processing_time() -> None:
    colour = plan_phases(COLOUR, at(MONDAY, "10:00"))
    anna = stylist(busy=[busy(p.interval) for p in colour if p.staff_required])

    assert rules("10:30", CUT, anna) == []


def test_a_cut_may_not_overlap_the_wash_after_the_processing_time() -> None:
    colour = plan_phases(COLOUR, at(MONDAY, "10:00"))
    anna = stylist(busy=[busy(p.interval, label=p.segment.name) for p in colour[2:]])

    assert rules("10:45", CUT, anna) == [Rule.STAFF_BUSY]


def test_a_new_colour_whose_processing_time_holds_an_existing_cut_is_bookable() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "10:30", "11:00"))])

    assert rules("10:00", COLOUR, anna) == []


def test_back_to_back_appointments_are_fine() -> None:
    before, after = span(MONDAY, "09:30", "10:00"), span(MONDAY, "12:40", "13:00")
    anna = stylist(busy=[busy(before), busy(after)])

    assert rules("10:00", COLOUR, anna) == []


def test_a_staff_phase_may_not_overlap_another_staff_phase() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "12:30", "12:45"))])

    assert rules("10:00", COLOUR, anna) == [Rule.STAFF_BUSY]


def test_an_absence_blocks_the_stylist() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "08:00", "11:30"), BusyKind.ABSENCE)])

    assert rules("10:00", COLOUR, anna) == [Rule.STAFF_ABSENT] * 3  # A, B and C


def test_an_absence_during_the_processing_time_does_not_block() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "10:30", "11:00"), BusyKind.ABSENCE)])

    assert rules("10:00", COLOUR, anna) == []


def test_an_external_calendar_block_blocks_the_stylist() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "11:00", "11:10"), BusyKind.EXTERNAL)])

    assert rules("10:00", COLOUR, anna) == [Rule.EXTERNAL_BUSY]


def test_the_client_occupies_the_whole_appointment_including_the_gap() -> None:
    other_appointment = busy(span(MONDAY, "10:30", "11:00"), BusyKind.APPOINTMENT)

    assert rules("10:00", customer=[other_appointment]) == [Rule.CUSTOMER_BUSY]


def test_the_client_may_come_back_to_back() -> None:
    other_appointment = busy(span(MONDAY, "12:40", "13:00"), BusyKind.APPOINTMENT)

    assert rules("10:00", customer=[other_appointment]) == []


def test_the_whole_appointment_must_be_inside_opening_hours() -> None:
    # 160 minutes: 15:15 ends at 17:55, 15:30 at 18:10, 17:00 at 19:40.
    assert rules("17:00") == [Rule.OUTSIDE_OPENING_HOURS] + [Rule.OUTSIDE_WORKING_HOURS] * 3
    assert rules("15:15") == []
    assert rules("15:30") == [Rule.OUTSIDE_OPENING_HOURS, Rule.OUTSIDE_WORKING_HOURS]


def test_an_appointment_may_not_start_before_opening() -> None:
    assert Rule.OUTSIDE_OPENING_HOURS in rules("08:45", CUT)
    assert rules("09:00", CUT) == []


def test_opening_hours_touching_each_other_form_one_window() -> None:
    split = hours([("09:00", "12:00"), ("12:00", "18:00")])

    assert rules("11:45", CUT, stylist(working=split), pol=policy(split)) == []


def test_staff_phases_must_be_inside_working_hours() -> None:
    late_start = stylist(working=hours([("11:00", "18:00")]))

    assert rules("10:00", COLOUR, late_start) == [Rule.OUTSIDE_WORKING_HOURS]


def test_a_stylists_break_may_fall_into_the_processing_time() -> None:
    long_gap = segments(("A", 30, True), ("GAP_A", 60, False), ("B", 30, True))
    lunch_break = stylist(working=hours([("09:00", "12:00"), ("13:00", "18:00")]))

    assert rules("11:30", long_gap, lunch_break) == []
    assert rules("11:45", long_gap, lunch_break) == [Rule.OUTSIDE_WORKING_HOURS]


def test_a_stylist_off_that_day_cannot_take_it() -> None:
    off_on_mondays = stylist(working=hours([("09:00", "18:00")], ("tue", "wed")))

    assert rules("10:00", CUT, off_on_mondays) == [Rule.OUTSIDE_WORKING_HOURS]


def test_a_stylist_who_does_not_perform_the_service_is_not_qualified() -> None:
    assert rules("10:00", CUT, stylist(qualified=False)) == [Rule.STAFF_NOT_QUALIFIED]


def test_a_closed_date_closes_the_salon() -> None:
    assert rules("10:00", CUT, pol=policy(closed=[MONDAY])) == [Rule.SALON_CLOSED]


def test_a_weekday_without_opening_hours_is_closed() -> None:
    sundays_closed = policy(hours([("09:00", "18:00")], ("tue", "wed")))

    assert rules("10:00", CUT, pol=sundays_closed) == [Rule.SALON_CLOSED]


def test_the_minimum_notice_is_respected_to_the_minute() -> None:
    now = at(MONDAY, "09:00")

    assert rules("09:45", CUT, now=now) == [Rule.TOO_SOON]
    assert rules("10:00", CUT, now=now) == []


def test_the_horizon_is_respected_to_the_minute() -> None:
    short = policy(horizon=timedelta(days=1))

    assert rules("10:00", CUT, pol=short, now=at(MONDAY, "10:00") - timedelta(days=1)) == []
    assert rules("10:15", CUT, pol=short, now=at(MONDAY, "10:00") - timedelta(days=1)) == [
        Rule.BEYOND_HORIZON
    ]


def test_starts_must_be_on_the_slot_grid() -> None:
    assert rules("10:10", CUT) == [Rule.OFF_GRID]
    assert rules("10:10", CUT, pol=policy(step=timedelta(minutes=5))) == []


def test_the_grid_counts_from_local_midnight() -> None:
    three_quarters = policy(step=timedelta(minutes=45))

    assert on_grid(at(MONDAY, "09:45"), three_quarters)
    assert not on_grid(at(MONDAY, "10:00"), three_quarters)


def test_check_start_lists_conflicts_per_stylist_and_who_can_take_it() -> None:
    anna = stylist("anna", busy=[busy(span(MONDAY, "10:00", "10:30"))])
    ben = stylist("ben")
    cleo = stylist("cleo", qualified=False)

    verdict = check_start(CUT, at(MONDAY, "10:00"), [anna, ben, cleo], [], policy(), NOW)

    assert verdict.possible
    assert verdict.bookable_staff == ["ben"]
    assert [c.rule for c in verdict.staff_conflicts["anna"]] == [Rule.STAFF_BUSY]
    assert [c.rule for c in verdict.staff_conflicts["cleo"]] == [Rule.STAFF_NOT_QUALIFIED]


def test_a_salon_conflict_makes_every_stylist_unavailable() -> None:
    verdict = check_start(CUT, at(MONDAY, "10:00"), [stylist()], [], policy(closed=[MONDAY]), NOW)

    assert not verdict.possible
    assert verdict.bookable_staff == []
    assert verdict.staff_conflicts == {"anna": ()}


def test_the_conflict_names_the_phase_and_the_blocking_interval() -> None:
    blocking = busy(span(MONDAY, "11:00", "11:10"), label="Formschnitt")
    verdict = check_start(
        COLOUR, at(MONDAY, "10:00"), [stylist(busy=[blocking])], [], policy(), NOW
    )

    (conflict,) = verdict.staff_conflicts["anna"]
    assert conflict.phase is not None
    assert conflict.phase.key == "B"
    assert conflict.blocking == blocking
    assert conflict.staff_id == "anna"
