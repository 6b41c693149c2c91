"""Weekly hours in a company's local time, turned into UTC intervals for given days.

Local wall-clock times are applied here and nowhere else, which is what makes days
with a daylight-saving change work: each local time is converted on its own date.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from phasebook.scheduling.intervals import Interval

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


class HoursError(ValueError):
    """Invalid weekly hours; the message is German."""


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """For each weekday (0 = Monday) the local (open, close) pairs, sorted and disjoint."""

    days: tuple[tuple[tuple[time, time], ...], ...]

    def on(self, day: date) -> tuple[tuple[time, time], ...]:
        return self.days[day.weekday()]

    def as_dict(self) -> dict[str, list[list[str]]]:
        return {
            name: [
                [opening.strftime("%H:%M"), closing.strftime("%H:%M")] for opening, closing in spans
            ]
            for name, spans in zip(WEEKDAYS, self.days, strict=True)
        }


def parse_weekly_hours(raw: object) -> WeeklyHours:
    """From `{"mon": [["09:00", "18:00"]], …}`; a missing weekday is closed all day."""
    if not isinstance(raw, Mapping):
        raise HoursError("Die Zeiten müssen ein Objekt mit Wochentagen (mon … sun) sein.")
    unknown = sorted(set(raw) - set(WEEKDAYS))
    if unknown:
        raise HoursError(f"Unbekannte Wochentage: {', '.join(map(str, unknown))}.")
    return WeeklyHours(tuple(_parse_day(name, raw.get(name) or []) for name in WEEKDAYS))


def _parse_day(name: str, spans: object) -> tuple[tuple[time, time], ...]:
    day_name = WEEKDAY_NAMES_DE[WEEKDAYS.index(name)]
    if not isinstance(spans, list):
        raise HoursError(f"{day_name}: erwartet eine Liste von [Beginn, Ende].")
    parsed = sorted(_parse_span(day_name, span) for span in spans)
    for (_, previous_close), (next_open, _) in pairwise(parsed):
        if next_open < previous_close:
            raise HoursError(f"{day_name}: die Zeiträume überschneiden sich.")
    return tuple(parsed)


def _parse_span(day_name: str, span: object) -> tuple[time, time]:
    if not isinstance(span, list | tuple) or len(span) != 2:
        raise HoursError(f'{day_name}: jeder Zeitraum ist ein Paar ["HH:MM", "HH:MM"].')
    try:
        opening, closing = (time.fromisoformat(str(value)) for value in span)
    except ValueError as error:
        raise HoursError(f"{day_name}: {span!r} ist keine gültige Uhrzeit (HH:MM).") from error
    if closing <= opening:
        raise HoursError(
            f"{day_name}: das Ende {closing:%H:%M} liegt nicht nach dem Beginn {opening:%H:%M}."
        )
    return opening, closing


def local_instant(day: date, wall_time: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall-clock time, or None if that time does not exist
    on this day (the hour skipped when clocks go forward). In the hour repeated when they
    go back, the first of the two instants."""
    instants = local_instants(day, wall_time, zone)
    return instants[0] if instants else None


def local_instants(day: date, wall_time: time, zone: ZoneInfo) -> list[datetime]:
    """Every UTC instant showing this wall-clock time: none in the hour skipped when clocks
    go forward, two in the hour repeated when they go back, else one."""
    local = datetime.combine(day, wall_time, tzinfo=zone)
    if local.utcoffset() == local.replace(fold=1).utcoffset():
        return [local.astimezone(UTC)]  # the common case: no clock change at this time
    instants: list[datetime] = []
    for fold in (0, 1):
        local = datetime.combine(day, wall_time, tzinfo=zone).replace(fold=fold)
        instant = local.astimezone(UTC)
        exists = instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)
        if exists and instant not in instants:
            instants.append(instant)
    return instants


def _to_utc_boundary(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """The first instant at which the local clock has reached `wall_time` on `day`.

    A boundary inside a skipped hour moves to the first existing instant after it, the
    moment the clocks jump (Python's default would move it a whole hour later); a boundary
    inside a repeated hour is its first occurrence.
    """
    instant = local_instant(day, wall_time, zone)
    if instant is not None:
        return instant
    local = datetime.combine(day, wall_time, tzinfo=zone)
    # In a gap, fold=1 reads the time with the offset after the jump, which lands before
    # the jump, and fold=0 with the offset before it, which lands after: bisect between.
    before = local.replace(fold=1).astimezone(UTC)
    after = local.astimezone(UTC)
    offset_after = after.astimezone(zone).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) // 2
        if middle.astimezone(zone).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return after


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@lru_cache(maxsize=4096)
def windows_on(hours: WeeklyHours, day: date, zone: ZoneInfo) -> tuple[Interval, ...]:
    """The UTC intervals of `hours` on the local `day`.

    Cached: a pure function of hashable values that every search asks again for the same
    stylists' days, so the time-zone arithmetic is done once per (hours, day).
    """
    return tuple(
        Interval(_to_utc_boundary(day, opening, zone), _to_utc_boundary(day, closing, zone))
        for opening, closing in hours.on(day)
    )


def local_windows(
    hours: WeeklyHours,
    zone: ZoneInfo,
    first: date,
    last: date,
    closed: frozenset[date] = frozenset(),
) -> list[Interval]:
    """The UTC intervals covered by `hours` on the local days first … last, minus closed days."""
    return [
        window
        for day in days_between(first, last)
        if day not in closed
        for window in windows_on(hours, day, zone)
    ]


def local_day_span(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The local dates touched by the instants start … end."""
    return start.astimezone(zone).date(), end.astimezone(zone).date()
