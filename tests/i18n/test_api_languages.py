"""The API answers in the caller's language: English for `Accept-Language: en` (en-US, …),
German otherwise. Codes, statuses and structure are the same in both; only texts differ."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tests.factories import next_weekday
from tests.support.api import ApiClient, answers_of_each_kind, assert_clean_refusal

START = next_weekday(timezone.now())


class Caller(ApiClient):
    """The API test client speaking one language (None: no Accept-Language header)."""

    def __init__(self, token: str | None, language: str | None) -> None:
        super().__init__(token)
        if language is not None:
            self._headers["Accept-Language"] = language


def _without_texts(value: Any) -> Any:
    """`value` with every `message` blanked: what must not depend on the language."""
    if isinstance(value, dict):
        return {
            key: "" if key == "message" else _without_texts(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_texts(item) for item in value]
    return value


def in_both_languages(
    token: str | None, ask: Callable[[Caller], Any], status: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (German, English) bodies of one request, asked without Accept-Language and with
    `en`. English goes first: the next request in the same thread must be German again."""
    responses = {language: ask(Caller(token, language)) for language in ("en", None)}
    english, german = (
        assert_clean_refusal(response, status) if status >= 400 else response.json()
        for response in responses.values()
    )
    assert responses["en"].status_code == responses[None].status_code == status
    assert responses["en"]["Content-Language"] == "en"
    assert responses[None]["Content-Language"] == "de"
    assert _without_texts(german) == _without_texts(english)
    return german, english


def _cut(salon: SimpleNamespace, start: Any, customer: str = "Eva") -> dict[str, Any]:
    return {
        "service_id": salon.cut.pk,
        "start": start.isoformat(),
        "staff_id": str(salon.anna.pk),
        "customer": {"name": customer},
    }


def test_bad_json_is_refused_in_the_callers_language(salon: SimpleNamespace) -> None:
    german, english = in_both_languages(
        salon.token, lambda caller: caller.post("/appointments", raw="{kein json"), 400
    )

    assert german["message"] == "Die Anfrage ist fehlerhaft (kein gültiges JSON?)."
    assert english["message"] == "The request is malformed (not valid JSON?)."


def test_a_missing_token_is_refused_in_the_callers_language(db: None) -> None:
    german, english = in_both_languages(None, lambda caller: caller.get("/services"), 401)

    assert german["message"] == (
        "Bitte mit einem gültigen API-Token anmelden (Authorization: Bearer …)."
    )
    assert english["message"] == (
        "Please authenticate with a valid API token (Authorization: Bearer …)."
    )


def test_an_unknown_appointment_is_not_found_in_the_callers_language(
    salon: SimpleNamespace,
) -> None:
    german, english = in_both_languages(
        salon.token, lambda caller: caller.get(f"/appointments/{uuid.uuid4()}"), 404
    )

    assert german["message"] == "Diesen Termin gibt es nicht."
    assert english["message"] == "This appointment does not exist."


def test_a_message_of_the_booking_service_is_translated_too(salon: SimpleNamespace) -> None:
    unknown_service = _cut(salon, START) | {"service_id": 999_999}

    german, english = in_both_languages(
        salon.token, lambda caller: caller.post("/holds", unknown_service), 404
    )

    assert (german["message"], german["field"]) == ("Diese Leistung gibt es nicht.", "service")
    assert (english["message"], english["field"]) == ("This service does not exist.", "service")


def test_a_taken_slot_is_explained_in_the_callers_language(
    salon: SimpleNamespace,
) -> None:
    assert Caller(salon.token, None).post("/appointments", _cut(salon, START)).status_code == 201
    later = _cut(salon, START + timedelta(minutes=15), customer="Lena")

    german, english = in_both_languages(
        salon.token, lambda caller: caller.post("/appointments", later), 409
    )

    assert german["error"] == english["error"] == "slot_taken"
    assert german["alternatives"]
    assert german["message"] == "Dieser Termin ist leider schon vergeben."
    assert english["message"] == "Sorry, this time is already taken."
    assert german["reasons"][0]["message"] == (
        "Die Phase „Herrenhaarschnitt“ (10:15–10:45) überschneidet sich mit "
        "„Herrenhaarschnitt“ (10:00–10:30) von Anna."
    )
    assert english["reasons"][0]["message"] == (
        "The phase “Herrenhaarschnitt” (10:15–10:45) overlaps “Herrenhaarschnitt” "
        "(10:00–10:30) with Anna."
    )


def test_invalid_input_is_named_in_the_callers_language(salon: SimpleNamespace) -> None:
    naive = _cut(salon, START) | {"start": START.replace(tzinfo=None).isoformat()}

    german, english = in_both_languages(
        salon.token, lambda caller: caller.post("/holds", naive), 422
    )

    assert german["message"] == (
        "Ungültige Eingabe: start: Zeitangabe mit UTC-Versatz angeben, "
        "z. B. 2026-03-02T10:00:00+01:00."
    )
    assert english["message"] == (
        "Invalid input: start: give the time with a UTC offset, e.g. 2026-03-02T10:00:00+01:00."
    )
    assert [item["message"] for item in english["fields"]] == [
        "start: give the time with a UTC offset, e.g. 2026-03-02T10:00:00+01:00."
    ]


def test_a_start_that_is_never_bookable_is_explained_in_the_callers_language(
    salon: SimpleNamespace,
) -> None:
    off_grid = _cut(salon, START + timedelta(minutes=7))

    german, english = in_both_languages(
        salon.token, lambda caller: caller.post("/appointments", off_grid), 422
    )

    assert german["error"] == english["error"] == "not_bookable"
    assert german["message"] == "Termine beginnen im 15-Minuten-Raster (z. B. 09:00, 09:15)."
    assert english["message"] == "Appointments start on a 15-minute grid (e.g. 09:00, 09:15)."
    assert [reason["rule"] for reason in english["reasons"]] == ["off_grid"]
    assert english["reasons"][0]["message"] == english["message"]


def test_explain_gives_its_reasons_in_the_callers_language(salon: SimpleNamespace) -> None:
    assert Caller(salon.token, None).post("/appointments", _cut(salon, START)).status_code == 201
    query = {
        "service": salon.colour.pk,
        "start": (START - timedelta(minutes=15)).isoformat(),
        "staff": str(salon.anna.pk),
    }

    german, english = in_both_languages(
        salon.token, lambda caller: caller.get("/explain", **query), 200
    )

    (german_reason,) = german["staff"][0]["reasons"]
    (english_reason,) = english["staff"][0]["reasons"]
    assert english_reason["rule"] == "staff_busy"
    assert german_reason["message"] == (
        "Die Phase „Ansatzfärbung auftragen“ (09:45–10:15) überschneidet sich mit "
        "„Herrenhaarschnitt“ (10:00–10:30) von Anna."
    )
    assert english_reason["message"] == (
        "The phase “Ansatzfärbung auftragen” (09:45–10:15) overlaps “Herrenhaarschnitt” "
        "(10:00–10:30) with Anna."
    )


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("de;q=0.5, en;q=0.9", "en"),
        ("fr, en;q=0.5", "en"),
        ("de", "de"),
        ("de-AT", "de"),
        ("fr", "de"),
        ("fr-FR, es;q=0.8", "de"),
        ("*", "de"),
        ("", "de"),
        (None, "de"),
        ("en;q=abc", "de"),  # malformed: ignored
        ("en," + "x" * 1000, "en"),  # over-long: Django reads the part up to its limit
    ],
)
def test_english_only_for_callers_who_accept_it_german_for_everyone_else(
    db: None, accept_language: str | None, language: str
) -> None:
    response = Caller(None, accept_language).get("/services")

    assert response["Content-Language"] == language
    assert response.json()["message"].startswith({"en": "Please", "de": "Bitte"}[language])


def test_the_schema_serves_english_callers_and_their_answers_match_it(
    salon: SimpleNamespace,
) -> None:
    english = Caller(salon.token, "en")
    response = english.get("/openapi.json")
    assert response.status_code == 200
    openapi = OpenAPI.from_dict(response.json())

    answers = answers_of_each_kind(english, salon)

    assert {answer.status_code for answer in answers} >= {200, 201, 400, 401, 404, 409, 422}
    for answer in answers:
        openapi.validate_response(
            DjangoOpenAPIRequest(answer.wsgi_request), DjangoOpenAPIResponse(answer)
        )
