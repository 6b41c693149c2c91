"""Webhook delivery like Cal.com's `sendPayload`: one POST per subscriber, signed, best effort.

Deliveries run on a background thread after the HTTP response, so a slow or dead subscriber
never delays or fails the booking request. Failures are logged and dropped (Cal.com's default
path does not retry either, reference §12).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from phasebook.calcom_emulator.outputs import iso
from phasebook.calcom_emulator.state import BookingEvent, EmulatorState

logger = logging.getLogger(__name__)

NO_SECRET_SIGNATURE = "no-secret-provided"  # noqa: S105 - Cal.com's literal header value


def signature(secret: str | None, body: bytes) -> str:
    """`X-Cal-Signature-256`: hex HMAC-SHA256 of the exact body bytes, keyed by the secret."""
    if not secret:
        return NO_SECRET_SIGNATURE
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_payload(state: EmulatorState, event: BookingEvent) -> dict[str, Any]:
    booking = event.booking
    event_type = state.event_types[booking.event_type_id]
    host = state.users[booking.host_id]
    payload: dict[str, Any] = {
        "type": event_type.slug,
        "title": event_type.title,
        "startTime": iso(booking.start),
        "endTime": iso(booking.end),
        "organizer": host.as_host(),
        "attendees": [booking.attendee],
        "uid": booking.uid,
        "bookingId": booking.id,
        "eventTypeId": event_type.id,
        "length": int((booking.end - booking.start).total_seconds() // 60),
        "status": "CANCELLED" if event.trigger == "BOOKING_CANCELLED" else "ACCEPTED",
    }
    if event.trigger == "BOOKING_CANCELLED":
        # Cal.com's cancel payload carries uid and bookingId but not the metadata (§7).
        return payload | {"cancellationReason": booking.cancellation_reason}
    payload["metadata"] = booking.metadata
    if event.previous is not None:
        payload |= {
            "rescheduleUid": event.previous.uid,
            "rescheduleId": event.previous.id,
            "rescheduleStartTime": iso(event.previous.start),
            "rescheduleEndTime": iso(event.previous.end),
        }
    return payload


@dataclass(frozen=True)
class _Delivery:
    url: str
    body: bytes
    secret: str | None


class WebhookDispatcher:
    def __init__(self, state: EmulatorState, timeout_seconds: float = 5.0) -> None:
        self._state = state
        self._timeout = timeout_seconds
        self._queue: queue.Queue[_Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="calcom-emulator-webhooks", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=self._timeout + 1)
            self._thread = None

    def publish(self, event: BookingEvent) -> None:
        """Queue one delivery per subscriber of the organizer; returns at once."""
        subscribers = self._state.webhooks_for(event.booking.host_id, event.trigger)
        if not subscribers:
            return
        body = json.dumps(
            {
                "triggerEvent": event.trigger,
                "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "payload": event_payload(self._state, event),
            }
        ).encode()
        for hook in subscribers:
            self._queue.put(_Delivery(hook.subscriber_url, body, hook.secret))

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout, follow_redirects=False) as http:
            while (delivery := self._queue.get()) is not None:
                self._deliver(http, delivery)

    def _deliver(self, http: httpx.Client, delivery: _Delivery) -> None:
        headers = {
            "Content-Type": "application/json",
            "X-Cal-Signature-256": signature(delivery.secret, delivery.body),
            "X-Cal-Webhook-Version": "2021-10-20",
        }
        try:
            response = http.post(delivery.url, content=delivery.body, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("webhook delivery failed: %s", type(exc).__name__)
            return
        if response.is_error:
            logger.warning("webhook subscriber answered %s", response.status_code)
