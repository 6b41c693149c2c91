"""Tenant isolation on every endpoint: the service list shows only the caller's own, and every
endpoint refuses a request whose token names no company. Another salon's ids, in every place
the OpenAPI document has one, are tests/tenancy/test_api_routes.py's (404 exactly like ids
that do not exist, nothing changed)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.salons.models import Absence, ApiToken, Customer
from tests.factories import next_weekday
from tests.support.api import ApiClient
from tests.support.openapi import operations

START = next_weekday(timezone.now())


@pytest.fixture
def booked(api: ApiClient, salon: SimpleNamespace) -> str:
    """The id of company A's appointment, booked through A's own token."""
    body = {
        "service_id": salon.colour.pk,
        "start": START.isoformat(),
        "staff_id": str(salon.anna.pk),
        "customer": {"name": "Eva", "phone": "+49 171 2345678"},
    }
    response = api.post("/appointments", body)
    assert response.status_code == 201
    return str(response.json()["id"])


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


def test_the_service_list_shows_only_the_callers_services_and_stylists(
    salon: SimpleNamespace,
    other_salon: SimpleNamespace,
    intruder: ApiClient,
) -> None:
    services = intruder.get("/services").json()
    assert {service["id"] for service in services} == {other_salon.colour.pk, other_salon.cut.pk}
    staff_ids = {staff_id for service in services for staff_id in service["staff_ids"]}
    assert staff_ids == {str(other_salon.anna.pk), str(other_salon.ben.pk)}


# Every operation of the OpenAPI document, its path parameters naming nothing.
ENDPOINTS = [
    pytest.param(
        operation.method.lower(),
        operation.path_naming_no_row(),
        None if operation.method == "GET" else {},
        id=operation.key,
    )
    for operation in operations()
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
    booked: str,
) -> None:
    _revoked_token(salon)
    assert api.get(f"/appointments/{booked}").status_code == 401
