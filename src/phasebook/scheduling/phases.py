"""Phase generation: a service's segments laid out from a start instant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.segments import Segment


@dataclass(frozen=True, slots=True)
class PlannedPhase:
    """An appointment's timed instance of one segment."""

    segment: Segment
    sequence_order: int
    interval: Interval

    @property
    def key(self) -> str:
        return self.segment.key

    @property
    def staff_required(self) -> bool:
        return self.segment.staff_required


def plan_phases(segments: Sequence[Segment], start: datetime) -> tuple[PlannedPhase, ...]:
    """Consecutive phases, one per segment, starting at `start` (aware, any zone).

    Durations are real minutes: the arithmetic runs in UTC, because adding minutes to a
    local datetime would count wall-clock minutes across a DST change.
    """
    phases: list[PlannedPhase] = []
    cursor = start.astimezone(UTC)
    for order, segment in enumerate(segments, 1):
        end = cursor + timedelta(minutes=segment.duration_minutes)
        phases.append(PlannedPhase(segment, order, Interval(cursor, end)))
        cursor = end
    return tuple(phases)


def staff_offsets(segments: Sequence[Segment]) -> list[tuple[Segment, timedelta, timedelta]]:
    """(segment, offset from the appointment's start, length) for each staff-required segment."""
    offsets: list[tuple[Segment, timedelta, timedelta]] = []
    cursor = timedelta()
    for segment in segments:
        length = timedelta(minutes=segment.duration_minutes)
        if segment.staff_required:
            offsets.append((segment, cursor, length))
        cursor += length
    return offsets
