"""German date and time phrases against fixed "now"s: a Friday afternoon, a Sunday (the
salon is closed), Christmas Day (a public holiday), New Year's Eve (year rollover), and the
Fridays before both clock changes. Salon hours Mon–Fri 9–18, Sat 9–14."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from phasebook.phone.language.resolve import Question, Resolved, resolve_request
from phasebook.scheduling.calendar import parse_weekly_hours

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = parse_weekly_hours(
    {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [["09:00", "14:00"]]}
)

FRIDAY = datetime(2026, 12, 4, 15, 0, tzinfo=BERLIN)
MONDAY = datetime(2026, 12, 7, 9, 30, tzinfo=BERLIN)
SUNDAY = datetime(2026, 12, 6, 11, 0, tzinfo=BERLIN)
CHRISTMAS = datetime(2026, 12, 25, 10, 0, tzinfo=BERLIN)
NEW_YEARS_EVE = datetime(2026, 12, 31, 16, 0, tzinfo=BERLIN)
BEFORE_SPRING_FORWARD = datetime(2027, 3, 26, 12, 0, tzinfo=BERLIN)  # clocks go on Sun 28th
BEFORE_FALL_BACK = datetime(2026, 10, 23, 12, 0, tzinfo=BERLIN)  # clocks go back Sun 25th

# (now, date phrase, time phrase, expected): a start with its offset, a day, a day and a
# part of the day, or the code of the question asked back.
PHRASES = [
    (FRIDAY, "heute", None, "2026-12-04"),
    (FRIDAY, "heute", "um 16 Uhr", "2026-12-04T16:00+01:00"),
    (FRIDAY, "heute", "um 10", "time_past"),
    (FRIDAY, "morgen", "um 10", "2026-12-05T10:00+01:00"),
    (FRIDAY, "Morgen", "10 Uhr", "2026-12-05T10:00+01:00"),
    (FRIDAY, "übermorgen", None, "2026-12-06"),
    (FRIDAY, "uebermorgen", "halb drei", "2026-12-06T14:30+01:00"),
    (FRIDAY, "Dienstag", None, "2026-12-08"),
    (FRIDAY, "am Dienstag", "um halb drei", "2026-12-08T14:30+01:00"),
    (FRIDAY, "am Freitag", None, "2026-12-11"),
    (FRIDAY, "Freitag", "viertel nach zehn", "2026-12-11T10:15+01:00"),
    (FRIDAY, "nächste Woche Mittwoch", "viertel vor elf", "2026-12-09T10:45+01:00"),
    (FRIDAY, "Mittwoch nächste Woche", "11:00", "2026-12-09T11:00+01:00"),
    (FRIDAY, "übernächste Woche Montag", None, "2026-12-14"),
    (FRIDAY, "Montag in zwei Wochen", None, "2026-12-14"),
    (FRIDAY, "in zwei Wochen", None, "2026-12-18"),
    (FRIDAY, "in 3 Tagen", None, "2026-12-07"),
    (FRIDAY, "in vierzehn Tagen", "15:30", "2026-12-18T15:30+01:00"),
    (FRIDAY, "in einer Woche", None, "2026-12-11"),
    (FRIDAY, "in einem Monat", None, "2027-01-04"),
    (FRIDAY, "am 3. Dezember", None, "2027-12-03"),
    (FRIDAY, "am 8. Dezember", "15 Uhr 30", "2026-12-08T15:30+01:00"),
    (FRIDAY, "8. Dez.", "vierzehn Uhr dreißig", "2026-12-08T14:30+01:00"),
    (FRIDAY, "am achten Dezember", "um zehn", "2026-12-08T10:00+01:00"),
    (FRIDAY, "3.12.", None, "2027-12-03"),
    (FRIDAY, "10.12.", "9:45", "2026-12-10T09:45+01:00"),
    (FRIDAY, "10.12.2026", "um 12", "2026-12-10T12:00+01:00"),
    (FRIDAY, "10.12.26", None, "2026-12-10"),
    (FRIDAY, "10.12", None, "2026-12-10"),
    (FRIDAY, "am 5. Januar", None, "2027-01-05"),
    (FRIDAY, "5.1.", "vormittags", "2027-01-05 vormittags"),
    (FRIDAY, "2026-12-08", None, "2026-12-08"),
    (FRIDAY, "2026-12-08T10:30:00+01:00", None, "2026-12-08T10:30+01:00"),
    (FRIDAY, "2026-12-08T09:30:00Z", None, "2026-12-08T10:30+01:00"),
    (FRIDAY, "morgen", "nachmittags", "2026-12-05 nachmittags"),
    (FRIDAY, "Dienstag", "am Vormittag", "2026-12-08 vormittags"),
    (FRIDAY, "Dienstag, den 8. Dezember", "um 10", "2026-12-08T10:00+01:00"),
    (FRIDAY, "Mittwoch, den 8. Dezember", None, "weekday_mismatch"),
    (FRIDAY, "morgen", "halb drei nachmittags", "2026-12-05T14:30+01:00"),
    (FRIDAY, "morgen", "um acht abends", "2026-12-05T20:00+01:00"),
    (FRIDAY, "morgen früh", "um neun", "2026-12-05T09:00+01:00"),
    (FRIDAY, "morgen", "fünf vor halb drei", "2026-12-05T14:25+01:00"),
    (FRIDAY, "Dienstag", "zehn nach zehn", "2026-12-08T10:10+01:00"),
    (FRIDAY, "Dienstag", "dreiviertel elf", "2026-12-08T10:45+01:00"),
    (FRIDAY, "Dienstag", "Viertel elf", "2026-12-08T10:15+01:00"),
    (FRIDAY, "Dienstag", "um 3", "2026-12-08T15:00+01:00"),
    (FRIDAY, "Dienstag", "um 7", "2026-12-08T07:00+01:00"),  # never open: the morning
    (FRIDAY, "Dienstag um 11", None, "2026-12-08T11:00+01:00"),
    (FRIDAY, "am liebsten Dienstag, so gegen 11", None, "2026-12-08T11:00+01:00"),
    (FRIDAY, "nächsten Montag", None, "2026-12-07"),
    (FRIDAY, "heute Morgen", None, "2026-12-04 morgens"),
    (FRIDAY, "heute", "abends", "2026-12-04 abends"),
    (FRIDAY, "nächste Woche", None, "weekday_missing"),
    (FRIDAY, "um 10", None, "date_missing"),
    (FRIDAY, "", "15:00", "date_missing"),
    (FRIDAY, "irgendwann", None, "unclear"),
    (FRIDAY, "nicht morgen", None, "unclear"),
    (FRIDAY, "Montag oder Dienstag", None, "date_conflict"),
    (FRIDAY, "morgen", "um 10 oder um 11", "time_ambiguous"),
    (FRIDAY, "31.2.", None, "date_invalid"),
    (FRIDAY, "am 1. Dezember 2026", None, "date_past"),
    (MONDAY, "nächsten Freitag", None, "date_ambiguous"),
    (MONDAY, "diesen Freitag", None, "2026-12-11"),
    (MONDAY, "Freitag diese Woche", "10 Uhr", "2026-12-11T10:00+01:00"),
    (MONDAY, "übernächsten Freitag", None, "2026-12-18"),
    (MONDAY, "heute", "halb zwölf", "2026-12-07T11:30+01:00"),
    (SUNDAY, "morgen", "um 10", "2026-12-07T10:00+01:00"),
    (SUNDAY, "heute", "um 14 Uhr", "2026-12-06T14:00+01:00"),
    (SUNDAY, "Montag", None, "2026-12-07"),
    (SUNDAY, "nächste Woche Montag", None, "2026-12-07"),
    (SUNDAY, "am Sonntag", None, "2026-12-13"),
    (CHRISTMAS, "morgen", "um 10", "2026-12-26T10:00+01:00"),
    (CHRISTMAS, "am 24. Dezember", None, "2027-12-24"),
    (CHRISTMAS, "am Montag", "halb zehn", "2026-12-28T09:30+01:00"),
    (NEW_YEARS_EVE, "morgen", None, "2027-01-01"),
    (NEW_YEARS_EVE, "am 2. Januar", "um 10", "2027-01-02T10:00+01:00"),
    (NEW_YEARS_EVE, "2.1.", None, "2027-01-02"),
    (NEW_YEARS_EVE, "nächste Woche Dienstag", None, "2027-01-05"),
    (NEW_YEARS_EVE, "heute", "um 17 Uhr", "2026-12-31T17:00+01:00"),
    (NEW_YEARS_EVE, "heute", "15:30", "time_past"),
    (NEW_YEARS_EVE, "am 31. Dezember", None, "2026-12-31"),
    (NEW_YEARS_EVE, "in zwei Wochen", None, "2027-01-14"),
    (BEFORE_SPRING_FORWARD, "Sonntag", "halb drei", "2027-03-28T14:30+02:00"),
    (BEFORE_SPRING_FORWARD, "2027-03-28T02:30", None, "time_skipped"),
    (BEFORE_SPRING_FORWARD, "Montag", "um 10", "2027-03-29T10:00+02:00"),
    (BEFORE_SPRING_FORWARD, "morgen", "9:00", "2027-03-27T09:00+01:00"),
    (BEFORE_FALL_BACK, "Montag", "halb drei", "2026-10-26T14:30+01:00"),
    (BEFORE_FALL_BACK, "morgen", "um 10", "2026-10-24T10:00+02:00"),
    (BEFORE_FALL_BACK, "2026-10-25T02:30", None, "2026-10-25T02:30+02:00"),  # the first 2:30
    (BEFORE_FALL_BACK, "am 3. Oktober", None, "2027-10-03"),
]


def _outcome(result: Resolved | Question) -> str:
    if isinstance(result, Question):
        return result.code
    if result.start is not None:
        assert result.start.tzinfo == BERLIN
        assert result.start.date() == result.day
        return result.start.isoformat(timespec="minutes")
    return f"{result.day} {result.part.name}" if result.part else str(result.day)


def test_the_table_has_at_least_60_phrases() -> None:
    assert len(PHRASES) >= 60


@pytest.mark.parametrize(("now", "date_phrase", "time_phrase", "expected"), PHRASES)
def test_a_phrase_resolves_as_a_receptionist_would(
    now: datetime, date_phrase: str, time_phrase: str | None, expected: str
) -> None:
    assert _outcome(resolve_request(date_phrase, time_phrase, now, BERLIN, HOURS)) == expected


def test_a_question_is_a_spoken_german_sentence() -> None:
    question = resolve_request("nächsten Freitag", None, MONDAY, BERLIN, HOURS)
    assert isinstance(question, Question)
    assert question.message == (
        "Meinen Sie Freitag, den 11. Dezember, oder Freitag, den 18. Dezember?"
    )


def test_both_open_readings_of_a_twelve_hour_time_are_asked_about() -> None:
    late_hours = parse_weekly_hours({"tue": [["08:00", "22:00"]]})
    question = resolve_request("Dienstag", "um 8", FRIDAY, BERLIN, late_hours)
    assert question == Question("time_ambiguous", "Meinen Sie 8 Uhr oder 20 Uhr?")
