"""The HTTP API as its callers see it: a JSON client with a bearer token, the check that a
refusal is clean, and one real answer of each kind."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from tests.factories import next_weekday

# Words that only appear when a framework or exception speaks instead of us.
LEAKS = (
    "Traceback",
    'File "',
    "Exception",
    "Error:",
    "Input should",
    "Field required",
    "value is not",
    "invalid literal",
    "object has no attribute",
    "pydantic",
    "django",
)


class ApiClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, token: str | None) -> None:
        from django.test import Client

        self._client = Client()
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self._client.get(f"/api/v1{path}", params, headers=self._headers)

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self._client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self._headers
        )


def assert_clean_refusal(response: Any, status: int | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    if status is not None:
        assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body["error"], str)
    assert body["error"]
    assert isinstance(body["message"], str)
    assert body["message"]
    text = response.content.decode()
    assert not [leak for leak in LEAKS if leak in text], text[:500]
    return body


def answers_of_each_kind(api: ApiClient, salon: SimpleNamespace) -> list[Any]:
    """One real answer of each kind: successes, 401, 404, 409 with alternatives, 422, 400."""
    start = next_weekday(timezone.now())
    body = {
        "service_id": salon.cut.pk,
        "start": start.isoformat(),
        "staff_id": str(salon.anna.pk),
        "customer": {"name": "Eva"},
    }
    booked = api.post("/appointments", body)
    appointment = booked.json()["id"]
    window = {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}
    absence = {"start": start.isoformat(), "end": (start + timedelta(hours=4)).isoformat()}
    return [
        api.get("/services"),
        api.get("/availability", service=salon.colour.pk, **window),
        api.get("/explain", service=salon.colour.pk, start=start.isoformat()),
        api.post("/holds", body | {"start": (start + timedelta(hours=2)).isoformat()}),
        booked,
        api.post("/appointments", body | {"customer": {"name": "Lena"}}),
        api.get(f"/appointments/{appointment}"),
        api.post(
            f"/appointments/{appointment}/reschedule",
            {"start": (start + timedelta(hours=3)).isoformat()},
        ),
        api.post(f"/staff/{salon.anna.pk}/absences", absence | {"dry_run": True}),
        api.post(f"/staff/{salon.anna.pk}/absences", absence),
        api.post(f"/appointments/{appointment}/cancel", {"reason": "krank"}),
        api.post(f"/appointments/{appointment}/reschedule", {"start": start.isoformat()}),
        api.get(f"/appointments/{uuid.uuid4()}"),
        api.post("/holds", body | {"start": "morgen"}),
        api.post("/appointments", {"service_id": salon.cut.pk}),
        ApiClient(None).get("/services"),
    ]
