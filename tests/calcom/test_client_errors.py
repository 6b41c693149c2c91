"""The client turns each Cal.com error body into a typed error with the right retry advice."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.errors import (
    CalcomAuthError,
    CalcomBadRequestError,
    CalcomConflictError,
    CalcomError,
    CalcomHostBusyError,
    CalcomManagedEventTypeError,
    CalcomNotFoundError,
    CalcomRateLimitedError,
    CalcomServerError,
    CalcomUnprocessableError,
)


def envelope(code: str, message: str) -> dict[str, Any]:
    return {"status": "error", "error": {"code": code, "message": message}}


def client_answering(
    status: int, body: object, headers: dict[str, str] | None = None
) -> CalcomClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)

    transport = httpx.MockTransport(answer)
    return CalcomClient("https://cal.test", "cal_live_secret", transport=transport)


MANAGED = (
    "Event type with id=7 is the parent managed event type that can't be booked. You have to "
    "provide the child event type id aka id of event type that has been assigned to one of the "
    "users."
)


@pytest.mark.parametrize(
    ("status", "body", "error_class", "retryable"),
    [
        (400, envelope("BadRequestException", MANAGED), CalcomManagedEventTypeError, False),
        (
            400,
            envelope(
                "BadRequestException",
                "User either already has booking at this time or is not available",
            ),
            CalcomHostBusyError,
            False,
        ),
        (
            400,
            envelope(
                "BadRequestException",
                "One of the hosts either already has booking at this time or is not available",
            ),
            CalcomHostBusyError,
            False,
        ),
        (
            400,
            envelope("BadRequestException", "Attempting to book a meeting in the past."),
            CalcomBadRequestError,
            False,
        ),
        (
            401,
            envelope(
                "UnauthorizedException", "ApiAuthStrategy - api key - Your api key is not valid"
            ),
            CalcomAuthError,
            False,
        ),
        (
            403,
            envelope(
                "ForbiddenException", "checkBookingRequiresAuthentication - user is not authorized"
            ),
            CalcomAuthError,
            False,
        ),
        (
            404,
            envelope("NotFoundException", "Event type with id 9 not found."),
            CalcomNotFoundError,
            False,
        ),
        (409, {"statusCode": 409, "message": "booking_conflict_error"}, CalcomConflictError, False),
        (
            422,
            envelope(
                "UnprocessableEntityException",
                "Can't book this team event type because it has no hosts.",
            ),
            CalcomUnprocessableError,
            False,
        ),
        (500, {"statusCode": 500, "message": "Internal server error"}, CalcomServerError, True),
        (502, "<html>Bad gateway</html>", CalcomServerError, True),
    ],
)
def test_each_cal_com_error_is_recognised_with_the_right_retry_advice(
    status: int, body: object, error_class: type[CalcomError], retryable: bool
) -> None:
    with client_answering(status, body) as client, pytest.raises(error_class) as caught:
        client.get_booking("uid")

    assert caught.value.retryable is retryable
    assert caught.value.status_code == status


def test_both_error_body_shapes_yield_the_message() -> None:
    bare = client_answering(409, {"statusCode": 409, "message": "booking_conflict_error"})
    with bare, pytest.raises(CalcomConflictError, match="booking_conflict_error"):
        bare.get_booking("uid")
    nested = client_answering(
        404, envelope("NotFoundException", "Booking with uid=x was not found in the database")
    )
    with nested, pytest.raises(CalcomNotFoundError, match="not found in the database") as caught:
        nested.get_booking("x")
    assert caught.value.code == "NotFoundException"


def test_a_429_carries_the_parsed_rate_limit_headers() -> None:
    headers = {
        "X-RateLimit-Limit-Default": "120",
        "X-RateLimit-Remaining-Default": "0",
        "X-RateLimit-Reset-Default": "42",
    }
    body = envelope(
        "ThrottlerException", "CustomThrottlerGuard - Too many requests. Please try again later."
    )

    with (
        client_answering(429, body, headers) as client,
        pytest.raises(CalcomRateLimitedError) as caught,
    ):
        client.get_booking("uid")

    (limit,) = caught.value.rate_limits
    assert (limit.name, limit.limit, limit.remaining, limit.reset_seconds) == (
        "Default",
        120,
        0,
        42.0,
    )
    assert caught.value.retry_after_seconds == 42.0
    assert caught.value.retryable


def test_every_call_pins_the_api_version_of_its_endpoint_family() -> None:
    seen: dict[str, str] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen[request.url.path] = request.headers["cal-api-version"]
        return httpx.Response(404, json=envelope("NotFoundException", "nothing here"))

    client = CalcomClient("https://cal.test", "cal_x", transport=httpx.MockTransport(answer))
    for call in (
        lambda: client.get_booking("u"),
        lambda: client.get_event_type(1),
        lambda: client.get_slots(1, *two_instants()),
    ):
        with pytest.raises(CalcomNotFoundError):
            call()

    assert seen == {
        "/v2/bookings/u": "2024-08-13",
        "/v2/event-types/1": "2024-06-14",
        "/v2/slots": "2024-09-04",
    }


def test_the_api_key_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_answering(401, envelope("UnauthorizedException", "bad key"))
    with client, pytest.raises(CalcomAuthError):
        client.get_booking("uid")

    assert "cal_live_secret" not in caplog.text
    assert "cal_live_secret" not in repr(client)


def two_instants() -> tuple[datetime, datetime]:
    return datetime(2030, 1, 1, 9, tzinfo=UTC), datetime(2030, 1, 1, 12, tzinfo=UTC)
