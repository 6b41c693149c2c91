"""The product's texts in the reader's language.

phasebook's msgids are its German texts; the English catalog is
`locale/en/LC_MESSAGES/django.po`. Texts are made untranslated, where they arise: booking
errors carry their German message (marked with `gettext_noop`), the scheduling core words its
conflicts as `Sentence`s. They are translated when an edge renders them, into the language
active there: the API's LocaleMiddleware picks it from `Accept-Language`, the admin from the
browser, the phone agent from the call (`django.utils.translation.override`). A text without
a translation falls back to German. Looking up a text that is already translated changes
nothing, since no translation is itself a German msgid.
"""

from __future__ import annotations

from django.utils.translation import gettext

from phasebook.scheduling.explain import Sentence


def translated(text: str) -> str:
    """`text` in the active language."""
    if isinstance(text, Sentence):
        return text.render(gettext)
    return gettext(text)
