"""Calls over API v1: newest first, paginated, tenant-scoped, typed in the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from django.utils import timezone

from phasebook.phone.models import Call, CallAppointment
from tests.factories import BERLIN, next_weekday
from tests.support.api import ApiClient


def _call(salon: SimpleNamespace, call_id: str, minutes_ago: int) -> Call:
    call = Call.objects.create(
        company=salon.company,
        call_id=call_id,
        direction="inbound",
        from_number="+4915112345678",
        to_number="+4930123456",
        status="ended",
        start=timezone.now() - timedelta(minutes=minutes_ago),
        end=timezone.now() - timedelta(minutes=minutes_ago - 2),
        transcript="Agent: Hallo.",
    )
    Call.objects.filter(pk=call.pk).update(created_at=call.start)
    return call


def test_calls_are_listed_newest_first_in_pages(api: ApiClient, salon: SimpleNamespace) -> None:
    for number, minutes_ago in enumerate((30, 10, 20)):
        _call(salon, f"call_{number}", minutes_ago)
    first = api.get("/calls", limit=2).json()
    assert (first["count"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [call["call_id"] for call in first["results"]] == ["call_1", "call_2"]
    second = api.get("/calls", limit=2, offset=2).json()
    assert [call["call_id"] for call in second["results"]] == ["call_0"]
    assert "transcript" not in first["results"][0]


def test_a_call_has_its_fields_in_the_salons_zone(api: ApiClient, salon: SimpleNamespace) -> None:
    call = _call(salon, "call_1", 10)
    body = api.get("/calls/call_1").json()
    assert (body["call_id"], body["from_number"], body["status"]) == (
        "call_1",
        "+4915112345678",
        "ended",
    )
    start, end = (datetime.fromisoformat(body[name]) for name in ("start", "end"))
    assert start.utcoffset() == call.start.astimezone(BERLIN).utcoffset()
    assert abs(start - call.start) < timedelta(milliseconds=1)
    assert abs(end - call.end) < timedelta(milliseconds=1)
    assert (body["transcript"], body["appointments"]) == ("Agent: Hallo.", [])


def test_another_salons_calls_are_neither_listed_nor_found(
    api: ApiClient, salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    _call(other_salon, "call_b", 5)
    assert api.get("/calls").json()["count"] == 0
    response = api.get("/calls/call_b")
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


def test_calls_need_a_token(salon: SimpleNamespace) -> None:
    _call(salon, "call_1", 5)
    assert ApiClient(None).get("/calls").status_code == 401
    assert ApiClient(None).get("/calls/call_1").status_code == 401


def test_a_page_out_of_range_is_refused(api: ApiClient) -> None:
    assert api.get("/calls", limit=0).status_code == 422
    assert api.get("/calls", limit=101).status_code == 422


def test_the_calls_endpoints_are_typed_in_the_openapi_schema(api: ApiClient) -> None:
    schema = api.get("/openapi.json").json()
    calls = schema["paths"]["/api/v1/calls"]["get"]["responses"]["200"]
    detail = schema["paths"]["/api/v1/calls/{call_id}"]["get"]["responses"]["200"]
    assert calls["content"]["application/json"]["schema"]["$ref"].endswith("/CallPageOut")
    assert detail["content"]["application/json"]["schema"]["$ref"].endswith("/CallOut")
    call_out = schema["components"]["schemas"]["CallOut"]["properties"]
    for field in ("call_id", "from_number", "status", "start", "end", "appointments"):
        assert field in call_out
    assert call_out["appointments"]["items"]["$ref"].endswith("/AppointmentOut")


def test_a_call_lists_its_appointments_as_the_appointments_endpoint_shows_them(
    api: ApiClient, salon: SimpleNamespace
) -> None:
    call = _call(salon, "call_1", 5)
    booked = api.post(
        "/appointments",
        {
            "service_id": salon.colour.pk,
            "start": next_weekday(timezone.now()).isoformat(),
            "customer": {"name": "Paula Berg"},
        },
    ).json()
    CallAppointment.objects.create(
        company=salon.company, call=call, appointment_id=booked["id"], action="booked"
    )
    body = api.get("/calls/call_1").json()
    assert body["appointments"] == [api.get(f"/appointments/{booked['id']}").json()]
    assert len(body["appointments"][0]["phases"]) == 5
