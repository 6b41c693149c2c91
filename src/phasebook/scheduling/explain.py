"""Why a start is not possible, in words: one sentence per conflict of a verdict.

The sentences are German, the product's language, and stay untranslated here: each is a
`Sentence` that keeps its German template and parameters, so that the Django edge can render
it again in the caller's language (the templates are the msgids of phasebook's catalogs).
The structured explanation around them is `booking.rendering`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from phasebook.scheduling.availability import Conflict, Policy, Rule, Verdict
from phasebook.scheduling.intervals import Interval

Translate = Callable[[str], str]


def gettext_noop(template: str) -> str:
    """Marks a template for translation; Django's `makemessages` looks for this name."""
    return template


class Sentence(str):
    """A German sentence that remembers its template and parameters.

    As a str it is the German text, wherever it travels (exceptions, dicts, logs); `render`
    gives it in another language, e.g. `sentence.render(django.utils.translation.gettext)`.
    """

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, params: Mapping[str, object]) -> Sentence:
        sentence = super().__new__(cls, template % params)
        sentence.template = template
        sentence.params = params
        return sentence

    def __getnewargs__(self) -> tuple[str, Mapping[str, object]]:  # type: ignore[override]
        # copy and pickle rebuild a str subclass by calling it with these; the rendered
        # text alone would lose the template
        return self.template, self.params

    def render(self, translate: Translate) -> str:
        # A parameter may itself be a Sentence (a number word, a phase name): render it too.
        params = {
            name: value.render(translate) if isinstance(value, Sentence) else value
            for name, value in self.params.items()
        }
        return translate(self.template) % params


def clock_text(instant: datetime, zone: ZoneInfo) -> str:
    """The local wall-clock time of an instant, e.g. "09:15"."""
    return instant.astimezone(zone).strftime("%H:%M")


def moment_text(instant: datetime, zone: ZoneInfo) -> str:
    """The local date and wall-clock time of an instant, e.g. "2026-12-10 10:00"."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def span_text(interval: Interval, zone: ZoneInfo) -> str:
    return f"{clock_text(interval.start, zone)}–{clock_text(interval.end, zone)}"


def _grid_examples(step_minutes: int) -> tuple[str, str]:
    """The first two grid times from 09:00 on; the grid counts from midnight, so a
    25-minute grid gives 09:10 and 09:35, an hourly one 09:00 and 10:00."""
    first = -(-9 * 60 // step_minutes) * step_minutes
    return _minutes_clock(first), _minutes_clock(first + step_minutes)


def _minutes_clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


# One template per rule and variant: whole sentences, so that a translation can order the
# parts as its language needs. A date comes in parts for the same reason.
TOO_SOON = gettext_noop("Termine müssen mindestens %(minutes)d Minuten im Voraus gebucht werden.")
BEYOND_HORIZON = gettext_noop("Termine können höchstens %(days)d Tage im Voraus gebucht werden.")
OFF_GRID = gettext_noop(
    "Termine beginnen im %(step)d-Minuten-Raster (z. B. %(first)s, %(second)s)."
)
SALON_CLOSED = gettext_noop("Der Salon ist am %(day)s.%(month)s.%(year)s geschlossen.")
OUTSIDE_OPENING_HOURS = gettext_noop(
    "Der Termin (%(span)s) liegt nicht vollständig in den Öffnungszeiten (%(hours)s)."
)
OUTSIDE_ANY_OPENING_HOURS = gettext_noop(
    "Der Termin (%(span)s) liegt nicht vollständig in den Öffnungszeiten."
)
CUSTOMER_BUSY = gettext_noop("Die Kundin oder der Kunde hat um %(blocking)s bereits einen Termin.")
STAFF_NOT_QUALIFIED = gettext_noop("%(staff)s bietet diese Leistung nicht an.")
OUTSIDE_WORKING_HOURS = gettext_noop(
    "Die Phase „%(phase)s“ (%(phase_span)s) liegt außerhalb der Arbeitszeit von %(staff)s "
    "(%(hours)s)."
)
OFF_DUTY = gettext_noop(
    "Die Phase „%(phase)s“ (%(phase_span)s) liegt außerhalb der Arbeitszeit von %(staff)s "
    "(an diesem Tag nicht im Dienst)."
)
STAFF_BUSY = gettext_noop(
    "Die Phase „%(phase)s“ (%(phase_span)s) überschneidet sich mit „%(label)s“ "
    "(%(blocking)s) von %(staff)s."
)
STAFF_BUSY_UNLABELLED = gettext_noop(
    "Die Phase „%(phase)s“ (%(phase_span)s) überschneidet sich mit einem Termin "
    "(%(blocking)s) von %(staff)s."
)
STAFF_ABSENT = gettext_noop(
    "Die Phase „%(phase)s“ (%(phase_span)s) fällt in eine Abwesenheit von %(staff)s (%(blocking)s)."
)
EXTERNAL_BUSY = gettext_noop(
    "Die Phase „%(phase)s“ (%(phase_span)s) überschneidet sich mit einem Kalendereintrag von "
    "%(staff)s (%(blocking)s)."
)


def describe(
    conflict: Conflict, verdict: Verdict, policy: Policy, staff_names: Mapping[str, str]
) -> Sentence:
    """One sentence naming the rule, the phase and the conflicting interval."""
    template, params = _template(conflict, verdict, policy)
    phase = conflict.phase
    return Sentence(
        template,
        params
        | {
            "staff": staff_names.get(conflict.staff_id or "", ""),
            "phase": phase.segment.name if phase else "",
            "phase_span": span_text(phase.interval, policy.zone) if phase else "",
            "blocking": span_text(conflict.blocking.interval, policy.zone)
            if conflict.blocking
            else "",
        },
    )


def _template(conflict: Conflict, verdict: Verdict, policy: Policy) -> tuple[str, dict[str, Any]]:
    """The rule's template and the parameters only that rule has."""
    zone = policy.zone
    start = verdict.phases[0].interval.start
    match conflict.rule:
        case Rule.TOO_SOON:
            return TOO_SOON, {"minutes": int(policy.min_notice.total_seconds() // 60)}
        case Rule.BEYOND_HORIZON:
            return BEYOND_HORIZON, {"days": policy.horizon.days}
        case Rule.OFF_GRID:
            step = int(policy.slot_step.total_seconds() // 60)
            first, second = _grid_examples(step)
            return OFF_GRID, {"step": step, "first": first, "second": second}
        case Rule.SALON_CLOSED:
            day = start.astimezone(zone)
            return SALON_CLOSED, {"day": f"{day:%d}", "month": f"{day:%m}", "year": f"{day:%Y}"}
        case Rule.OUTSIDE_OPENING_HOURS:
            span = span_text(Interval(start, verdict.phases[-1].interval.end), zone)
            if conflict.window is None:
                return OUTSIDE_ANY_OPENING_HOURS, {"span": span}
            return OUTSIDE_OPENING_HOURS, {"span": span, "hours": span_text(conflict.window, zone)}
        case Rule.CUSTOMER_BUSY:
            return CUSTOMER_BUSY, {}
        case Rule.STAFF_NOT_QUALIFIED:
            return STAFF_NOT_QUALIFIED, {}
        case Rule.OUTSIDE_WORKING_HOURS:
            if conflict.window is None:
                return OFF_DUTY, {}
            return OUTSIDE_WORKING_HOURS, {"hours": span_text(conflict.window, zone)}
        case Rule.STAFF_BUSY:
            if conflict.blocking and conflict.blocking.label:
                return STAFF_BUSY, {"label": conflict.blocking.label}
            return STAFF_BUSY_UNLABELLED, {}
        case Rule.STAFF_ABSENT:
            return STAFF_ABSENT, {}
        case Rule.EXTERNAL_BUSY:
            return EXTERNAL_BUSY, {}
