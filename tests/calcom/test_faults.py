"""Each fault mode reaches the client as the error a real outage would cause."""

from __future__ import annotations

import httpx
import pytest

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.errors import (
    CalcomConnectionError,
    CalcomRateLimitedError,
    CalcomServerError,
    CalcomTimeoutError,
)
from phasebook.calcom.schemas import BookingFilters
from phasebook.calcom_emulator.faults import FaultPlan, FaultRule
from tests.calcom.emulated import EmulatedCalcom, booking_request, tomorrow_at


def test_a_dropped_connection_is_a_retryable_transport_error_with_unknown_outcome(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_emulator.emulator.inject_fault("drop")

    with pytest.raises(CalcomConnectionError, match="outcome is unknown") as caught:
        calcom_client.create_booking(booking_request(calcom_emulator.event_type.id, tomorrow_at(9)))

    assert caught.value.retryable
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert calcom_emulator.emulator.state.bookings == {}


def test_a_lost_response_still_creates_the_booking(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_emulator.emulator.inject_fault("lose_response", method="POST")

    with pytest.raises(CalcomConnectionError):
        calcom_client.create_booking(
            booking_request(calcom_emulator.event_type.id, tomorrow_at(9), phase_id="p1")
        )

    found = calcom_client.list_bookings(BookingFilters(after_start=tomorrow_at(9)))
    assert [b.metadata for b in found.bookings] == [{"phase_id": "p1"}]


def test_a_hanging_server_is_a_retryable_timeout(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_emulator.emulator.inject_fault("timeout")

    with pytest.raises(CalcomTimeoutError, match="outcome is unknown") as caught:
        calcom_client.get_booking("any")
    assert caught.value.retryable


def test_a_server_error_is_retryable(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_emulator.emulator.inject_fault("server_error", status_code=503)

    with pytest.raises(CalcomServerError) as caught:
        calcom_client.get_booking("any")
    assert (caught.value.status_code, caught.value.retryable) == (503, True)


def test_an_injected_429_carries_the_rate_limit_headers(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_emulator.emulator.inject_fault("rate_limit")

    with pytest.raises(CalcomRateLimitedError) as caught:
        calcom_client.get_booking("any")
    assert caught.value.retry_after_seconds == 60
    assert caught.value.rate_limits[0].remaining == 0


def test_latency_delays_but_does_not_fail_the_request(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_emulator.emulator.inject_fault("latency", latency_ms=20)

    booking = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9))
    )
    assert booking.status == "accepted"


def test_a_fault_for_the_next_request_only_hits_one_request(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_emulator.emulator.inject_fault("server_error", count=1)

    with pytest.raises(CalcomServerError):
        calcom_client.list_bookings()
    assert calcom_client.list_bookings().bookings == []


def test_faults_can_be_limited_to_one_method_and_path(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_emulator.emulator.inject_fault(
        "server_error", count=None, method="POST", path_prefix="/v2/bookings"
    )

    assert calcom_client.list_bookings().bookings == []
    with pytest.raises(CalcomServerError):
        calcom_client.create_booking(booking_request(calcom_emulator.event_type.id, tomorrow_at(9)))


def test_probabilistic_faults_repeat_with_the_same_seed() -> None:
    def fired(seed: int) -> list[bool]:
        plan = FaultPlan(seed)
        plan.add(FaultRule("server_error", count=None, probability=0.3))
        return [plan.pick("GET", "/v2/bookings") is not None for _ in range(50)]

    assert fired(seed=4) == fired(seed=4)
    assert 0 < sum(fired(seed=4)) < 50


def test_faults_can_be_set_and_cleared_over_the_admin_endpoint(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    admin = f"{calcom_emulator.url}/_emulator/faults"
    assert httpx.post(admin, json={"mode": "drop", "count": 5}).status_code == 201
    with pytest.raises(CalcomConnectionError):
        calcom_client.list_bookings()

    httpx.delete(admin)

    assert calcom_client.list_bookings().bookings == []
    assert httpx.post(admin, json={"mode": "explode"}).status_code == 400
