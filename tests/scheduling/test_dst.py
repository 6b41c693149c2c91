"""Europe/Berlin around the clock changes of 2026.

Spring: on Sunday 29 March 02:00 CET the clocks jump to 03:00 CEST (01:00 UTC).
Autumn: on Sunday 25 October 03:00 CEST they go back to 02:00 CET (01:00 UTC).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from phasebook.scheduling.availability import (
    Rule,
    candidate_starts,
    check_start,
    on_grid,
    search_slots,
)
from phasebook.scheduling.calendar import local_instant, local_windows, windows_on
from phasebook.scheduling.explain import describe
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import plan_phases
from tests.support.scheduling import (
    BERLIN,
    COLOUR,
    at,
    busy,
    clock,
    hours,
    policy,
    segments,
    stylist,
    utc,
)

SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)
DAY_AND_NIGHT = hours([("00:00", "23:59")])
NINE_TO_SIX = hours([("09:00", "18:00")])
HOUR = segments(("A", 60, True))


def day_window(day: date) -> Interval:
    return Interval(at(day, "00:00"), at(day + timedelta(days=1), "00:00"))


def test_opening_hours_are_an_hour_earlier_in_utc_after_the_spring_change() -> None:
    windows = local_windows(NINE_TO_SIX, BERLIN, SPRING - timedelta(days=2), SPRING + timedelta(1))

    assert [(w.start, w.end) for w in windows] == [
        (utc("2026-03-27T08:00"), utc("2026-03-27T17:00")),  # Friday, CET
        (utc("2026-03-28T08:00"), utc("2026-03-28T17:00")),  # Saturday, CET
        (utc("2026-03-29T07:00"), utc("2026-03-29T16:00")),  # Sunday, CEST already
        (utc("2026-03-30T07:00"), utc("2026-03-30T16:00")),  # Monday, CEST
    ]


def test_opening_hours_are_an_hour_later_in_utc_after_the_autumn_change() -> None:
    windows = local_windows(NINE_TO_SIX, BERLIN, AUTUMN - timedelta(days=2), AUTUMN + timedelta(1))

    assert [(w.start, w.end) for w in windows] == [
        (utc("2026-10-23T07:00"), utc("2026-10-23T16:00")),  # Friday, CEST
        (utc("2026-10-24T07:00"), utc("2026-10-24T16:00")),  # Saturday, CEST
        (utc("2026-10-25T08:00"), utc("2026-10-25T17:00")),  # Sunday, CET already
        (utc("2026-10-26T08:00"), utc("2026-10-26T17:00")),  # Monday, CET
    ]


def test_a_whole_day_opening_is_an_hour_shorter_in_spring_and_longer_in_autumn() -> None:
    (spring,) = windows_on(DAY_AND_NIGHT, SPRING, BERLIN)
    (autumn,) = windows_on(DAY_AND_NIGHT, AUTUMN, BERLIN)

    assert (spring.start, spring.duration) == (
        utc("2026-03-28T23:00"),
        timedelta(hours=22.98333333333333),
    )
    assert autumn.start == utc("2026-10-24T22:00")
    assert autumn.duration == timedelta(hours=24, minutes=59)


def test_a_boundary_in_the_skipped_hour_is_the_moment_the_clocks_jump() -> None:
    # Regression: "until 02:30" used to mean 03:30 CEST, half an hour past the wall clock.
    (early_shift,) = windows_on(hours([("00:00", "02:30")]), SPRING, BERLIN)
    (late_opening,) = windows_on(hours([("02:30", "06:00")]), SPRING, BERLIN)

    assert early_shift.end == utc("2026-03-29T01:00") == late_opening.start
    assert clock(early_shift.end) == "03:00"


def test_a_boundary_in_the_repeated_hour_is_its_first_occurrence() -> None:
    (window,) = windows_on(hours([("00:00", "02:30")]), AUTUMN, BERLIN)

    assert window.end == utc("2026-10-25T00:30")


def test_a_skipped_wall_clock_time_has_no_instant() -> None:
    assert local_instant(SPRING, at(SPRING, "02:30").time(), BERLIN) is None
    assert local_instant(SPRING, at(SPRING, "03:00").time(), BERLIN) == utc("2026-03-29T01:00")


def test_a_phase_across_the_spring_jump_lasts_its_minutes_not_its_wall_clock_span() -> None:
    (phase,) = plan_phases(HOUR, at(SPRING, "01:30"))

    assert phase.interval.duration == timedelta(hours=1)
    assert (clock(phase.interval.start), clock(phase.interval.end)) == ("01:30", "03:30")


def test_a_phase_across_the_autumn_change_lasts_its_minutes() -> None:
    (phase,) = plan_phases(HOUR, at(AUTUMN, "02:30"))

    assert phase.interval.duration == timedelta(hours=1)
    assert (clock(phase.interval.start), clock(phase.interval.end)) == ("02:30", "02:30")


def test_spring_candidates_skip_the_missing_hour() -> None:
    night = policy(hours([("00:00", "04:00")]), step=timedelta(minutes=30))

    found = candidate_starts(night, SPRING, SPRING)

    assert [clock(start) for start in found] == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "03:00",
        "03:30",
    ]
    assert found[4] - found[3] == timedelta(minutes=30)


def test_autumn_candidates_offer_the_repeated_hour_twice() -> None:
    # Regression: the second 02:00 and 02:30 (CET) were bookable but never offered.
    night = policy(hours([("00:00", "04:00")]), step=timedelta(minutes=30))

    found = candidate_starts(night, AUTUMN, AUTUMN)

    assert [clock(start) for start in found] == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "02:00",
        "02:30",
        "02:00",
        "02:30",
        "03:00",
        "03:30",
    ]
    assert all(later - earlier == timedelta(minutes=30) for earlier, later in pairwise(found))
    assert all(on_grid(start, night) for start in found)


def test_candidates_on_ordinary_days_next_to_the_changes_keep_their_wall_clock() -> None:
    salon = policy(NINE_TO_SIX, step=timedelta(hours=1))

    for day in (
        SPRING - timedelta(days=1),
        SPRING + timedelta(days=1),
        AUTUMN - timedelta(days=1),
        AUTUMN + timedelta(days=1),
    ):
        found = candidate_starts(salon, day, day)
        assert [clock(start) for start in found] == [f"{h:02d}:00" for h in range(9, 18)]


def test_a_colour_across_the_spring_jump_is_bookable_with_day_and_night_hours() -> None:
    salon = policy(DAY_AND_NIGHT)
    night_owl = stylist(working=DAY_AND_NIGHT)
    start = at(SPRING, "01:00")
    now = start - timedelta(days=1)

    verdict = check_start(COLOUR, start, [night_owl], [], salon, now)
    slots = search_slots(COLOUR, [night_owl], [], salon, now, day_window(SPRING))

    assert verdict.possible
    assert clock(verdict.phases[-1].interval.end) == "04:40"  # 160 minutes, one hour skipped
    assert start in [slot.start for slot in slots]


def test_the_search_offers_both_instants_of_the_repeated_hour() -> None:
    salon = policy(DAY_AND_NIGHT)
    night_owl = stylist(working=DAY_AND_NIGHT)
    now = at(AUTUMN, "00:00") - timedelta(days=1)
    first, second = utc("2026-10-25T00:15"), utc("2026-10-25T01:15")  # both 02:15 local

    slots = [
        slot.start for slot in search_slots(HOUR, [night_owl], [], salon, now, day_window(AUTUMN))
    ]

    assert clock(first) == clock(second) == "02:15"
    assert first in slots
    assert second in slots
    assert check_start(HOUR, second, [night_owl], [], salon, now).possible


def test_the_minimum_notice_counts_real_time_across_the_jump() -> None:
    salon = policy(DAY_AND_NIGHT)
    now = at(SPRING, "01:30")  # one hour later it is 03:30 CEST

    slots = search_slots(HOUR, [stylist(working=DAY_AND_NIGHT)], [], salon, now, day_window(SPRING))

    assert clock(slots[0].start) == "03:30"


def test_working_hours_are_checked_in_local_time_after_the_change() -> None:
    salon = policy(NINE_TO_SIX)
    monday = SPRING + timedelta(days=1)
    now = at(monday, "00:00") - timedelta(days=2)

    at_nine = check_start(HOUR, at(monday, "09:00"), [stylist()], [], salon, now)
    at_eight = check_start(HOUR, at(monday, "08:00"), [stylist()], [], salon, now)

    assert at_nine.possible
    assert [c.rule for c in at_eight.salon_conflicts] == [Rule.OUTSIDE_OPENING_HOURS]


def test_explanations_show_local_times_after_each_change() -> None:
    for monday in (SPRING + timedelta(days=1), AUTUMN + timedelta(days=1)):
        blocking = busy(Interval(at(monday, "10:00"), at(monday, "11:00")), label="Formschnitt")
        verdict = check_start(
            HOUR, at(monday, "10:30"), [stylist(busy=[blocking])], [], policy(), at(monday, "00:00")
        )

        (conflict,) = verdict.staff_conflicts["anna"]
        assert describe(conflict, verdict, policy(), {"anna": "Anna"}) == (
            "Die Phase „A“ (10:30–11:30) überschneidet sich mit „Formschnitt“ (10:00–11:00) "
            "von Anna."
        )


def test_the_minimum_notice_counts_real_time_when_the_clocks_go_back() -> None:
    # Regression: a local "now" plus one hour was an hour of wall clock, two real hours here.
    salon = policy(DAY_AND_NIGHT)
    now = at(AUTUMN, "01:30")  # CEST; one real hour later it is 02:30 CEST

    slots = search_slots(HOUR, [stylist(working=DAY_AND_NIGHT)], [], salon, now, day_window(AUTUMN))

    assert slots[0].start == utc("2026-10-25T00:30")
    assert check_start(
        HOUR, slots[0].start, [stylist(working=DAY_AND_NIGHT)], [], salon, now
    ).possible


def test_the_second_instants_of_the_repeated_hour_count_even_before_the_opening_time() -> None:
    # Regression: open 02:15–03:00 on the autumn day holds 02:00 CET (after 02:15 CEST),
    # which check_start allowed but the search never offered.
    late_night = policy(hours([("02:15", "03:00")]), step=timedelta(minutes=30))

    found = candidate_starts(late_night, AUTUMN, AUTUMN)

    assert found == [utc("2026-10-25T00:30"), utc("2026-10-25T01:00"), utc("2026-10-25T01:30")]
    assert [clock(start) for start in found] == ["02:30", "02:00", "02:30"]
