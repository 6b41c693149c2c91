"""Times of day as callers say them, and parts of the day.

Spoken German counts hours on a twelve-hour clock: "um halb drei" is 2:30 or 14:30, and
which one is meant depends on the context (a salon is open at 14:30). A `ClockTime` keeps
that ambiguity (`twelve_hour`); `resolve` settles it against the salon's hours.

Recognised (in folded text, see `words.fold`): "15:30", "15.30", "15 Uhr 30", "vierzehn
Uhr dreißig", "10 Uhr", "um 10", "halb drei", "fünf vor halb drei", "viertel nach zehn",
"zehn nach zehn", "viertel vor elf", "dreiviertel elf", "viertel elf", "mittags"; and the
parts of the day "früh", "morgens", "vormittags", "mittags", "nachmittags", "abends".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from phasebook.phone.language.words import NUMBER_WORD, cardinal


@dataclass(frozen=True)
class ClockTime:
    hour: int  # 0…23 as said ("halb drei" -> 2)
    minute: int
    twelve_hour: bool  # said on a twelve-hour clock: the hour may be a.m. or p.m.

    def candidates(self) -> tuple[time, ...]:
        """The times this may mean, morning first."""
        if not self.twelve_hour:
            return (time(self.hour, self.minute),)
        morning = self.hour % 12
        return (time(morning, self.minute), time(morning + 12, self.minute))


@dataclass(frozen=True)
class DayPart:
    name: str  # as it is spoken back: "vormittags"
    start: time
    end: time

    def holds(self, moment: time) -> bool:
        return self.start <= moment < self.end


MORNING = DayPart("morgens", time(6), time(11))
FORENOON = DayPart("vormittags", time(8), time(12))
MIDDAY = DayPart("mittags", time(11, 30), time(14))
AFTERNOON = DayPart("nachmittags", time(12), time(18))
EVENING = DayPart("abends", time(17), time(23))

_PARTS = [
    # A "morgen" that `dates` left is the morning ("heute Morgen", "am Morgen").
    (r"(?:am |in der )?frueh|morgens|(?:am )?morgen", MORNING),
    (r"(?:am )?vormittags?", FORENOON),
    (r"(?:am )?nachmittags?", AFTERNOON),
    (r"(?:am |zu )?mittags?", MIDDAY),
    (r"(?:am )?abends?", EVENING),
]

_N = NUMBER_WORD


def _as_said(said_hour: int, minutes_of_day: int) -> ClockTime:
    """The time `minutes_of_day` after midnight, on a twelve-hour clock when the hour was
    said as 1…12 ("viertel vor eins" is 0:45 or 12:45)."""
    return ClockTime(minutes_of_day // 60 % 24, minutes_of_day % 60, 1 <= said_hour <= 12)


def _spoken_hour(word: str, low: int = 0, high: int = 23) -> int | None:
    hour = cardinal(word)
    return hour if hour is not None and low <= hour <= high else None


def _half(hour_word: str, offset: int = 0) -> ClockTime | None:
    """Half past: "halb drei" is half an hour before three."""
    hour = _spoken_hour(hour_word, 1, 12)
    return None if hour is None else _as_said(hour, (hour - 1) * 60 + 30 + offset)


def _near_half(minutes_word: str, direction: str, hour_word: str) -> ClockTime | None:
    """Around half past: "fünf vor halb drei" (2:25), "fünf nach halb drei" (2:35)."""
    minutes = cardinal(minutes_word)
    if minutes is None or not 1 <= minutes <= 14:
        return None
    return _half(hour_word, minutes if direction == "nach" else -minutes)


def _past_or_to(minutes_word: str, direction: str, hour_word: str) -> ClockTime | None:
    """Minutes past or to: "viertel nach zehn" (10:15), "zehn vor elf" (10:50)."""
    minutes = 15 if minutes_word == "viertel" else cardinal(minutes_word)
    hour = _spoken_hour(hour_word)
    if minutes is None or hour is None or not 1 <= minutes <= 29:
        return None
    return _as_said(hour, hour * 60 + (minutes if direction == "nach" else -minutes))


def _quarters(quarters: int) -> Callable[[str], ClockTime | None]:
    """Quarters of the coming hour, as said in the east and south: "viertel elf" (10:15),
    "dreiviertel elf" (10:45)."""

    def build(hour_word: str) -> ClockTime | None:
        hour = _spoken_hour(hour_word, 1, 12)
        return None if hour is None else _as_said(hour, (hour - 1) * 60 + 15 * quarters)

    return build


def _hour_minute(hour_word: str, minute_word: str | None = None) -> ClockTime | None:
    """Hour and minute as numbers: "15:30", "15 Uhr 30", "um zehn"."""
    hour = _spoken_hour(hour_word)
    minute = cardinal(minute_word) if minute_word else 0
    if hour is None or minute is None or minute > 59:
        return None
    return _as_said(hour, hour * 60 + minute)


# Each pattern with the function that turns its groups into a ClockTime, tried in this
# order; a match is cut out of the text before the next pattern looks at it.
_CLOCKS: list[tuple[str, Callable[..., ClockTime | None]]] = [
    (rf"({_N}) (nach|vor) halb ({_N})", _near_half),
    (rf"halb ({_N})(?: uhr)?", _half),
    (rf"(viertel|{_N}) (nach|vor) ({_N})(?: uhr)?", _past_or_to),
    (rf"dreiviertel ({_N})", _quarters(3)),
    (rf"viertel ({_N})", _quarters(1)),
    (r"(\d{1,2}):(\d{2})(?: uhr)?", _hour_minute),
    (r"(\d{1,2})\.(\d{2})(?![.\d])(?: uhr)?", _hour_minute),
    (rf"({_N}) uhr(?: ({_N}))?", _hour_minute),
    (rf"(?:um|gegen|ab|punkt) ({_N})(?! ?\.| (?:tage?n?|wochen?|monate?n?)\b)", _hour_minute),
]
_BARE_HOUR = rf"^ *({_N}) *$"


def find_clock_times(text: str, bare_hour: bool = False) -> tuple[list[ClockTime], str]:
    """Every time of day in folded `text`, and the text without them.

    With `bare_hour`, a lone number is an hour ("10" in a field that asks for a time)."""
    found: list[ClockTime] = []
    patterns = _CLOCKS + ([(_BARE_HOUR, _hour_minute)] if bare_hour else [])
    for pattern, build in patterns:
        text = _cut(text, pattern, build, found)
    return found, text


def find_day_parts(text: str) -> tuple[list[DayPart], str]:
    """Every part of the day in folded `text`, and the text without them."""
    found: list[DayPart] = []
    for pattern, part in _PARTS:
        text, count = re.subn(rf"\b(?:{pattern})\b", " ", text)
        found += [part] * count
    return found, text


def _cut(
    text: str, pattern: str, build: Callable[..., ClockTime | None], found: list[ClockTime]
) -> str:
    def replace(match: re.Match[str]) -> str:
        clock = build(*match.groups())
        if clock is None:
            return match.group(0)  # e.g. "halb dreißig": not a time, left for the others
        found.append(clock)
        return " "

    return re.sub(rf"\b(?:{pattern})\b", replace, text)
