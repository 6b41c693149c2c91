"""A caller's date and time, resolved in the salon's zone against the salon's hours.

`resolve_request(date_phrase, time_phrase, now, zone, hours)`:
1. folds both phrases and finds the days, times and parts of the day in them (a date
   field may hold a time and a time field a date: the agent fills them as it hears them);
2. refuses what it cannot read exactly: unknown words left over, two different days or
   times, a weekday that contradicts the date, a day or time that is past;
3. settles a twelve-hour time against the part of the day said with it, else against the
   salon's hours on that day ("halb drei" is 14:30 in a salon), and asks when both readings
   are open hours;
4. returns `Resolved` (a day, and a start in the salon's zone when a time was said) or a
   `Question` to ask the caller. It never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from phasebook.phone.language.clock import ClockTime, DayPart, find_clock_times, find_day_parts
from phasebook.phone.language.dates import DayFinding, Question, find_days
from phasebook.phone.language.spoken import spoken_clock, spoken_day
from phasebook.phone.language.words import FILLERS, fold
from phasebook.scheduling.calendar import WEEKDAY_NAMES_DE, WeeklyHours, local_instant

__all__ = ["Question", "Resolved", "resolve_request"]


@dataclass(frozen=True)
class Resolved:
    day: date
    start: datetime | None = None  # in the salon's zone; None when no time was said
    part: DayPart | None = None  # "vormittags", when said without a time


@dataclass(frozen=True)
class _Heard:
    days: list[DayFinding | Question]
    clocks: list[ClockTime]
    parts: list[DayPart]
    unknown: list[str]


UNCLEAR = Question(
    "unclear", "Das habe ich nicht genau verstanden. An welchem Tag und um wie viel Uhr?"
)
DAY_MISSING = Question("date_missing", "An welchem Tag möchten Sie kommen?")


def resolve_request(
    date_phrase: str, time_phrase: str | None, now: datetime, zone: ZoneInfo, hours: WeeklyHours
) -> Resolved | Question:
    today = now.astimezone(zone).date()
    heard = _hear(date_phrase, time_phrase or "", today, zone)
    if heard.unknown:
        return UNCLEAR
    day = _one_day(heard.days)
    if isinstance(day, Question):
        return day
    if len(set(heard.parts)) > 1:
        return UNCLEAR
    part = heard.parts[0] if heard.parts else None
    if not heard.clocks:
        return Resolved(day, part=part)
    if len(set(heard.clocks)) > 1:
        return Question("time_ambiguous", "Welche Uhrzeit meinen Sie genau?")
    wall_time = _settle(heard.clocks[0], part, day, hours)
    if isinstance(wall_time, Question):
        return wall_time
    return _start(day, wall_time, now, zone)


def _hear(date_phrase: str, time_phrase: str, today: date, zone: ZoneInfo) -> _Heard:
    date_days, date_clocks, date_rest = find_days(
        fold(date_phrase), today, zone, numeric_without_dot=True
    )
    clocks, date_rest = find_clock_times(date_rest)
    # In the time field a lone number is an hour, and "15.30" a time, not a date.
    time_clocks, time_rest = find_clock_times(fold(time_phrase), bare_hour=True)
    time_days, iso_clocks, time_rest = find_days(time_rest, today, zone)
    parts, rest = find_day_parts(f"{date_rest} {time_rest}")
    words = rest.replace(",", " ").replace(".", " ").split()
    return _Heard(
        days=date_days + time_days,
        clocks=date_clocks + clocks + time_clocks + iso_clocks,
        parts=parts,
        unknown=[word for word in words if word not in FILLERS],
    )


def _one_day(findings: list[DayFinding | Question]) -> date | Question:
    """The one day all findings agree on; a weekday agrees with a date on that weekday."""
    for finding in findings:
        if isinstance(finding, Question):
            return finding
    days = [finding for finding in findings if isinstance(finding, DayFinding)]
    if not days:
        return DAY_MISSING
    dates = {finding.day for finding in days if not finding.weekday_only} or {
        finding.day for finding in days
    }
    if len(dates) > 1:
        return Question("date_conflict", "Welchen Tag meinen Sie genau?")
    (day,) = dates
    if any(finding.day.weekday() != day.weekday() for finding in days):
        weekday = WEEKDAY_NAMES_DE[day.weekday()]
        return Question(
            "weekday_mismatch", f"Der {day.day}.{day.month}. ist ein {weekday}. Welcher Tag?"
        )
    return day


def _settle(
    clock: ClockTime, part: DayPart | None, day: date, hours: WeeklyHours
) -> time | Question:
    """The wall-clock time meant: a twelve-hour time by the part of the day said with it,
    else by the salon's hours that day, else by its hours on any day."""
    candidates = clock.candidates()
    if len(candidates) == 1:
        return candidates[0]
    if part is not None:
        fitting = [moment for moment in candidates if part.holds(moment)]
        return (
            fitting[0]
            if fitting
            else Question(
                "time_unclear",
                f"Um {spoken_clock(candidates[0])} {part.name}? Welche Uhrzeit meinen Sie?",
            )
        )
    for spans in (hours.on(day), [span for day_spans in hours.days for span in day_spans]):
        open_then = [moment for moment in candidates if _within(moment, spans)]
        if len(open_then) == 1:
            return open_then[0]
        if len(open_then) == 2:
            morning, evening = open_then
            return Question(
                "time_ambiguous",
                f"Meinen Sie {spoken_clock(morning)} oder {spoken_clock(evening)}?",
            )
    # Neither reading is ever open: take the one a salon customer means (the morning
    # from 7 on, else the afternoon); the reply states it, and `explain` says why not.
    morning, afternoon = candidates
    return morning if morning.hour >= 7 else afternoon


def _within(moment: time, spans: list[tuple[time, time]] | tuple[tuple[time, time], ...]) -> bool:
    return any(opening <= moment < closing for opening, closing in spans)


def _start(day: date, wall_time: time, now: datetime, zone: ZoneInfo) -> Resolved | Question:
    instant = local_instant(day, wall_time, zone)
    if instant is None:
        return Question(
            "time_skipped",
            f"{spoken_clock(wall_time)} gibt es an diesem Tag wegen der Zeitumstellung nicht.",
        )
    if instant <= now:
        return Question(
            "time_past",
            f"{spoken_day(day)}, {spoken_clock(wall_time)}, ist schon vorbei. Wann darf es sein?",
        )
    return Resolved(day, start=instant.astimezone(zone))
