"""The caller's language at the API edge.

LocaleMiddleware activates the language of the request: English for `Accept-Language: en`
(en-US, en-GB, …), German for everything else. phasebook's msgids are its German texts, so
an untranslated text falls back to the default language.

Texts from below the edge arrive untranslated: booking errors carry their German message,
the scheduling core's explanations are `Sentence`s. They are translated here, when the API
renders them. Texts the API makes itself are translated where they are made; looking them
up again changes nothing, since no translation is itself a German msgid.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from phasebook.scheduling.explain import Sentence


def translated(text: str) -> str:
    """`text` in the active language."""
    if isinstance(text, Sentence):
        return text.render(gettext)
    return gettext(text)


def translated_reasons(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Structured reasons (scheduling.explain.conflict_dict) with their message translated;
    everything else stays as it is, so both languages have the same structure."""
    return [reason | {"message": translated(reason["message"])} for reason in reasons]


def translated_explanation(explanation: dict[str, Any]) -> dict[str, Any]:
    """An explanation (scheduling.explain.explain) with every reason translated."""
    return explanation | {
        "reasons": translated_reasons(explanation["reasons"]),
        "staff": [
            member | {"reasons": translated_reasons(member["reasons"])}
            for member in explanation["staff"]
        ],
    }
