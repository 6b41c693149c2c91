"""Instants as the phone agent speaks them."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from phasebook.phone.language.spoken import (
    spoken_choices,
    spoken_clock,
    spoken_day,
    spoken_on,
    spoken_start,
    spoken_wait,
)

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_start_is_spoken_with_weekday_day_month_and_clock() -> None:
    start = datetime(2026, 12, 8, 10, 30, tzinfo=BERLIN)
    assert spoken_start(start) == "Dienstag, der 8. Dezember, um 10 Uhr 30"
    assert spoken_on(start) == "am Dienstag, dem 8. Dezember, um 10 Uhr 30"


@pytest.mark.parametrize(
    ("moment", "spoken"),
    [(time(10), "10 Uhr"), (time(14, 5), "14 Uhr 5"), (time(9, 45), "9 Uhr 45")],
)
def test_a_clock_time_is_spoken_as_hours_and_minutes(moment: time, spoken: str) -> None:
    assert spoken_clock(moment) == spoken


def test_a_day_takes_the_article_of_its_case() -> None:
    day = date(2027, 3, 1)
    assert spoken_day(day) == "Montag, der 1. März"
    assert spoken_day(day, "dative") == "Montag, dem 1. März"
    assert spoken_day(day, "accusative") == "Montag, den 1. März"


def test_choices_are_joined_as_spoken() -> None:
    assert spoken_choices(["9 Uhr"]) == "9 Uhr"
    assert spoken_choices(["9 Uhr", "10 Uhr"]) == "9 Uhr oder 10 Uhr"
    assert spoken_choices(["A", "B", "C"], "und") == "A, B und C"


@pytest.mark.parametrize(
    ("seconds", "spoken"),
    [
        (1, "in einer Sekunde"),
        (35, "in 35 Sekunden"),
        (60, "in etwa einer Minute"),
        (61, "in etwa 2 Minuten"),
        (300, "in etwa 5 Minuten"),
        (3300, "in etwa einer Stunde"),
    ],
)
def test_a_wait_is_spoken_in_seconds_when_short_and_in_minutes_when_long(
    seconds: int, spoken: str
) -> None:
    assert spoken_wait(seconds) == spoken
