"""POST /api/v1/staff/{id}/absences: a dry run answers the impact and the plan and writes
nothing; without it the absence is recorded and the plan applied; times in the salon's
zone, texts in the caller's language, errors like every v1 error."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from phasebook.booking.models import Appointment
from phasebook.salons.models import Absence
from tests.factories import next_weekday
from tests.support.api import ApiClient

TEN = next_weekday(timezone.now())  # a Wednesday 10:00 in Berlin, a week or more ahead
DAY = (TEN.replace(hour=0), TEN.replace(hour=23, minute=59))


def _body(**fields: Any) -> dict[str, Any]:
    return {"start": DAY[0].isoformat(), "end": DAY[1].isoformat(), "reason": "krank", **fields}


@pytest.fixture
def booked(api: ApiClient, salon: SimpleNamespace) -> dict[str, Any]:
    """Anna's colour at 10:00 for Eva, whose phone number the call list shows."""
    response = api.post(
        "/appointments",
        {
            "service_id": salon.colour.pk,
            "start": TEN.isoformat(),
            "staff_id": str(salon.anna.pk),
            "customer": {"name": "Eva Adler", "phone": "+49 171 2345678"},
        },
    )
    assert response.status_code == 201
    return dict(response.json())


def _absences(api: ApiClient, salon: SimpleNamespace, body: dict[str, Any]) -> Any:
    return api.post(f"/staff/{salon.anna.pk}/absences", body)


def test_a_dry_run_shows_the_impact_and_the_plan_and_writes_nothing(
    api: ApiClient,
    salon: SimpleNamespace,
    booked: dict[str, Any],
) -> None:
    response = _absences(api, salon, _body(dry_run=True))

    assert response.status_code == 200
    answer = response.json()
    assert (answer["applied"], answer["absence_id"]) == (False, None)
    assert answer["plan_id"]
    assert answer["start"] == DAY[0].isoformat()  # in the salon's zone
    (entry,) = answer["entries"]
    assert entry["appointment_id"] == booked["id"]
    assert entry["action"] == "same_time"
    assert (entry["new_staff_id"], entry["new_staff_name"]) == (str(salon.ben.pk), "Ben")
    assert entry["new_start"] == entry["start"] == TEN.isoformat()
    assert [phase["segment_key"] for phase in entry["collisions"]] == ["A", "B", "C", "D"]
    assert entry["explanation"] == ["Ben übernimmt alle vier Phasen."]
    assert entry["outcome"] is None
    (call,) = answer["customers_to_call"]
    assert (call["name"], call["phone"], call["change"]) == (
        "Eva Adler",
        "+491712345678",
        "new_stylist",
    )
    assert not Absence.objects.exists()
    assert Appointment.objects.get(pk=booked["id"]).staff_id == salon.anna.pk


def test_applying_the_plan_id_records_the_absence_and_moves_the_appointment(
    api: ApiClient,
    salon: SimpleNamespace,
    booked: dict[str, Any],
) -> None:
    plan_id = _absences(api, salon, _body(dry_run=True)).json()["plan_id"]

    response = _absences(api, salon, _body(plan_id=plan_id))

    assert response.status_code == 201
    answer = response.json()
    assert answer["applied"] is True
    assert answer["absence_id"] == Absence.objects.get().pk
    (entry,) = answer["entries"]
    assert entry["outcome"] == {"result": "moved", "message": "", "error": None}
    assert answer["customers_to_call"][0]["new_staff_name"] == "Ben"
    assert Appointment.objects.get(pk=booked["id"]).staff_id == salon.ben.pk
    *_, handover = api.get(f"/appointments/{booked['id']}").json()["history"]
    assert (handover["kind"], handover["absence_id"]) == ("staff_changed", answer["absence_id"])
    assert "Grund: Ausfall von Anna" in handover["description"]


def test_the_plan_speaks_english_to_an_english_caller(
    client: Client,
    salon: SimpleNamespace,
    booked: dict[str, Any],
) -> None:
    response = client.post(
        f"/api/v1/staff/{salon.anna.pk}/absences",
        _body(dry_run=True),
        content_type="application/json",
        headers={"Authorization": f"Bearer {salon.token}", "Accept-Language": "en"},
    )

    assert response.json()["entries"][0]["explanation"] == ["Ben takes over all four phases."]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (_body(end=DAY[0].isoformat()), 400, "invalid_request"),
        (_body(end=None), 422, "validation_error"),
        (_body(dry_run=True, plan_id="x"), 400, "invalid_request"),
        (_body(plan_id="not-a-plan"), 400, "invalid_plan"),
        (_body(skip=["0b0e2c7e-0000-0000-0000-000000000000"]), 400, "invalid_request"),
        (_body(colour="rot"), 422, "validation_error"),
    ],
)
def test_bad_input_is_refused_in_the_v1_error_shape_and_records_nothing(
    api: ApiClient,
    salon: SimpleNamespace,
    body: dict[str, Any],
    status: int,
    error: str,
) -> None:
    response = _absences(api, salon, body)

    assert response.status_code == status, response.content
    assert response.json()["error"] == error
    assert response.json()["message"]
    assert not Absence.objects.exists()


def test_an_unknown_stylist_is_404(api: ApiClient) -> None:
    response = api.post("/staff/0b0e2c7e-0000-0000-0000-000000000000/absences", _body())

    assert (response.status_code, response.json()["error"]) == (404, "not_found")


def test_another_salons_plan_id_is_not_accepted(
    api: ApiClient,
    salon: SimpleNamespace,
    other_salon: SimpleNamespace,
) -> None:
    plan_id = _absences(api, salon, _body(dry_run=True)).json()["plan_id"]
    intruder = ApiClient(other_salon.token)

    response = intruder.post(f"/staff/{other_salon.anna.pk}/absences", _body(plan_id=plan_id))

    assert (response.status_code, response.json()["error"]) == (400, "invalid_plan")
    assert not Absence.objects.exists()


def test_a_retried_apply_records_the_absence_once(
    api: ApiClient,
    salon: SimpleNamespace,
    booked: dict[str, Any],
) -> None:
    first = _absences(api, salon, _body())
    again = _absences(api, salon, _body())

    assert first.status_code == again.status_code == 201
    assert first.json()["absence_id"] == again.json()["absence_id"]
    assert again.json()["entries"] == []  # the first apply left nothing broken
    assert Absence.objects.count() == 1
