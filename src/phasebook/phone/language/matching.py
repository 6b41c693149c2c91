"""Service and stylist names as callers say them, matched with rapidfuzz.

Speech recognition and callers misspell ("Ansatzfärbung", "ansatz faerbung", "Ansatzfarbe");
names are compared folded and scored with rapidfuzz (WRatio and partial matches). A name
matches when it scores well and clearly better than the next: "Haarschnitt" is both
"Damenhaarschnitt" and "Herrenhaarschnitt", and then the caller is asked which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from phasebook.phone.language.words import fold

Key = TypeVar("Key")

GOOD_SCORE = 80.0  # below this a name is no match (WRatio, 0…100)
CLEAR_LEAD = 8.0  # the best must lead the next by this much, else it is ambiguous

# Words around a name that say nothing about which one: "bei Frau Schneider", "einen Schnitt".
_NOISE = re.compile(
    r"\b(?:bei|frau|herr|herrn|die|der|das|den|ein|eine|einen|einmal|bitte|gerne)\b"
)


@dataclass(frozen=True)
class Matched(Generic[Key]):
    key: Key
    name: str


@dataclass(frozen=True)
class Ambiguous(Generic[Key]):
    names: list[str]  # the close candidates, best first


@dataclass(frozen=True)
class NoMatch:
    pass


_VOWELS = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})


def _clean(text: str) -> str:
    """Folded, without noise words, and with umlauts as plain vowels: "Krüger", "Krueger"
    and "Kruger" are one name to a caller."""
    plain = fold(text.casefold().translate(_VOWELS)).replace("ae", "a")
    plain = plain.replace("oe", "o").replace("ue", "u")
    return " ".join(_NOISE.sub(" ", plain).split())


def _similarity(query: str, choice: str, **_: object) -> float:
    """WRatio, but a name that contains the query scores as a part match whatever its
    length: WRatio looks for parts only in names half again as long as the query, so
    "Haarschnitt" would favour "Herrenhaarschnitt" over "Damenhaarschnitt"."""
    return max(fuzz.WRatio(query, choice), 0.9 * fuzz.partial_ratio(query, choice))


def match_name(said: str, names: Mapping[Key, str]) -> Matched[Key] | Ambiguous[Key] | NoMatch:
    """The one entry of `names` (key -> name) that `said` means."""
    query = _clean(said)
    if not query or not names:
        return NoMatch()
    choices = {key: _clean(name) for key, name in names.items()}
    exact = [key for key, name in choices.items() if name == query]
    if len(exact) == 1:
        return Matched(exact[0], names[exact[0]])
    ranked = process.extract(query, choices, scorer=_similarity, limit=None)
    good = [(score, key) for _, score, key in ranked if score >= GOOD_SCORE]
    if not good:
        return NoMatch()
    best_score, best_key = good[0]
    close = [key for score, key in good if best_score - score < CLEAR_LEAD]
    if len(close) == 1:
        return Matched(best_key, names[best_key])
    return Ambiguous([names[key] for key in close])
