"""Keep credentials and personal data out of log text (invariant 6).

Applied by the logging layer (`logs.RedactSecretsFilter` on every handler), so no caller has
to remember it. What it removes:
- credentials: bearer tokens, Cal.com, Retell and phasebook API keys, `key=value` secrets;
- e-mail addresses, and phone numbers in any common German or international notation
  (found with `phonenumbers`, which tells a number from a timestamp or an id);
- values of personal fields written as `"name": "…"` (JSON, Python reprs);
- customer names wherever they appear: a name has no shape a pattern could find, so
  every name phasebook loads or creates is remembered (`remember_names`), and those words
  are replaced in log text. Over-redacting a word that is also a name is the safe error.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

_CREDENTIALS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"\bcal_[A-Za-z0-9_]+"), "[redacted-api-key]"),  # Cal.com: cal_live_…, cal_test_…
    (re.compile(r"\bkey_[A-Za-z0-9_]{10,}"), "[redacted-api-key]"),  # Retell: key_…
    (re.compile(r"\bpb_[A-Za-z0-9_-]{16,}"), "[redacted-api-key]"),  # phasebook API tokens
    (
        re.compile(
            r"(?i)(api[_-]?key|token|secret|password|signature)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"
        ),
        r"\1\2[redacted]",
    ),
]
_URL_ENCODED_PHONE = re.compile(r"%2[Bb]\d[\d%20-]{5,}\d")  # ?phone=%2B49171…
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PERSONAL_FIELD = re.compile(
    r"""(?ix)
    (["']?(?:\w+_)?(?:name|phone|email|number)["']?\s*[:=]\s*)  # "customer_name": or name=
    (["'])(?:(?!\2).)*\2                                       # its quoted value
    """
)
# Numbers worth asking phonenumbers about: at least 6 digits, maybe with separators.
_MAYBE_PHONE = re.compile(r"\d[\d ()/.-]{4,}\d")
_PHONE_REGION = "DE"  # national numbers without +49 are read as German
# phonenumbers loads a country's metadata on first use, under a lock. A process that forks
# (gunicorn's master, Celery's) while one of its threads logs a number would hand its
# children a lock held forever, and their first such log line would hang. Loaded now, at
# import, no later log line loads anything (0.2-0.6 s, 3 MB, once per process).
PhoneMetadata.load_all()
_WORD = re.compile(r"\w+")

PERSONAL_FIELDS = frozenset(
    {
        "name",
        "customer",
        "customer_name",
        "caller_name",
        "caller_phone",
        "caller_email",
        "full_name",
        "first_name",
        "last_name",
        "attendee",
        "attendee_name",
        "email",
        "phone",
        "phone_number",
        "from_number",
        "to_number",
        "transcript",
    }
)


def redact(text: str) -> str:
    for pattern, replacement in _CREDENTIALS:
        text = pattern.sub(replacement, text)
    text = _EMAIL.sub("[redacted-email]", text)
    text = _URL_ENCODED_PHONE.sub("[redacted-phone]", text)
    text = _PERSONAL_FIELD.sub(r"\1\2[redacted]\2", text)
    text = _redact_phone_numbers(text)
    return _NAMES.redact(text)


def redact_field(key: str, value: object) -> object:
    """A structured log field: personal fields lose their value, texts are redacted."""
    if key in PERSONAL_FIELDS:
        return "[redacted]"
    return redact(value) if isinstance(value, str) else value


def remember_names(*names: str) -> None:
    """Treat the words of these (customer) names as personal data in every later log line."""
    _NAMES.add(names)


def _redact_phone_numbers(text: str) -> str:
    if not _MAYBE_PHONE.search(text):
        return text  # the matcher costs ~0.1 ms; most lines have no long number at all
    matches = phonenumbers.PhoneNumberMatcher(text, _PHONE_REGION, phonenumbers.Leniency.VALID)
    for match in reversed(list(matches)):
        # Digits right after "." or ":" are a time's fraction or a port (".071523" reads as
        # a valid number from Heilbronn's area code), not a number someone dials.
        if match.start and text[match.start - 1] in ".:":
            continue
        text = text[: match.start] + "[redacted-phone]" + text[match.end :]
    return text


class _NameWords:
    """The most recently seen name words (bounded: a long-running worker sees many)."""

    MAX_WORDS = 50_000
    MIN_LENGTH = 3  # shorter words ("Li") would blank out too much ordinary text

    def __init__(self) -> None:
        self._words: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, names: Iterable[str]) -> None:
        with self._lock:
            for name in names:
                for word in _WORD.findall(name.casefold()):
                    if len(word) >= self.MIN_LENGTH and not word.isdigit():
                        self._words[word] = None
                        self._words.move_to_end(word)
            while len(self._words) > self.MAX_WORDS:
                self._words.popitem(last=False)

    def redact(self, text: str) -> str:
        words = self._words
        if not words:
            return text
        return _WORD.sub(
            lambda match: "[redacted-name]" if match[0].casefold() in words else match[0], text
        )


_NAMES = _NameWords()
