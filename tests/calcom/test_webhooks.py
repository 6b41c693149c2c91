"""Booking changes reach subscribers as signed webhooks, after the response."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from phasebook.calcom.client import CalcomClient
from phasebook.calcom_emulator import signature
from tests.calcom.emulated import EmulatedCalcom, booking_request, tomorrow_at

Delivery = tuple[dict[str, str], bytes]


@pytest.fixture
def subscriber() -> Iterator[tuple[str, queue.Queue[Delivery]]]:
    received: queue.Queue[Delivery] = queue.Queue()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put((dict(self.headers.items()), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def subscribe(calcom: EmulatedCalcom, url: str, secret: str | None) -> None:
    body: dict[str, Any] = {
        "subscriberUrl": url,
        "active": True,
        "triggers": ["BOOKING_CREATED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED"],
    }
    if secret:
        body["secret"] = secret
    response = httpx.post(
        f"{calcom.url}/v2/webhooks",
        json=body,
        headers={"Authorization": f"Bearer {calcom.api_key}"},
    )
    assert response.status_code == 201


def next_delivery(received: queue.Queue[Delivery]) -> tuple[dict[str, str], bytes, Any]:
    headers, body = received.get(timeout=5)
    return headers, body, json.loads(body)


def test_every_booking_change_is_delivered_with_a_valid_signature(
    calcom_client: CalcomClient,
    calcom_emulator: EmulatedCalcom,
    subscriber: tuple[str, queue.Queue[Delivery]],
) -> None:
    url, received = subscriber
    subscribe(calcom_emulator, url, secret="s3cret")

    booking = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9), phase_id="p1")
    )
    moved = calcom_client.reschedule_booking(booking.uid, tomorrow_at(11))
    calcom_client.cancel_booking(moved.uid, reason="ill")

    deliveries = [next_delivery(received) for _ in range(3)]
    for headers, body, _ in deliveries:
        expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers["X-Cal-Signature-256"] == expected
    # Deliveries are independent requests, so like Cal.com's they may arrive in any order.
    by_trigger = {payload["triggerEvent"]: payload["payload"] for _, _, payload in deliveries}
    assert by_trigger["BOOKING_CREATED"]["metadata"] == {"phase_id": "p1"}
    assert by_trigger["BOOKING_RESCHEDULED"]["uid"] == moved.uid
    assert by_trigger["BOOKING_RESCHEDULED"]["rescheduleUid"] == booking.uid
    assert by_trigger["BOOKING_CANCELLED"]["status"] == "CANCELLED"


def test_a_webhook_without_secret_says_so_in_the_signature_header(
    calcom_client: CalcomClient,
    calcom_emulator: EmulatedCalcom,
    subscriber: tuple[str, queue.Queue[Delivery]],
) -> None:
    url, received = subscriber
    subscribe(calcom_emulator, url, secret=None)

    calcom_client.create_booking(booking_request(calcom_emulator.event_type.id, tomorrow_at(9)))

    headers, _, _ = next_delivery(received)
    assert headers["X-Cal-Signature-256"] == "no-secret-provided"


def test_a_dead_subscriber_does_not_fail_the_booking(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    subscribe(calcom_emulator, "http://127.0.0.1:9/unreachable", secret="x")

    booking = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9))
    )
    assert booking.status == "accepted"


def test_the_signature_is_hex_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"triggerEvent":"BOOKING_CREATED"}'
    assert signature("key", body) == hmac.new(b"key", body, hashlib.sha256).hexdigest()
