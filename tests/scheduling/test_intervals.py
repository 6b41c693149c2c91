"""Half-open intervals and the arithmetic on them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from phasebook.scheduling.intervals import Interval, IntervalIndex, merge, subtract
from tests.support.scheduling import utc


def iv(start: str, end: str) -> Interval:
    return Interval(utc(f"2026-06-15T{start}"), utc(f"2026-06-15T{end}"))


def test_back_to_back_intervals_do_not_overlap() -> None:
    assert not iv("09:00", "10:00").overlaps(iv("10:00", "11:00"))
    assert not iv("10:00", "11:00").overlaps(iv("09:00", "10:00"))


def test_intervals_sharing_a_minute_overlap() -> None:
    assert iv("09:00", "10:01").overlaps(iv("10:00", "11:00"))


def test_an_empty_interval_overlaps_nothing() -> None:
    assert not iv("10:00", "10:00").overlaps(iv("09:00", "11:00"))
    assert not iv("09:00", "11:00").overlaps(iv("10:00", "10:00"))


def test_an_interval_contains_itself_and_its_parts() -> None:
    assert iv("09:00", "10:00").contains(iv("09:00", "10:00"))
    assert iv("09:00", "10:00").contains(iv("09:15", "09:45"))
    assert not iv("09:00", "10:00").contains(iv("09:30", "10:15"))


def test_an_interval_needs_aware_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        Interval(datetime(2026, 6, 15, 9), datetime(2026, 6, 15, 10))  # noqa: DTZ001


def test_an_interval_may_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        iv("10:00", "09:00")


def test_merge_joins_touching_and_overlapping_intervals_and_drops_empty_ones() -> None:
    merged = merge(
        [
            iv("11:00", "12:00"),
            iv("09:00", "10:00"),
            iv("10:00", "10:30"),
            iv("10:15", "10:45"),
            iv("13:00", "13:00"),
        ]
    )

    assert merged == [iv("09:00", "10:45"), iv("11:00", "12:00")]


def test_subtract_cuts_holes_out_of_the_base() -> None:
    free = subtract([iv("09:00", "18:00")], [iv("10:00", "11:00"), iv("12:00", "12:30")])

    assert free == [iv("09:00", "10:00"), iv("11:00", "12:00"), iv("12:30", "18:00")]


def test_a_hole_spanning_two_parts_removes_from_both() -> None:
    free = subtract([iv("09:00", "12:00"), iv("13:00", "18:00")], [iv("11:00", "14:00")])

    assert free == [iv("09:00", "11:00"), iv("14:00", "18:00")]


def test_the_index_finds_overlaps_but_not_neighbours() -> None:
    index = IntervalIndex(
        [
            (iv("08:00", "17:00"), "absence"),
            (iv("09:00", "10:00"), "cut"),
            (iv("10:00", "11:00"), "colour"),
            (iv("11:00", "12:00"), "wash"),
        ]
    )

    found = [payload for _, payload in index.overlapping(iv("10:00", "11:00"))]

    assert found == ["absence", "colour"]


def test_shifting_moves_both_ends() -> None:
    assert iv("09:00", "10:00").shifted(timedelta(hours=1)) == iv("10:00", "11:00")
