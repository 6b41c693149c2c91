"""The vocabulary the phrase parsers share. Everything is compared in folded form:
lower case, umlauts and ß spelled out ("Übermorgen" -> "uebermorgen"), so that a caller's
words match however the agent's speech recognition spelled them."""

from __future__ import annotations

import re

_FOLDING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case with umlauts and ß spelled out, whitespace collapsed."""
    return " ".join(text.casefold().translate(_FOLDING).split())


WEEKDAYS = {
    "montag": 0,
    "dienstag": 1,
    "mittwoch": 2,
    "donnerstag": 3,
    "freitag": 4,
    "samstag": 5,
    "sonnabend": 5,
    "sonntag": 6,
}
MONTHS = {
    "januar": 1,
    "jaenner": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "maerz": 3,
    "mrz": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "dez": 12,
}

_UNITS = {
    "null": 0,
    "ein": 1,
    "eins": 1,
    "eine": 1,
    "einer": 1,
    "einem": 1,
    "einen": 1,
    "zwei": 2,
    "zwo": 2,
    "drei": 3,
    "vier": 4,
    "fuenf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "elf": 11,
    "zwoelf": 12,
    "dreizehn": 13,
    "vierzehn": 14,
    "fuenfzehn": 15,
    "sechzehn": 16,
    "siebzehn": 17,
    "achtzehn": 18,
    "neunzehn": 19,
}
_TENS = {"zwanzig": 20, "dreissig": 30, "vierzig": 40, "fuenfzig": 50}
# Ordinals whose stem is not the cardinal ("dritte", not "dreite").
_IRREGULAR_ORDINALS = {"erste": 1, "dritte": 3, "siebte": 7, "achte": 8}


def cardinal(word: str) -> int | None:
    """0…59 from digits or a folded German number word ("fuenfundzwanzig" -> 25)."""
    if word.isdigit():
        return int(word)
    if word in _UNITS:
        return _UNITS[word]
    if word in _TENS:
        return _TENS[word]
    unit, separator, tens = word.partition("und")
    if separator and tens in _TENS and _UNITS.get(unit, 0) in range(1, 10):
        return _TENS[tens] + _UNITS[unit]
    return None


def ordinal(word: str) -> int | None:
    """1…31 from a folded ordinal word in any ending ("dritten" -> 3, "zwanzigster" -> 20)."""
    stem = re.sub(r"(?<=te)[nrsm]$", "", word)
    if stem in _IRREGULAR_ORDINALS:
        return _IRREGULAR_ORDINALS[stem]
    for suffix in ("ste", "te"):
        if stem.endswith(suffix):
            number = cardinal(stem.removesuffix(suffix))
            if number is not None and 1 <= number <= 31:
                return number
    return None


NUMBER_WORD = (
    r"(?:\d{1,2}|(?:ein|zwei|drei|vier|fuenf|sechs|sieben|acht|neun)und"
    r"(?:zwanzig|dreissig|vierzig|fuenfzig)|"
    + "|".join(sorted(_UNITS | _TENS, key=len, reverse=True))
    + ")"
)
ORDINAL_WORD = r"(?:[a-z]+?(?:te|ste)[nrsm]?)"

# Words that carry no date or time and may stand around one ("am liebsten morgen, so gegen
# zehn"). Anything else left over makes the phrase unclear: it could change the meaning
# ("nicht morgen"), so the caller is asked instead.
_FILLER_WORDS = """
    am an um den dem der die das des gegen so ca circa etwa ungefaehr bitte gerne gern lieber
    liebsten vielleicht uhr zur zu im in also ja dann geht es waere ist mit frei termin oder
    einen ab punkt hm aeh und mal wenn moeglich haette ich wir gleich dieses diesem
"""
FILLERS = frozenset(_FILLER_WORDS.split())
