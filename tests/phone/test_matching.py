"""Service and stylist names as callers say them."""

from __future__ import annotations

import pytest

from phasebook.phone.language.matching import Ambiguous, Matched, NoMatch, match_name

SERVICES = {
    1: "Ansatzfärbung",
    2: "Ansatz + Längenausgleich",
    3: "Komplette Umfärbung/Blondierung",
    4: "Dauerwelle",
    5: "Herrenhaarschnitt",
    6: "Damenhaarschnitt",
}
STYLISTS = {"a": "Anna Schneider", "b": "Ben Krüger"}


@pytest.mark.parametrize(
    ("said", "key"),
    [
        ("Ansatzfärbung", 1),
        ("ANSATZFÄRBUNG", 1),
        ("ansatzfaerbung", 1),
        ("Ansatzfarbung", 1),
        ("ansatz färbung", 1),
        ("Längenausgleich", 2),
        ("Blondierung", 3),
        ("Dauerwelle bitte", 4),
        ("einen Herrenhaarschnitt", 5),
        ("Herrenschnitt", 5),
        ("Damenschnitt", 6),
    ],
)
def test_a_service_is_found_despite_spelling_and_case(said: str, key: int) -> None:
    assert match_name(said, SERVICES) == Matched(key, SERVICES[key])


@pytest.mark.parametrize(
    ("said", "names"),
    [
        ("Haarschnitt", ["Herrenhaarschnitt", "Damenhaarschnitt"]),
        ("Färbung", ["Ansatzfärbung", "Komplette Umfärbung/Blondierung"]),
        ("Ansatz", ["Ansatzfärbung", "Ansatz + Längenausgleich"]),
    ],
)
def test_a_name_that_fits_several_services_is_ambiguous(said: str, names: list[str]) -> None:
    result = match_name(said, SERVICES)
    assert isinstance(result, Ambiguous)
    assert sorted(result.names) == sorted(names)


@pytest.mark.parametrize("said", ["Maniküre", "", "irgendwas"])
def test_an_unknown_service_is_no_match(said: str) -> None:
    assert match_name(said, SERVICES) == NoMatch()


@pytest.mark.parametrize(
    ("said", "key"),
    [
        ("Anna", "a"),
        ("Frau Schneider", "a"),
        ("bei Anna", "a"),
        ("ben", "b"),
        ("Krüger", "b"),
        ("Kruger", "b"),
        ("Krueger", "b"),
    ],
)
def test_a_stylist_is_found_by_first_or_last_name(said: str, key: str) -> None:
    assert match_name(said, STYLISTS) == Matched(key, STYLISTS[key])


@pytest.mark.parametrize("said", ["Bernd", "Anne", "egal"])
def test_another_name_matches_no_stylist(said: str) -> None:
    assert match_name(said, STYLISTS) == NoMatch()
