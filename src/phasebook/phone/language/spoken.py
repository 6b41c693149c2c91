"""Instants and lists as German to be read aloud by the phone agent.

Phone replies are German by design: the agent speaks German to the salon's callers.
Digits are kept ("10 Uhr 30"): the speech synthesis reads them naturally and an LLM quoting
them back cannot mishear a number word.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time

from phasebook.scheduling.calendar import WEEKDAY_NAMES_DE, WeeklyHours

MONTH_NAMES_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def spoken_clock(moment: time | datetime) -> str:
    """Hours and minutes: "10 Uhr 30", "10 Uhr", "14 Uhr 5"."""
    if moment.minute == 0:
        return f"{moment.hour} Uhr"
    return f"{moment.hour} Uhr {moment.minute}"


_ARTICLES = {"nominative": "der", "dative": "dem", "accusative": "den"}


def spoken_day(day: date, case: str = "nominative") -> str:
    """Weekday, day and month: "Dienstag, der 8. Dezember"; after "am" the dative ("Dienstag,
    dem 8. Dezember"), after "meinen Sie" the accusative ("Dienstag, den 8. Dezember")."""
    month = MONTH_NAMES_DE[day.month - 1]
    return f"{WEEKDAY_NAMES_DE[day.weekday()]}, {_ARTICLES[case]} {day.day}. {month}"


def spoken_start(moment: datetime) -> str:
    """Day and time, "Dienstag, der 8. Dezember, um 10 Uhr 30", of `moment` in the salon's zone."""
    return f"{spoken_day(moment.date())}, um {spoken_clock(moment)}"


def spoken_on(moment: datetime) -> str:
    """For the middle of a sentence: "am Dienstag, dem 8. Dezember, um 10 Uhr 30"."""
    return f"am {spoken_day(moment.date(), 'dative')}, um {spoken_clock(moment)}"


def spoken_wait(seconds: int) -> str:
    """When to try again: "in 40 Sekunden", "in etwa 2 Minuten", "in etwa einer Stunde"
    (a wait of minutes is rounded up: the caller who tries then is let through)."""
    if seconds < 60:
        return "in einer Sekunde" if seconds <= 1 else f"in {seconds} Sekunden"
    minutes = math.ceil(seconds / 60)
    if minutes >= 55:
        return "in etwa einer Stunde"
    return "in etwa einer Minute" if minutes == 1 else f"in etwa {minutes} Minuten"


def spoken_choices(items: Sequence[str], conjunction: str = "oder") -> str:
    """Items as spoken: "A", "A oder B", "A, B oder C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def spoken_hours(hours: WeeklyHours) -> str:
    """Opening hours as a sentence: "Montag bis Freitag von 9 bis 18 Uhr, Samstag von 9 bis
    14 Uhr, Sonntag geschlossen." Consecutive days with the same hours are one group."""
    groups: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
    for weekday, spans in enumerate(hours.days):
        if groups and groups[-1][2] == spans:
            groups[-1] = (groups[-1][0], weekday, spans)
        else:
            groups.append((weekday, weekday, spans))
    parts = [f"{_days(first, last)} {_spans(spans)}" for first, last, spans in groups]
    return ", ".join(parts) + "."


def _days(first: int, last: int) -> str:
    if first == last:
        return WEEKDAY_NAMES_DE[first]
    joiner = " und " if last == first + 1 else " bis "
    return f"{WEEKDAY_NAMES_DE[first]}{joiner}{WEEKDAY_NAMES_DE[last]}"


def _spans(spans: tuple[tuple[time, time], ...]) -> str:
    if not spans:
        return "geschlossen"
    ranges = [f"von {_hour(opening)} bis {spoken_clock(closing)}" for opening, closing in spans]
    return " und ".join(ranges)


def _hour(moment: time) -> str:
    """The opening hour before "bis": "9", the "Uhr" is said once at the end of the range."""
    return str(moment.hour) if moment.minute == 0 else spoken_clock(moment)


def spoken_times(starts: Sequence[datetime], day: date) -> str:
    """Starts as choices: "um 9 Uhr" on `day`, "am Mittwoch, dem 9. Dezember, um 9 Uhr" on
    another day (each in the salon's zone)."""
    said = [
        f"um {spoken_clock(start)}" if start.date() == day else spoken_on(start) for start in starts
    ]
    return spoken_choices(said)
