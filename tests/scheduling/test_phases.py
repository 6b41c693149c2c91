"""Phases: a service's segments laid out one after another from a start."""

from __future__ import annotations

from datetime import timedelta

from phasebook.scheduling.phases import plan_phases, staff_offsets
from tests.support.scheduling import COLOUR, MONDAY, at


def test_each_segment_becomes_one_phase_with_its_key_and_order() -> None:
    phases = plan_phases(COLOUR, at(MONDAY, "10:00"))

    assert [(p.key, p.sequence_order) for p in phases] == [
        ("A", 1),
        ("GAP_A", 2),
        ("B", 3),
        ("C", 4),
        ("D", 5),
    ]


def test_phases_follow_each_other_without_holes() -> None:
    phases = plan_phases(COLOUR, at(MONDAY, "10:00"))

    assert [(p.interval.start, p.interval.end) for p in phases] == [
        (at(MONDAY, "10:00"), at(MONDAY, "10:30")),
        (at(MONDAY, "10:30"), at(MONDAY, "11:00")),
        (at(MONDAY, "11:00"), at(MONDAY, "11:20")),
        (at(MONDAY, "11:20"), at(MONDAY, "12:00")),
        (at(MONDAY, "12:00"), at(MONDAY, "12:40")),
    ]


def test_only_the_gap_leaves_the_stylist_free() -> None:
    phases = plan_phases(COLOUR, at(MONDAY, "10:00"))

    assert [p.key for p in phases if not p.staff_required] == ["GAP_A"]


def test_staff_offsets_skip_the_gap_but_count_its_time() -> None:
    offsets = [(s.key, offset, length) for s, offset, length in staff_offsets(COLOUR)]

    assert offsets == [
        ("A", timedelta(0), timedelta(minutes=30)),
        ("B", timedelta(minutes=60), timedelta(minutes=20)),
        ("C", timedelta(minutes=80), timedelta(minutes=40)),
        ("D", timedelta(minutes=120), timedelta(minutes=40)),
    ]
