"""Tenant isolation on every endpoint: company B's token neither sees nor changes company A's
services, stylists, holds or appointments. Foreign ids answer 404 exactly like ids that do not
exist (no 403: existence must not leak), and nothing in the database changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.salons.models import Absence, ApiToken, Customer
from tests.factories import next_weekday
from tests.support.api import ApiClient

START = next_weekday(timezone.now())


def _booking_body(
    service_id: int, staff_id: Any = None, start: Any = START, phone: str = "+49 171 2345678"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_id": service_id,
        "start": start.isoformat(),
        "customer": {"name": "Eva", "phone": phone},
    }
    if staff_id is not None:
        body["staff_id"] = str(staff_id)
    return body


def _absence_body(**fields: Any) -> dict[str, Any]:
    return {"start": START.isoformat(), "end": (START + timedelta(hours=8)).isoformat(), **fields}


@pytest.fixture
def a_data(api: ApiClient, salon: SimpleNamespace) -> SimpleNamespace:
    """Company A's booked appointment and live hold, made through A's own token."""
    booked = api.post("/appointments", _booking_body(salon.colour.pk, salon.anna.pk))
    held = api.post("/holds", _booking_body(salon.cut.pk, salon.ben.pk, phone="+49 171 7654321"))
    assert booked.status_code == held.status_code == 201
    return SimpleNamespace(booked=booked.json()["id"], held=held.json()["id"])


@pytest.fixture
def intruder(other_salon: SimpleNamespace) -> ApiClient:
    return ApiClient(other_salon.token)


def _snapshot() -> list[Any]:
    """Everything a foreign request could have changed."""
    return [
        list(
            Appointment.objects.order_by("pk").values_list(
                "pk", "status", "start", "end", "staff_id", "hold_expires_at", "cancel_reason"
            )
        ),
        list(
            AppointmentPhase.objects.order_by("pk").values_list(
                "pk", "start_time", "end_time", "staff_id", "blocks_staff"
            )
        ),
        list(Customer.objects.order_by("pk").values_list("pk", "name", "phone")),
        list(Absence.objects.order_by("pk").values_list("pk", "staff_id", "start", "end")),
    ]


# Each request uses one of company A's ids through company B's token; `a` is salon A's
# fixture namespace plus A's appointment ids, `b` is salon B.
ForeignRequest = Callable[[ApiClient, SimpleNamespace, SimpleNamespace], Any]

FOREIGN_REQUESTS: dict[str, ForeignRequest] = {
    "read A's appointment": lambda c, a, b: c.get(f"/appointments/{a.booked}"),
    "read A's hold": lambda c, a, b: c.get(f"/appointments/{a.held}"),
    "reschedule A's appointment": lambda c, a, b: c.post(
        f"/appointments/{a.booked}/reschedule", {"start": (START + timedelta(hours=2)).isoformat()}
    ),
    "reschedule A's appointment onto B's stylist": lambda c, a, b: c.post(
        f"/appointments/{a.booked}/reschedule",
        {"start": START.isoformat(), "staff_id": str(b.anna.pk)},
    ),
    "cancel A's appointment": lambda c, a, b: c.post(
        f"/appointments/{a.booked}/cancel", {"reason": "feindlich"}
    ),
    "cancel A's hold": lambda c, a, b: c.post(f"/appointments/{a.held}/cancel"),
    "confirm A's hold": lambda c, a, b: c.post("/appointments", {"hold_id": a.held}),
    "book A's service": lambda c, a, b: c.post(
        "/appointments", _booking_body(a.colour.pk, start=START + timedelta(days=1))
    ),
    "book A's stylist for B's service": lambda c, a, b: c.post(
        "/appointments", _booking_body(b.cut.pk, a.anna.pk, START + timedelta(days=1))
    ),
    "hold A's service": lambda c, a, b: c.post(
        "/holds", _booking_body(a.cut.pk, start=START + timedelta(days=1))
    ),
    "hold A's stylist for B's service": lambda c, a, b: c.post(
        "/holds", _booking_body(b.cut.pk, a.ben.pk, START + timedelta(days=1))
    ),
    "search A's service": lambda c, a, b: c.get(
        "/availability",
        service=a.colour.pk,
        **{"from": START.isoformat(), "to": (START + timedelta(days=1)).isoformat()},
    ),
    "search A's stylist": lambda c, a, b: c.get(
        "/availability",
        service=b.colour.pk,
        staff=str(a.anna.pk),
        **{"from": START.isoformat(), "to": (START + timedelta(days=1)).isoformat()},
    ),
    "explain A's service": lambda c, a, b: c.get(
        "/explain", service=a.colour.pk, start=START.isoformat()
    ),
    "explain A's stylist": lambda c, a, b: c.get(
        "/explain", service=b.colour.pk, start=START.isoformat(), staff=str(a.anna.pk)
    ),
    "plan an absence of A's stylist": lambda c, a, b: c.post(
        f"/staff/{a.anna.pk}/absences", _absence_body(dry_run=True)
    ),
    "record an absence of A's stylist": lambda c, a, b: c.post(
        f"/staff/{a.anna.pk}/absences", _absence_body()
    ),
}


@pytest.mark.parametrize("request_name", FOREIGN_REQUESTS)
def test_another_company_gets_404_and_changes_nothing(
    request_name: str,
    salon: SimpleNamespace,
    other_salon: SimpleNamespace,
    a_data: SimpleNamespace,
    intruder: ApiClient,
) -> None:
    a = SimpleNamespace(**vars(salon), **vars(a_data))
    before = _snapshot()
    response = FOREIGN_REQUESTS[request_name](intruder, a, other_salon)
    assert response.status_code == 404, response.content
    assert response.json()["error"] == "not_found"
    assert _snapshot() == before


@pytest.mark.parametrize("action", ["", "/reschedule", "/cancel"])
def test_a_foreign_appointment_looks_exactly_like_a_missing_one(
    action: str,
    a_data: SimpleNamespace,
    intruder: ApiClient,
) -> None:
    body = {"start": START.isoformat()} if action == "/reschedule" else {}

    def call(appointment_id: str) -> Any:
        path = f"/appointments/{appointment_id}{action}"
        return intruder.post(path, body) if action else intruder.get(path)

    foreign, missing = call(a_data.booked), call(str(uuid.uuid4()))
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())


def test_the_service_list_shows_only_the_callers_services_and_stylists(
    salon: SimpleNamespace,
    other_salon: SimpleNamespace,
    intruder: ApiClient,
) -> None:
    services = intruder.get("/services").json()
    assert {service["id"] for service in services} == {other_salon.colour.pk, other_salon.cut.pk}
    staff_ids = {staff_id for service in services for staff_id in service["staff_ids"]}
    assert staff_ids == {str(other_salon.anna.pk), str(other_salon.ben.pk)}


def test_a_company_still_sees_its_own_appointment_after_a_foreign_attempt(
    api: ApiClient,
    a_data: SimpleNamespace,
    intruder: ApiClient,
) -> None:
    intruder.post(f"/appointments/{a_data.booked}/cancel")
    own = api.get(f"/appointments/{a_data.booked}")
    assert own.status_code == 200
    assert own.json()["status"] == "booked"


ENDPOINTS = [
    ("get", "/services", None),
    ("get", "/availability", None),
    ("get", "/explain", None),
    ("post", "/holds", {}),
    ("post", "/appointments", {}),
    ("get", f"/appointments/{uuid.uuid4()}", None),
    ("post", f"/appointments/{uuid.uuid4()}/reschedule", {}),
    ("post", f"/appointments/{uuid.uuid4()}/cancel", {}),
    ("post", f"/staff/{uuid.uuid4()}/absences", {}),
]


def _revoked_token(salon: SimpleNamespace) -> str:
    ApiToken.objects.filter(company=salon.company).get().revoke()
    return str(salon.token)


CREDENTIALS: dict[str, Callable[[SimpleNamespace], dict[str, str]]] = {
    "no token": lambda salon: {},
    "wrong token": lambda salon: {"Authorization": "Bearer pb_not-a-real-token"},
    "empty bearer": lambda salon: {"Authorization": "Bearer "},
    "basic auth": lambda salon: {"Authorization": f"Basic {salon.token}"},
    "revoked token": lambda salon: {"Authorization": f"Bearer {_revoked_token(salon)}"},
}


@pytest.mark.parametrize("credentials", CREDENTIALS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_refuses_a_missing_wrong_or_revoked_token_in_german(
    method: str,
    path: str,
    body: dict[str, Any] | None,
    credentials: str,
    salon: SimpleNamespace,
    client: Any,
) -> None:
    headers = CREDENTIALS[credentials](salon)
    before = _snapshot()
    if method == "get":
        response = client.get(f"/api/v1{path}", headers=headers)
    else:
        response = client.post(
            f"/api/v1{path}", body, content_type="application/json", headers=headers
        )
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert "API-Token" in response.json()["message"]
    assert _snapshot() == before


def test_a_revoked_token_no_longer_reads_what_it_booked(
    api: ApiClient,
    salon: SimpleNamespace,
    a_data: SimpleNamespace,
) -> None:
    _revoked_token(salon)
    assert api.get(f"/appointments/{a_data.booked}").status_code == 401
