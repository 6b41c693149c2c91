"""Why a start is not possible, in German sentences that can be rendered again in another
language (the structured explanation around them: tests/booking/test_rendering.py)."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Sequence
from datetime import timedelta

import pytest

from phasebook.scheduling.availability import (
    BusyKind,
    Conflict,
    Policy,
    Rule,
    StaffSchedule,
    check_start,
)
from phasebook.scheduling.explain import SALON_CLOSED, STAFF_BUSY, Sentence, describe
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.segments import Segment
from tests.support.scheduling import (
    COLOUR,
    CUT,
    MONDAY,
    NOW,
    at,
    busy,
    hours,
    policy,
    span,
    stylist,
)

NAMES = {"anna": "Anna", "ben": "Ben"}


def messages(
    start: str,
    staff: StaffSchedule | None = None,
    pol: Policy | None = None,
    customer: Sequence[Interval] = (),
    service: Sequence[Segment] = COLOUR,
) -> list[Sentence]:
    salon = pol or policy()
    appointments = [busy(other, BusyKind.APPOINTMENT) for other in customer]
    verdict = check_start(
        service, at(MONDAY, start), [staff or stylist()], appointments, salon, NOW
    )
    conflicts = list(verdict.salon_conflicts) + [
        c for cs in verdict.staff_conflicts.values() for c in cs
    ]
    return [describe(conflict, verdict, salon, NAMES) for conflict in conflicts]


def test_a_busy_stylist_is_explained_with_phase_and_blocking_appointment() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "11:00", "11:10"), label="Formschnitt")])

    assert messages("10:00", anna) == [
        "Die Phase „Auswaschen“ (11:00–11:20) überschneidet sich mit „Formschnitt“ "
        "(11:00–11:10) von Anna."
    ]


def test_a_busy_stylist_without_a_label_is_explained_with_an_appointment() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "11:00", "11:10"))])

    assert messages("10:00", anna) == [
        "Die Phase „Auswaschen“ (11:00–11:20) überschneidet sich mit einem Termin "
        "(11:00–11:10) von Anna."
    ]


def test_an_absence_is_explained() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "12:30", "13:00"), BusyKind.ABSENCE)])

    assert messages("10:00", anna) == [
        "Die Phase „Föhnen & Styling“ (12:00–12:40) fällt in eine Abwesenheit von Anna "
        "(12:30–13:00)."
    ]


def test_an_external_block_is_explained() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "10:00", "10:05"), BusyKind.EXTERNAL)])

    assert messages("10:00", anna) == [
        "Die Phase „Farbe auftragen“ (10:00–10:30) überschneidet sich mit einem "
        "Kalendereintrag von Anna (10:00–10:05)."
    ]


def test_the_customers_other_appointment_is_explained() -> None:
    assert messages("10:00", customer=(span(MONDAY, "10:30", "11:00"),)) == [
        "Die Kundin oder der Kunde hat um 10:30–11:00 bereits einen Termin."
    ]


def test_opening_and_working_hours_are_explained_with_the_window() -> None:
    anna = stylist(working=hours([("09:00", "17:00")]))

    assert messages("15:30", anna) == [
        "Der Termin (15:30–18:10) liegt nicht vollständig in den Öffnungszeiten (09:00–18:00).",
        "Die Phase „Formschnitt“ (16:50–17:30) liegt außerhalb der Arbeitszeit von Anna "
        "(09:00–17:00).",
        "Die Phase „Föhnen & Styling“ (17:30–18:10) liegt außerhalb der Arbeitszeit von Anna "
        "(09:00–17:00).",
    ]


def test_missed_opening_hours_without_a_window_to_name_are_explained() -> None:
    salon = policy()
    verdict = check_start(CUT, at(MONDAY, "10:00"), [stylist()], [], salon, NOW)

    assert describe(Conflict(Rule.OUTSIDE_OPENING_HOURS), verdict, salon, NAMES) == (
        "Der Termin (10:00–10:30) liegt nicht vollständig in den Öffnungszeiten."
    )


def test_a_day_off_is_explained() -> None:
    anna = stylist(working=hours([("09:00", "18:00")], ("tue",)))

    assert messages("10:00", anna, service=CUT) == [
        "Die Phase „Herrenhaarschnitt“ (10:00–10:30) liegt außerhalb der Arbeitszeit von Anna "
        "(an diesem Tag nicht im Dienst)."
    ]


def test_a_closed_day_is_explained_with_its_date() -> None:
    assert messages("10:00", pol=policy(closed=[MONDAY])) == [
        "Der Salon ist am 15.06.2026 geschlossen."
    ]


def test_notice_and_horizon_are_explained() -> None:
    tight = policy(min_notice=timedelta(days=30), horizon=timedelta(days=1))

    assert messages("10:00", pol=tight) == [
        "Termine müssen mindestens 43200 Minuten im Voraus gebucht werden.",
        "Termine können höchstens 1 Tage im Voraus gebucht werden.",
    ]


@pytest.mark.parametrize(
    ("step", "example"),
    [(15, "09:00, 09:15"), (60, "09:00, 10:00"), (25, "09:10, 09:35"), (90, "09:00, 10:30")],
)
def test_an_off_grid_start_names_two_grid_times(step: int, example: str) -> None:
    # Regression: an hourly grid used to suggest "09:00, 09:60".
    assert messages("10:10", pol=policy(step=timedelta(minutes=step))) == [
        f"Termine beginnen im {step}-Minuten-Raster (z. B. {example})."
    ]


def test_a_stylist_who_does_not_offer_the_service_is_named() -> None:
    assert messages("10:00", stylist(qualified=False)) == ["Anna bietet diese Leistung nicht an."]


ENGLISH = {
    SALON_CLOSED: "The salon is closed on %(year)s-%(month)s-%(day)s.",
    STAFF_BUSY: "%(staff)s: “%(phase)s” (%(phase_span)s) overlaps “%(label)s” (%(blocking)s).",
}


def test_a_sentence_is_rendered_again_through_a_translation_with_its_parameters() -> None:
    anna = stylist(busy=[busy(span(MONDAY, "11:00", "11:10"), label="Formschnitt")])
    (closed,) = messages("10:00", pol=policy(closed=[MONDAY]))
    (overlap,) = messages("10:00", anna)

    def translate(template: str) -> str:
        return ENGLISH[template]

    assert closed.render(translate) == "The salon is closed on 2026-06-15."
    assert overlap.render(translate) == (
        "Anna: “Auswaschen” (11:00–11:20) overlaps “Formschnitt” (11:00–11:10)."
    )
    assert closed == "Der Salon ist am 15.06.2026 geschlossen."


def test_a_sentence_keeps_its_template_through_copies_and_pickling() -> None:
    (closed,) = messages("10:00", pol=policy(closed=[MONDAY]))

    for again in (copy.deepcopy(closed), pickle.loads(pickle.dumps(closed))):  # noqa: S301
        assert again == closed
        assert again.render(ENGLISH.__getitem__) == "The salon is closed on 2026-06-15."
