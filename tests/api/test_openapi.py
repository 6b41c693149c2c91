"""The OpenAPI schema: served without a token, valid OpenAPI 3, documents every endpoint with
its error responses, and what the API really answers matches it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_spec_validator import validate

from tests.support.api import ApiClient, answers_of_each_kind

READS = {"400", "401", "404", "422"}
WRITES = READS | {"409"}
OPERATIONS = {
    ("get", "/api/v1/services"): READS,
    ("get", "/api/v1/availability"): READS,
    ("get", "/api/v1/explain"): READS,
    ("post", "/api/v1/holds"): WRITES,
    ("post", "/api/v1/appointments"): WRITES,
    ("get", "/api/v1/appointments/{appointment_id}"): READS,
    ("post", "/api/v1/appointments/{appointment_id}/reschedule"): WRITES,
    ("post", "/api/v1/appointments/{appointment_id}/cancel"): WRITES,
    ("post", "/api/v1/staff/{staff_id}/absences"): WRITES,
    ("get", "/api/v1/calls"): READS,
    ("get", "/api/v1/calls/{call_id}"): READS,
}


@pytest.fixture
def spec(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def test_the_schema_is_readable_without_a_token_and_valid_openapi_3(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_endpoint_is_documented_with_its_error_responses(spec: dict[str, Any]) -> None:
    documented = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    assert documented == set(OPERATIONS)
    for (method, path), errors in OPERATIONS.items():
        responses = spec["paths"][path][method]["responses"]
        assert errors <= set(responses), (method, path)
        for status in errors:
            schema = responses[status]["content"]["application/json"]["schema"]["$ref"]
            name = schema.rsplit("/", 1)[-1]
            assert {"error", "message"} <= set(spec["components"]["schemas"][name]["required"])


def _objects_reached(schema: dict[str, Any], spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object schema that `schema` contains or refers to, itself included."""
    if "$ref" in schema:
        return _objects_reached(
            spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], spec
        )
    nested = [
        *([schema["items"]] if "items" in schema else []),
        *schema.get("anyOf", []),
        *schema.get("properties", {}).values(),
    ]
    found = [schema] if schema.get("type") == "object" else []
    return found + [obj for part in nested for obj in _objects_reached(part, spec)]


def test_every_success_is_documented_down_to_its_last_field(spec: dict[str, Any]) -> None:
    for method, path in OPERATIONS:
        responses = spec["paths"][path][method]["responses"]
        successes = [status for status in responses if status.startswith("2")]
        assert successes, (method, path)
        for success in successes:
            schema = responses[success]["content"]["application/json"]["schema"]
            objects = _objects_reached(schema, spec)
            assert objects, (method, path)
            for obj in objects:
                assert obj.get("properties"), (method, path, obj.get("title"))
                assert not obj.get("additionalProperties"), (method, path, obj.get("title"))


def test_explain_documents_its_reasons_per_stylist(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    explanation = schemas["ExplanationOut"]["properties"]
    assert {"possible", "start", "end", "bookable_staff_ids", "reasons", "staff", "phases"} == set(
        explanation
    )
    assert explanation["reasons"]["items"]["$ref"].endswith("/ReasonOut")
    assert {
        "rule",
        "message",
        "staff_id",
        "phase",
        "conflicting_interval",
        "conflicting_label",
    } == set(schemas["ReasonOut"]["properties"])


def test_every_endpoint_requires_the_bearer_token(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    bearer = [name for name, scheme in schemes.items() if scheme.get("scheme") == "bearer"]
    for method, path in OPERATIONS:
        assert spec["paths"][path][method]["security"] == [{bearer[0]: []}]


def test_the_booking_bodies_are_the_fixed_interface(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert set(schemas["BookingIn"]["properties"]) == {
        "service_id",
        "start",
        "staff_id",
        "customer",
    }
    assert set(schemas["CustomerIn"]["properties"]) == {"name", "phone", "email"}
    assert {"hold_id", "service_id", "start", "staff_id", "customer"} == set(
        schemas["AppointmentIn"]["properties"]
    )
    assert set(schemas["RescheduleIn"]["properties"]) == {"start", "staff_id"}
    assert set(schemas["CancelIn"]["properties"]) == {"reason"}


def test_real_answers_match_the_schema(
    spec: dict[str, Any],
    api: ApiClient,
    salon: SimpleNamespace,
) -> None:
    openapi = OpenAPI.from_dict(spec)
    answers = answers_of_each_kind(api, salon)
    statuses = {answer.status_code for answer in answers}
    assert {200, 201, 400, 401, 404, 409, 422} <= statuses
    for answer in answers:
        openapi.validate_response(
            DjangoOpenAPIRequest(answer.wsgi_request), DjangoOpenAPIResponse(answer)
        )
