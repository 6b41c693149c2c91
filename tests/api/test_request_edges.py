"""The edges of a request: oversized bodies (413), bodies that are not JSON (415) and values
that only look like ids answer a clear 4xx in the caller's language, and write nothing."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from phasebook.booking.models import Appointment
from tests.factories import next_weekday


def _post(salon: SimpleNamespace, path: str, data: Any, content_type: str, **headers: str):
    return Client().post(
        path,
        data,
        content_type=content_type,
        headers={"Authorization": f"Bearer {salon.token}", **headers},
    )


def _booking(salon: SimpleNamespace, **fields: Any) -> dict[str, Any]:
    start = next_weekday(timezone.now()).isoformat()
    return {"service_id": salon.cut.pk, "start": start, "customer": {"name": "Eva"}} | fields


@pytest.mark.parametrize("path", ["/api/v1/appointments", "/webhooks/calcom/salon-a"])
def test_an_oversized_body_answers_413_in_json(salon, path: str) -> None:
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = _post(salon, path, body, "application/json")

    assert response.status_code == 413
    assert response.json() == {
        "error": "payload_too_large",
        "message": "Der Inhalt der Anfrage ist zu groß (höchstens 2560 KiB).",
    }


def test_the_413_speaks_english_to_an_english_caller(salon) -> None:
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = _post(salon, "/api/v1/holds", body, "application/json", **{"Accept-Language": "en"})

    assert response.json()["message"] == "The request body is too large (at most 2560 KiB)."


@pytest.mark.parametrize(
    ("content_type", "encode"),
    [("text/plain", json.dumps), ("application/x-www-form-urlencoded", lambda body: "a=1")],
)
def test_a_body_that_is_not_json_answers_415(salon, content_type, encode) -> None:
    response = _post(salon, "/api/v1/appointments", encode(_booking(salon)), content_type)

    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert "application/json" in response.json()["message"]
    assert not Appointment.objects.exists()


def test_json_with_a_charset_is_json(salon) -> None:
    body = json.dumps(_booking(salon))

    response = _post(salon, "/api/v1/appointments", body, "application/json; charset=utf-8")

    assert response.status_code == 201


def test_a_cancel_without_any_body_needs_no_content_type(salon) -> None:
    booked = _post(salon, "/api/v1/appointments", json.dumps(_booking(salon)), "application/json")

    cancelled = Client().generic(  # as curl -X POST sends it: no body, no Content-Type
        "POST",
        f"/api/v1/appointments/{booked.json()['id']}/cancel",
        headers={"Authorization": f"Bearer {salon.token}"},
    )

    assert cancelled.status_code == 200


@pytest.mark.parametrize("service_id", [True, False, 1.0, "1", 0, -1, 2**63, 2**70])
def test_only_a_json_integer_in_range_is_an_id(salon, service_id) -> None:
    body = json.dumps(_booking(salon, service_id=service_id))

    response = _post(salon, "/api/v1/appointments", body, "application/json")

    assert response.status_code == 422
    assert [field["field"] for field in response.json()["fields"]] == ["service_id"]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("service", ["0", str(2**64), "true"])
def test_a_query_id_out_of_range_answers_422(api, salon, service) -> None:
    response = api.get("/explain", service=service, start=next_weekday(timezone.now()).isoformat())

    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "service"
