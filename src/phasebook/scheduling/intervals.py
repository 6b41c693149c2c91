"""Half-open time intervals [start, end) over aware datetimes, and the arithmetic on them."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    """[start, end): back-to-back intervals do not overlap. Stored in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("intervals take aware datetimes only")
        # Python compares and subtracts two datetimes of the same zone by wall clock,
        # ignoring the offset: across a DST change that is wrong, so keep instants in UTC.
        if self.start.tzinfo is not UTC or self.end.tzinfo is not UTC:
            object.__setattr__(self, "start", self.start.astimezone(UTC))
            object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.end < self.start:
            raise ValueError(f"interval ends before it starts: {self.start} > {self.end}")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        # Some instant lies in both. An empty interval holds none, so it overlaps nothing,
        # just as `merge` and `subtract` ignore it.
        return max(self.start, other.start) < min(self.end, other.end)

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def shifted(self, delta: timedelta) -> Interval:
        return Interval(self.start + delta, self.end + delta)


_bounds = attrgetter("start", "end")


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union. Touching intervals are joined."""
    merged: list[Interval] = []
    # Sorted by an attrgetter key, which is far cheaper than the dataclass's own __lt__.
    for interval in sorted(intervals, key=_bounds):
        if interval.start == interval.end:
            continue
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, interval.end))
        else:
            merged.append(interval)
    return merged


def subtract(base: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """The parts of `base` not covered by any hole, sorted. One linear sweep."""
    holes = merge(holes)
    remaining: list[Interval] = []
    first_hole = 0
    for part in merge(base):
        # Holes that end before this part cannot touch it or any later part.
        while first_hole < len(holes) and holes[first_hole].end <= part.start:
            first_hole += 1
        cursor = part.start
        index = first_hole
        while index < len(holes) and holes[index].start < part.end:
            hole = holes[index]
            if cursor < hole.start:
                remaining.append(Interval(cursor, hole.start))
            cursor = max(cursor, hole.end)
            index += 1
        if cursor < part.end:
            remaining.append(Interval(cursor, part.end))
    return remaining


class IntervalIndex:
    """Sorted intervals answering "which of them overlap this one?" in O(log n + k).

    Intervals may overlap each other (a phase and an absence), so a running maximum of
    end times tells how far back an overlapping interval can still start.
    """

    def __init__(self, items: Iterable[tuple[Interval, object]]) -> None:
        ordered = sorted(items, key=lambda item: (item[0].start, item[0].end))
        self._intervals = [interval for interval, _ in ordered]
        self._payloads = [payload for _, payload in ordered]
        self._starts = [interval.start for interval in self._intervals]
        self._reach: list[datetime] = []
        for interval in self._intervals:
            self._reach.append(max(interval.end, self._reach[-1]) if self._reach else interval.end)

    def overlapping(self, probe: Interval) -> list[tuple[Interval, object]]:
        found: list[tuple[Interval, object]] = []
        position = bisect_left(self._starts, probe.end) - 1
        while position >= 0 and self._reach[position] > probe.start:
            interval = self._intervals[position]
            if interval.overlaps(probe):
                found.append((interval, self._payloads[position]))
            position -= 1
        found.reverse()
        return found


@dataclass(frozen=True, slots=True)
class StartRange:
    """A closed range [low, high] of admissible start instants."""

    low: datetime
    high: datetime


def starts_fitting(
    free: Sequence[Interval], offset: timedelta, length: timedelta
) -> list[StartRange]:
    """Starts t that put [t + offset, t + offset + length) inside one free interval."""
    return [
        StartRange(window.start - offset, window.end - offset - length)
        for window in free
        if window.duration >= length
    ]


def intersect_ranges(first: Sequence[StartRange], second: Sequence[StartRange]) -> list[StartRange]:
    """Both inputs sorted and disjoint; so is the result."""
    result: list[StartRange] = []
    i = j = 0
    while i < len(first) and j < len(second):
        low = max(first[i].low, second[j].low)
        high = min(first[i].high, second[j].high)
        if low <= high:
            result.append(StartRange(low, high))
        if first[i].high < second[j].high:
            i += 1
        else:
            j += 1
    return result


def range_contains(
    ranges: Sequence[StartRange], instant: datetime, lows: Sequence[datetime]
) -> bool:
    """Whether `instant` lies in one of the sorted, disjoint `ranges` (`lows` = their low ends)."""
    position = bisect_right(lows, instant) - 1
    return position >= 0 and instant <= ranges[position].high
