"""Service definitions: ONE segment format, validated once.

A service is an ordered list of segments `{key, name, duration_minutes, staff_required}`.
Processing time (Einwirkzeit) is a segment with `staff_required: false`, conventionally
keyed `GAP_A`, `GAP_B`, …; a service with a single segment is a simple service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_KEY_LENGTH = 10  # the seed's appointment_phases.segment_key is VARCHAR(10)
MAX_NAME_LENGTH = 255


class SegmentError(ValueError):
    """An invalid service definition; the message is German and names the problem."""


@dataclass(frozen=True, slots=True)
class Segment:
    key: str
    name: str
    duration_minutes: int
    staff_required: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "duration_minutes": self.duration_minutes,
            "staff_required": self.staff_required,
        }


def parse_segments(raw: object) -> tuple[Segment, ...]:
    """Validate a service definition and return its segments, or raise SegmentError."""
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise SegmentError("Die Segmente müssen eine Liste sein.")
    if not raw:
        raise SegmentError("Eine Leistung braucht mindestens ein Segment.")
    segments = tuple(_parse_segment(position, item) for position, item in enumerate(raw, 1))
    _check_unique_keys(segments)
    _check_gaps_are_inside(segments)
    return segments


def _parse_segment(position: int, item: object) -> Segment:
    if not isinstance(item, Mapping):
        raise SegmentError(
            f"Segment {position} muss ein Objekt mit key, name, duration_minutes "
            "und staff_required sein."
        )
    missing = [
        field
        for field in ("key", "name", "duration_minutes", "staff_required")
        if field not in item
    ]
    if missing:
        raise SegmentError(f"Segment {position}: es fehlt {', '.join(missing)}.")
    key, name = item["key"], item["name"]
    duration, staff_required = item["duration_minutes"], item["staff_required"]
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise SegmentError(
            f"Segment {position}: der Schlüssel muss 1 bis {MAX_KEY_LENGTH} Zeichen lang sein."
        )
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise SegmentError(f"Segment {key}: der Name darf nicht leer sein.")
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        raise SegmentError(
            f"Segment {key}: die Dauer muss eine positive ganze Zahl von Minuten "
            f"sein, nicht {duration!r}."
        )
    if not isinstance(staff_required, bool):
        raise SegmentError(f"Segment {key}: staff_required muss true oder false sein.")
    return Segment(key.strip(), name.strip(), duration, staff_required)


def _check_unique_keys(segments: tuple[Segment, ...]) -> None:
    seen: set[str] = set()
    for segment in segments:
        if segment.key in seen:
            raise SegmentError(f"Der Segment-Schlüssel {segment.key} kommt mehrfach vor.")
        seen.add(segment.key)


def _check_gaps_are_inside(segments: tuple[Segment, ...]) -> None:
    # A gap at either end would be a client sitting in the salon with nobody serving them.
    if not segments[0].staff_required:
        raise SegmentError(f"Die Einwirkzeit {segments[0].key} darf nicht das erste Segment sein.")
    if not segments[-1].staff_required:
        raise SegmentError(
            f"Die Einwirkzeit {segments[-1].key} darf nicht das letzte Segment sein."
        )


def total_minutes(segments: Sequence[Segment]) -> int:
    return sum(segment.duration_minutes for segment in segments)
