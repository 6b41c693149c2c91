"""Days as callers name them, resolved against today's date in the salon's zone.

Recognised (in folded text, see `words.fold`):
- "heute", "morgen", "übermorgen" (but "heute Morgen" is this morning, see `clock`);
- weekdays: "Dienstag", "am Freitag", "kommenden Montag", "nächste Woche Mittwoch",
  "Mittwoch übernächste Woche", "diese Woche Freitag", "Dienstag in zwei Wochen";
- dates: "am 3. Dezember", "3. Dez. 2027", "am dritten Dezember", "3.12.", "03.12.2026",
  "am 3." (the next 3rd), "2026-12-03" (ISO, also with a time);
- offsets: "in zwei Wochen", "in 3 Tagen", "in einem Monat" (handed to dateparser, which
  gets these right once number words are digits).

A date without a year is the next one that is not past: in December "am 5. Januar" is next
January. "nächsten Freitag" said early in a week may mean this week's or next week's
Friday; the caller is asked which.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from phasebook.phone.language.clock import ClockTime
from phasebook.phone.language.spoken import spoken_day
from phasebook.phone.language.words import (
    MONTHS,
    NUMBER_WORD,
    ORDINAL_WORD,
    WEEKDAYS,
    cardinal,
    ordinal,
)


@dataclass(frozen=True)
class Question:
    """What to ask the caller instead of guessing; `message` is spoken German."""

    code: str
    message: str


@dataclass(frozen=True)
class DayFinding:
    """A day the phrase names. A weekday said together with a date must agree with it
    ("Dienstag, der 8. Dezember"), so a weekday finding remembers that it is one."""

    day: date
    weekday_only: bool = False


Finding = DayFinding | Question

_WEEKDAY = "(" + "|".join(WEEKDAYS) + ")s?"
_ISO = (
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[t ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(z|[+-]\d{2}(?::?\d{2})?)?)?\b"
)
_DAY_OF_MONTH = rf"(?:am|den|zum) (?:(\d{{1,2}})\.|({ORDINAL_WORD}))(?! ?\d)"
ACCUSATIVE = "accusative"
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_N = NUMBER_WORD
_NAMED_MONTH = rf"(?:(\d{{1,2}})\.?|({ORDINAL_WORD})) ?{_MONTH}(?: (\d{{4}}))?\b"


def _upcoming(today: date, day: int, month: int, year: int | None) -> Finding:
    """The date day.month[.year]; without a year the next one from today on."""
    try:
        if year is not None:
            found = date(year, month, day)
            if found < today:
                return Question(
                    "date_past", f"Der {day}.{month}.{year} liegt in der Vergangenheit."
                )
            return DayFinding(found)
        found = date(today.year, month, day)
        return DayFinding(found if found >= today else found.replace(year=today.year + 1))
    except ValueError:
        if year is None and (month, day) == (2, 29):
            return _upcoming_leap_day(today)
        return Question(
            "date_invalid", f"Den {day}.{month}. gibt es nicht. Welchen Tag meinen Sie?"
        )


def _upcoming_leap_day(today: date) -> DayFinding:
    year = today.year
    while True:
        try:
            found = date(year, 2, 29)
        except ValueError:
            year += 1
            continue
        if found >= today:
            return DayFinding(found)
        year += 1


def _year(text: str | None) -> int | None:
    if not text:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


def _iso(today: date, zone: ZoneInfo, match: re.Match[str]) -> tuple[Finding, ClockTime | None]:
    year, month, day, hour, minute, offset = match.groups()
    if hour is None:
        return _upcoming(today, int(day), int(month), int(year)), None
    text = f"{year}-{month}-{day}T{hour}:{minute}{(offset or '').upper()}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return Question("date_invalid", "Dieses Datum gibt es nicht."), None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)  # an instant: the salon's date and time of it
    clock = ClockTime(moment.hour, moment.minute, twelve_hour=False)
    return _upcoming(today, moment.day, moment.month, moment.year), clock


def _numeric(today: date, match: re.Match[str]) -> Finding:
    day, month, year = match.groups()
    return _upcoming(today, int(day), int(month), _year(year))


def _named_month(today: date, match: re.Match[str]) -> Finding:
    digits, word, month, year = match.groups()
    day = int(digits) if digits else ordinal(word)
    if day is None:
        return Question("date_unclear", "Welcher Tag im Monat soll es sein?")
    return _upcoming(today, day, MONTHS[month], _year(year))


def _ordinal_pair(today: date, match: re.Match[str]) -> Finding | None:
    day, month = ordinal(match.group(1)), ordinal(match.group(2))
    if day is None or month is None or month > 12:
        return None
    return _upcoming(today, day, month, None)


def _day_of_month(today: date, match: re.Match[str]) -> Finding | None:
    """A day of the month alone, "am 3." or "am dritten": the next 3rd from today on."""
    digits, word = match.groups()
    day = int(digits) if digits else ordinal(word)
    if day is None or not 1 <= day <= 31:
        return None
    month, year = today.month, today.year
    for _ in range(12):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= today:
            return DayFinding(found)
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


_RELATIVE_DAYS = [
    (r"ueber ?morgen", 2),
    # "morgen" is tomorrow, except as a part of the day: "heute Morgen", "am Morgen".
    (r"(?<!heute )(?<!am )(?<!guten )(?<!den )morgen", 1),
    (r"heute|heut", 0),
]


@dataclass(frozen=True)
class _WeekWords:
    weeks: int  # calendar weeks from this one
    alone_is_offset: bool  # "in zwei Wochen" alone is a day (see _offset), "nächste Woche" not


_WEEKS: list[tuple[str, Callable[[re.Match[str]], int | None], bool]] = [
    (r"(?:in der )?uebernaechsten? woche", lambda _: 2, False),
    (r"(?:in der )?(?:naechsten?|kommenden?) woche", lambda _: 1, False),
    (r"(?:in )?diese[rn]? woche", lambda _: 0, False),
    (rf"in ({_N}|einer) wochen?", lambda match: cardinal(match.group(1)) or 1, True),
]


def _week_words(text: str) -> tuple[_WeekWords | None, str]:
    """Weeks from this one ("nächste Woche" 1, "übernächste Woche" 2, "diese Woche" 0, "in
    zwei Wochen" 2), and the text without them."""
    for pattern, weeks, alone_is_offset in _WEEKS:
        match = re.search(rf"\b{pattern}\b", text)
        count = weeks(match) if match else None
        if match and count is not None:
            rest = text[: match.start()] + " " + text[match.end() :]
            return _WeekWords(count, alone_is_offset), rest
    return None, text


_WEEKDAY_MODIFIERS = (
    r"(?:(?:am|den) )?((?:diese[nr]?|kommende[nr]?|naechste[nr]?|uebernaechste[nr]?) )?"
)


def _weekdays(today: date, text: str) -> tuple[list[Finding], str]:
    week, rest = _week_words(text)
    found: list[Finding] = []

    def replace(match: re.Match[str]) -> str:
        modifier, name = (match.group(1) or "").strip(), match.group(2)
        found.append(_weekday(today, WEEKDAYS[name], modifier, week))
        return " "

    rest = re.sub(rf"\b{_WEEKDAY_MODIFIERS}{_WEEKDAY}\b", replace, rest)
    if found:
        return found, rest
    if week is not None and not week.alone_is_offset:
        return [Question("weekday_missing", "An welchem Tag in der Woche?")], rest
    return [], text


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekday(today: date, weekday: int, modifier: str, week: _WeekWords | None) -> Finding:
    if week is not None:
        found = _monday(today) + timedelta(weeks=week.weeks, days=weekday)
        if found < today:
            return Question("date_past", f"{spoken_day(found)} ist schon vorbei.")
        return DayFinding(found, weekday_only=True)
    upcoming = today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if modifier.startswith("uebernaechste"):
        return DayFinding(upcoming + timedelta(weeks=1), weekday_only=True)
    if modifier.startswith("naechste") and _monday(upcoming) == _monday(today):
        later = upcoming + timedelta(weeks=1)
        return Question(
            "date_ambiguous",
            f"Meinen Sie {spoken_day(upcoming, ACCUSATIVE)}, oder {spoken_day(later, ACCUSATIVE)}?",
        )
    if modifier.startswith("diese") and weekday == today.weekday():
        return DayFinding(today, weekday_only=True)
    return DayFinding(upcoming, weekday_only=True)


_UNITS = {
    "tag": "Tagen",
    "tage": "Tagen",
    "tagen": "Tagen",
    "woche": "Wochen",
    "wochen": "Wochen",
    "monat": "Monaten",
    "monate": "Monaten",
    "monaten": "Monaten",
}


def _days_from(today: date, days: int) -> Callable[[re.Match[str]], Finding]:
    return lambda _: DayFinding(today + timedelta(days=days))


def _offset(today: date, match: re.Match[str]) -> Finding | None:
    """An offset, "in zwei Wochen": dateparser counts days, weeks and calendar months right,
    but not number words beyond the smallest ("in vierzehn Tagen"), so it gets digits."""
    count = 1 if match.group(1) in ("einer", "einem", "einen") else cardinal(match.group(1))
    if count is None:
        return None
    parsed = _dateparser().parse(
        f"in {count} {_UNITS[match.group(2)]}",
        languages=["de"],
        settings={"RELATIVE_BASE": datetime(today.year, today.month, today.day)},  # noqa: DTZ001 - a calendar date
    )
    return DayFinding(parsed.date()) if parsed is not None else None


@cache
def _dateparser():  # type: ignore[no-untyped-def]
    # Imported on first use: loading its language data takes a noticeable part of a second.
    import dateparser

    return dateparser


def find_days(
    text: str, today: date, zone: ZoneInfo, numeric_without_dot: bool = False
) -> tuple[list[Finding], list[ClockTime], str]:
    """Every day named in folded `text` (and the time of an ISO timestamp), and the text
    without them. With `numeric_without_dot`, "3.12" is a date too (in a date field)."""
    findings: list[Finding] = []
    clocks: list[ClockTime] = []

    def cut(pattern: str, build: Callable[[re.Match[str]], Finding | None]) -> None:
        nonlocal text

        def replace(match: re.Match[str]) -> str:
            finding = build(match)
            if finding is None:
                return match.group(0)
            findings.append(finding)
            return " "

        text = re.sub(rf"\b(?:{pattern})", replace, text)

    def iso(match: re.Match[str]) -> Finding:
        finding, clock = _iso(today, zone, match)
        clocks.extend([clock] if clock else [])
        return finding

    cut(_ISO, iso)
    cut(r"(\d{1,2})\. ?(\d{1,2})\.(?: ?(\d{4}|\d{2})\b)?", lambda m: _numeric(today, m))
    if numeric_without_dot:
        cut(r"(\d{1,2})\.(\d{1,2})(?![.\d:])()", lambda m: _numeric(today, m))
    cut(_NAMED_MONTH, lambda m: _named_month(today, m))
    cut(rf"({ORDINAL_WORD}) ({ORDINAL_WORD})\b", lambda m: _ordinal_pair(today, m))
    weekday_findings, text = _weekdays(today, text)
    findings += weekday_findings
    for pattern, days in _RELATIVE_DAYS:
        cut(rf"(?:{pattern})\b", _days_from(today, days))
    cut(_DAY_OF_MONTH, lambda m: _day_of_month(today, m))
    cut(rf"in ({_N}|einer|einem|einen) (tage?n?|wochen?|monate?n?)\b", lambda m: _offset(today, m))
    return findings, clocks, text
