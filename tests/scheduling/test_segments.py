"""One validated segment format: what a service definition may and may not be."""

from __future__ import annotations

from typing import Any

import pytest

from phasebook.scheduling.segments import Segment, SegmentError, parse_segments, total_minutes


def seg(key: str, minutes: Any = 30, staff: Any = True, name: str = "Schnitt") -> dict[str, Any]:
    return {"key": key, "name": name, "duration_minutes": minutes, "staff_required": staff}


def test_a_colour_with_a_processing_gap_is_parsed_in_order() -> None:
    parsed = parse_segments([seg("A"), seg("GAP_A", staff=False), seg("B", 20)])

    assert [s.key for s in parsed] == ["A", "GAP_A", "B"]
    assert [s.staff_required for s in parsed] == [True, False, True]
    assert total_minutes(parsed) == 80


def test_a_single_segment_is_a_simple_service() -> None:
    assert parse_segments([seg("A", 45)]) == (Segment("A", "Schnitt", 45, True),)


def test_keys_and_names_are_trimmed() -> None:
    assert parse_segments([seg(" A ", name=" Schnitt ")])[0].key == "A"


def test_it_rejects_an_empty_service() -> None:
    with pytest.raises(SegmentError, match="mindestens ein Segment"):
        parse_segments([])


@pytest.mark.parametrize("raw", [None, "A", b"A", {"key": "A"}, 42])
def test_it_rejects_segments_that_are_not_a_list(raw: object) -> None:
    with pytest.raises(SegmentError, match="Liste"):
        parse_segments(raw)


@pytest.mark.parametrize("minutes", [0, -10])
def test_it_rejects_a_duration_that_is_not_positive(minutes: int) -> None:
    with pytest.raises(SegmentError, match=rf"Segment A: die Dauer .* nicht {minutes}"):
        parse_segments([seg("A", minutes)])


@pytest.mark.parametrize("minutes", [True, 30.0, "30", None])
def test_it_rejects_a_duration_that_is_not_a_whole_number(minutes: object) -> None:
    with pytest.raises(SegmentError, match="Segment A: die Dauer muss eine positive ganze Zahl"):
        parse_segments([seg("A", minutes)])


def test_it_rejects_duplicate_keys() -> None:
    with pytest.raises(SegmentError, match="Schlüssel A kommt mehrfach vor"):
        parse_segments([seg("A"), seg("GAP_A", staff=False), seg("A")])


def test_it_rejects_a_gap_as_the_first_segment() -> None:
    with pytest.raises(SegmentError, match="Einwirkzeit GAP_A darf nicht das erste"):
        parse_segments([seg("GAP_A", staff=False), seg("A")])


def test_it_rejects_a_gap_as_the_last_segment() -> None:
    with pytest.raises(SegmentError, match="Einwirkzeit GAP_A darf nicht das letzte"):
        parse_segments([seg("A"), seg("GAP_A", staff=False)])


def test_it_rejects_a_service_that_is_only_a_gap() -> None:
    with pytest.raises(SegmentError, match="Einwirkzeit"):
        parse_segments([seg("GAP_A", staff=False)])


def test_it_names_the_missing_fields() -> None:
    with pytest.raises(SegmentError, match="Segment 1: es fehlt duration_minutes, staff_required"):
        parse_segments([{"key": "A", "name": "Schnitt"}])


def test_it_rejects_a_segment_that_is_not_an_object() -> None:
    with pytest.raises(SegmentError, match="Segment 2 muss ein Objekt"):
        parse_segments([seg("A"), "B"])


@pytest.mark.parametrize("key", ["", "   ", "A" * 11, 7])
def test_it_rejects_a_blank_or_too_long_key(key: object) -> None:
    with pytest.raises(SegmentError, match="Schlüssel muss 1 bis 10 Zeichen"):
        parse_segments([seg(key)])  # type: ignore[arg-type]


def test_it_rejects_an_empty_name() -> None:
    with pytest.raises(SegmentError, match="Segment A: der Name darf nicht leer"):
        parse_segments([seg("A", name=" ")])


@pytest.mark.parametrize("staff", [1, "true", None])
def test_it_rejects_staff_required_that_is_not_a_boolean(staff: object) -> None:
    with pytest.raises(SegmentError, match="Segment A: staff_required muss true oder false"):
        parse_segments([seg("A", staff=staff)])


def test_segments_round_trip_through_their_dict_form() -> None:
    parsed = parse_segments([seg("A"), seg("GAP_A", 15, False), seg("B", 5)])

    assert parse_segments([s.as_dict() for s in parsed]) == parsed
