"""Properties of phrase resolution: whatever is said, a resolved start lies in the future,
in the salon's zone; a phrase that names a future day and time resolves to exactly that."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from phasebook.phone.language.resolve import Question, Resolved, resolve_request
from phasebook.phone.language.spoken import MONTH_NAMES_DE
from phasebook.scheduling.calendar import WEEKDAY_NAMES_DE, parse_weekly_hours

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = parse_weekly_hours(
    {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
)
HOUR_WORDS = (
    "zwölf",
    "eins",
    "zwei",
    "drei",
    "vier",
    "fünf",
    "sechs",
    "sieben",
    "acht",
    "neun",
    "zehn",
    "elf",
    "zwölf",
)

# Hypothesis takes naive bounds for aware datetimes (the zone comes from `timezones`).
nows = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(BERLIN),
).map(lambda moment: moment.astimezone(BERLIN))
# Salon times on the quarter hour, 9:00 to 17:45: one reading of a twelve-hour time is open.
salon_times = st.builds(time, st.integers(9, 17), st.sampled_from([0, 15, 30, 45]))


def _date_phrases(today: date, day: date) -> list[str]:
    """Ways to name `day` seen from `today`."""
    phrases = [
        day.isoformat(),
        f"{day.day}.{day.month}.{day.year}",
        f"am {day.day}. {MONTH_NAMES_DE[day.month - 1]} {day.year}",
    ]
    if day - today < timedelta(days=365) and (day.month, day.day) != (2, 29):
        phrases += [f"{day.day}.{day.month}.", f"am {day.day}. {MONTH_NAMES_DE[day.month - 1]}"]
    offset = (day - today).days
    phrases += {0: ["heute"], 1: ["morgen"], 2: ["übermorgen"]}.get(offset, [])
    if 1 <= offset <= 7 and offset != 7:
        phrases.append(f"am {WEEKDAY_NAMES_DE[day.weekday()]}")
    this_monday = today - timedelta(days=today.weekday())
    if day - timedelta(days=day.weekday()) == this_monday + timedelta(weeks=1):
        phrases.append(f"nächste Woche {WEEKDAY_NAMES_DE[day.weekday()]}")
    return phrases


def _time_phrases(moment: time) -> list[str]:
    hour, minute = moment.hour, moment.minute
    following = HOUR_WORDS[(hour + 1) % 12]
    phrases = [f"{hour}:{minute:02d}", f"{hour} Uhr {minute}" if minute else f"{hour} Uhr"]
    phrases += {
        0: [f"um {hour}", f"um {HOUR_WORDS[hour % 12]}"],
        15: [f"viertel nach {HOUR_WORDS[hour % 12]}"],
        30: [f"halb {following}", f"um halb {following}"],
        45: [f"viertel vor {following}"],
    }[minute]
    return phrases


@settings(max_examples=400, deadline=None)
@given(now=nows, days_ahead=st.integers(0, 400), wall_time=salon_times, data=st.data())
def test_a_named_day_and_time_resolve_to_exactly_that_start_if_it_is_future(
    now: datetime, days_ahead: int, wall_time: time, data: st.DataObject
) -> None:
    today = now.date()
    day = today + timedelta(days=days_ahead)
    date_phrase = data.draw(st.sampled_from(_date_phrases(today, day)))
    time_phrase = data.draw(st.sampled_from(_time_phrases(wall_time)))
    result = resolve_request(date_phrase, time_phrase, now, BERLIN, HOURS)
    named = datetime.combine(day, wall_time, tzinfo=BERLIN)
    if named <= now:
        assert isinstance(result, Question)
        return
    assert isinstance(result, Resolved), (date_phrase, time_phrase, result)
    assert result.start is not None
    assert result.start.tzinfo == BERLIN
    assert (result.start.date(), result.start.time()) == (day, wall_time)
    assert result.start > now


_VOCABULARY_TEXT = (
    "heute morgen übermorgen am um den nächste nächsten übernächste Woche diese in zwei "
    "Wochen Tagen drei halb viertel nach vor dreiviertel Uhr vormittags nachmittags abends "
    "früh Montag Dienstag Freitag Sonntag Dezember Januar Februar 3. 12. 3.12. 29.2. 31.12. "
    "15:30 2:30 10 0 24 99 2026-12-08 2027-03-28T02:30 elf zwölf eins oder"
)
VOCABULARY = _VOCABULARY_TEXT.split()


@settings(max_examples=600, deadline=None)
@given(
    now=nows,
    date_words=st.lists(st.sampled_from(VOCABULARY), max_size=5),
    time_words=st.none() | st.lists(st.sampled_from(VOCABULARY), max_size=4).map(" ".join),
)
def test_whatever_is_said_a_resolved_start_is_future_and_in_the_salons_zone(
    now: datetime, date_words: list[str], time_words: str | None
) -> None:
    result = resolve_request(" ".join(date_words), time_words, now, BERLIN, HOURS)
    if isinstance(result, Resolved):
        assert result.day >= now.date()
        if result.start is not None:
            assert result.start > now
            assert result.start.tzinfo == BERLIN
            assert result.start.date() == result.day
    else:
        # A question or a statement, depending on the phrase: a whole spoken sentence either way.
        assert result.message.endswith(("?", "."))
