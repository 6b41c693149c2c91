"""The booking layer's renderer: explanations structured per stylist, in the salon's local
time with the offset in force, sentences in the active language."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import translation

from phasebook.booking.rendering import Explained, render_explanation
from phasebook.scheduling.availability import check_start
from phasebook.scheduling.intervals import Interval
from tests.support.scheduling import CUT, MONDAY, NOW, at, busy, policy, segments, span, stylist

NAMES = {"anna": "Anna", "ben": "Ben"}


def test_an_explanation_is_structured_per_stylist_with_local_offsets() -> None:
    anna = stylist("anna", busy=[busy(span(MONDAY, "10:00", "10:30"), label="Formschnitt")])
    verdict = check_start(CUT, at(MONDAY, "10:00"), [anna, stylist("ben")], [], policy(), NOW)

    result = render_explanation(Explained(verdict, policy(), NAMES)).model_dump(mode="json")

    assert result["possible"] is True
    assert result["bookable_staff_ids"] == ["ben"]
    assert result["start"] == "2026-06-15T10:00:00+02:00"
    assert result["reasons"] == []
    anna_result, ben_result = result["staff"]
    assert (ben_result["name"], ben_result["possible"], ben_result["reasons"]) == ("Ben", True, [])
    (reason,) = anna_result["reasons"]
    assert reason["rule"] == "staff_busy"
    assert reason["phase"]["segment_key"] == "A"
    assert reason["conflicting_interval"] == {
        "start": "2026-06-15T10:00:00+02:00",
        "end": "2026-06-15T10:30:00+02:00",
    }
    assert reason["conflicting_label"] == "Formschnitt"
    assert [p["segment_key"] for p in result["phases"]] == ["A"]


def test_salon_reasons_come_first_and_then_no_stylist_is_possible() -> None:
    verdict = check_start(CUT, at(MONDAY, "10:10"), [stylist()], [], policy(), NOW)

    result = render_explanation(Explained(verdict, policy(), NAMES))

    assert result.possible is False
    assert [reason.rule for reason in result.reasons] == ["off_grid"]
    assert result.staff[0].possible is False


def test_conflicting_intervals_carry_the_offset_in_force_on_each_clock_change_day() -> None:
    hour = segments(("A", 60, True))
    for monday, offset in ((date(2026, 3, 30), "+02:00"), (date(2026, 10, 26), "+01:00")):
        blocking = busy(Interval(at(monday, "10:00"), at(monday, "11:00")), label="Formschnitt")
        verdict = check_start(
            hour,
            at(monday, "10:30"),
            [stylist(busy=[blocking])],
            [],
            policy(),
            at(monday, "00:00") - timedelta(days=1),
        )

        (staff,) = render_explanation(Explained(verdict, policy(), NAMES)).staff
        (reason,) = staff.reasons
        assert reason.conflicting_interval is not None
        assert reason.conflicting_interval.start.isoformat() == f"{monday}T10:00:00{offset}"


def test_reasons_are_worded_in_the_active_language() -> None:
    anna = stylist("anna", busy=[busy(span(MONDAY, "10:00", "10:30"), label="Formschnitt")])
    verdict = check_start(CUT, at(MONDAY, "10:00"), [anna], [], policy(), NOW)
    explained = Explained(verdict, policy(), NAMES)

    with translation.override("en"):
        (english,) = render_explanation(explained).staff[0].reasons
    (german,) = render_explanation(explained).staff[0].reasons

    assert english.message == (
        "The phase “Herrenhaarschnitt” (10:00–10:30) overlaps “Formschnitt” (10:00–10:30) "
        "with Anna."
    )
    assert german.message.startswith("Die Phase „Herrenhaarschnitt“")
