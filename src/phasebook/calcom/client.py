"""HTTP client for the Cal.com API v2 subset phasebook uses (no Django, no hidden retries).

Every call sends the pinned `cal-api-version` of its endpoint family: without it Cal.com silently
routes to legacy 2024-04-15 controllers with other request shapes (reference §2). Failures raise
the typed errors of `phasebook.calcom.errors`; the caller decides whether and when to retry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from phasebook.calcom.errors import (
    CalcomConnectionError,
    CalcomError,
    CalcomRateLimitedError,
    CalcomServerError,
    CalcomTimeoutError,
    error_from_response,
)
from phasebook.calcom.ratelimit import RateLimiter
from phasebook.calcom.schemas import (
    Booking,
    BookingFilters,
    BookingPage,
    CreateBookingRequest,
    CreateEventTypeRequest,
    CreateTeamEventTypeRequest,
    DeletedEventType,
    EventType,
    Me,
    Pagination,
    Slot,
    TeamMembership,
    iso_utc,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.cal.com"
LIMITER_UNAVAILABLE_RETRY_SECONDS = 10.0


@dataclass(frozen=True)
class CalcomApiVersions:
    """`cal-api-version` per endpoint family, as documented in the vendored spec."""

    bookings: str = "2024-08-13"
    slots: str = "2024-09-04"
    event_types: str = "2024-06-14"


@dataclass(frozen=True)
class CalcomTimeouts:
    """Seconds. Connecting fails fast; reading allows for Cal.com's slow booking path."""

    connect: float = 3.0
    read: float = 15.0
    write: float = 5.0
    pool: float = 3.0

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


class CalcomClient:
    """One client per API key. Use as a context manager or call `close()`.

    `base_url` is the host without `/v2` (e.g. https://api.cal.com): the spec's paths carry it.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        versions: CalcomApiVersions | None = None,
        timeouts: CalcomTimeouts | None = None,
        limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.versions = versions or CalcomApiVersions()
        self.timeouts = timeouts or CalcomTimeouts()
        self._api_key = api_key
        self._limiter = limiter
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=self.timeouts.as_httpx(),
            headers={"Authorization": f"Bearer {api_key}"},
            transport=transport,
        )

    def __repr__(self) -> str:
        # Deliberately without the API key.
        return f"CalcomClient(base_url={self.base_url!r})"

    def __enter__(self) -> CalcomClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- bookings ------------------------------------------------------------------------

    def create_booking(self, request: CreateBookingRequest) -> Booking:
        """Create one booking. On a transport error the booking may exist: look it up first."""
        data = self._call("POST", "/v2/bookings", self._bookings_version, json=request.to_json())
        return Booking.model_validate(data["data"])

    def get_booking(self, uid: str) -> Booking:
        data = self._call("GET", f"/v2/bookings/{uid}", self._bookings_version)
        return Booking.model_validate(data["data"])

    def list_bookings(self, filters: BookingFilters | None = None) -> BookingPage:
        query = (filters or BookingFilters()).to_query()
        data = self._call("GET", "/v2/bookings", self._bookings_version, params=query)
        return BookingPage(
            bookings=[Booking.model_validate(item) for item in data["data"]],
            pagination=Pagination.model_validate(data["pagination"]),
        )

    def cancel_booking(self, uid: str, reason: str | None = None) -> Booking:
        body = {"cancellationReason": reason} if reason else {}
        data = self._call("POST", f"/v2/bookings/{uid}/cancel", self._bookings_version, json=body)
        return Booking.model_validate(data["data"])

    def reschedule_booking(self, uid: str, start: datetime, reason: str | None = None) -> Booking:
        """Returns the NEW booking (new uid); the old one becomes cancelled.

        Cal.com sets end = start + the event type's default length, so a phase with a custom
        length must be cancelled and re-created instead.
        """
        body: dict[str, Any] = {"start": iso_utc(start)}
        if reason:
            body["reschedulingReason"] = reason
        path = f"/v2/bookings/{uid}/reschedule"
        data = self._call("POST", path, self._bookings_version, json=body)
        return Booking.model_validate(data["data"])

    # --- slots ---------------------------------------------------------------------------

    def get_slots(
        self,
        event_type_id: int,
        start: datetime,
        end: datetime,
        duration_minutes: int | None = None,
    ) -> list[Slot]:
        """Free slots of one event type between two instants, flattened and in UTC."""
        query = {
            "eventTypeId": str(event_type_id),
            "start": iso_utc(start),
            "end": iso_utc(end),
            "timeZone": "UTC",
            "format": "range",
        }
        if duration_minutes is not None:
            query["duration"] = str(duration_minutes)
        data = self._call("GET", "/v2/slots", self.versions.slots, params=query)
        return [Slot.model_validate(slot) for day in data["data"].values() for slot in day]

    # --- event types ---------------------------------------------------------------------

    def create_event_type(self, request: CreateEventTypeRequest) -> EventType:
        body = request.to_json()
        data = self._call("POST", "/v2/event-types", self._event_types_version, json=body)
        return EventType.model_validate(data["data"])

    def get_event_type(self, event_type_id: int) -> EventType:
        path = f"/v2/event-types/{event_type_id}"
        data = self._call("GET", path, self._event_types_version)
        return EventType.model_validate(data["data"])

    def list_event_types(
        self, username: str | None = None, event_slug: str | None = None
    ) -> list[EventType]:
        query = {"username": username, "eventSlug": event_slug}
        params = {name: value for name, value in query.items() if value is not None}
        data = self._call("GET", "/v2/event-types", self._event_types_version, params=params)
        return [EventType.model_validate(item) for item in data["data"]]

    def create_team_event_type(
        self, team_id: int, request: CreateTeamEventTypeRequest
    ) -> EventType:
        """For a managed type Cal.com answers `[parent, *children]`; this returns the parent."""
        path = f"/v2/teams/{team_id}/event-types"
        data = self._call("POST", path, self._event_types_version, json=request.to_json())
        created = data["data"][0] if isinstance(data["data"], list) else data["data"]
        return EventType.model_validate(created)

    def get_team_event_type(self, team_id: int, event_type_id: int) -> EventType:
        path = f"/v2/teams/{team_id}/event-types/{event_type_id}"
        data = self._call("GET", path, self._event_types_version)
        return EventType.model_validate(data["data"])

    def list_team_event_types(self, team_id: int, event_slug: str | None = None) -> list[EventType]:
        params = {"eventSlug": event_slug} if event_slug is not None else {}
        path = f"/v2/teams/{team_id}/event-types"
        data = self._call("GET", path, self._event_types_version, params=params)
        return [EventType.model_validate(item) for item in data["data"]]

    def delete_event_type(self, event_type_id: int) -> DeletedEventType:
        path = f"/v2/event-types/{event_type_id}"
        data = self._call("DELETE", path, self._event_types_version)
        return DeletedEventType.model_validate(data["data"])

    # --- who the key is --------------------------------------------------------------------

    def get_me(self) -> Me:
        data = self._call("GET", "/v2/me", self._bookings_version)
        return Me.model_validate(data["data"])

    def list_team_memberships(self, team_id: int) -> list[TeamMembership]:
        """Cal.com answers only a team admin or owner (403 otherwise)."""
        path = f"/v2/teams/{team_id}/memberships"
        data = self._call("GET", path, self._bookings_version, params={"take": "250"})
        return [TeamMembership.model_validate(item) for item in data["data"]]

    # --- transport -----------------------------------------------------------------------

    @property
    def _bookings_version(self) -> str:
        return self.versions.bookings

    @property
    def _event_types_version(self) -> str:
        return self.versions.event_types

    def _call(
        self,
        method: str,
        path: str,
        api_version: str,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        self._take_rate_limit_permit()
        started = time.monotonic()
        response = self._send(method, path, api_version, json, params)
        elapsed_ms = (time.monotonic() - started) * 1000
        # Successful calls are counted by the sync metrics; only failures deserve a log line.
        level = logging.WARNING if response.is_error else logging.DEBUG
        logger.log(
            level, "Cal.com %s %s -> %s (%.0f ms)", method, path, response.status_code, elapsed_ms
        )
        if response.is_error:
            raise error_from_response(response.status_code, response.content, response.headers)
        return _json_object(response)

    def _take_rate_limit_permit(self) -> None:
        if self._limiter is None:
            return
        try:
            wait_seconds = self._limiter.try_acquire(self._api_key)
        except Exception as exc:
            # The shared limiter lives in Redis; while Redis is away nothing tells us how
            # much of the key's budget is left, so nothing is sent, and the caller waits.
            raise CalcomRateLimitedError(
                f"Not sent: the request budget cannot be read ({type(exc).__name__})",
                retry_after_seconds=LIMITER_UNAVAILABLE_RETRY_SECONDS,
                local=True,
                status_code=None,
            ) from exc
        if wait_seconds > 0:
            raise CalcomRateLimitedError(
                "Not sent: this API key used its Cal.com request budget for the current minute",
                retry_after_seconds=wait_seconds,
                local=True,
                status_code=None,
            )

    def _send(
        self,
        method: str,
        path: str,
        api_version: str,
        json: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> httpx.Response:
        headers = {"cal-api-version": api_version}
        try:
            return self._http.request(method, path, headers=headers, json=json, params=params)
        except httpx.TimeoutException as exc:
            raise CalcomTimeoutError(
                f"{method} {path} timed out ({type(exc).__name__}); the outcome is unknown — "
                "a create may have succeeded, so look it up before sending it again"
            ) from exc
        except httpx.TransportError as exc:
            raise CalcomConnectionError(
                f"{method} {path} failed in transport ({type(exc).__name__}); the outcome is "
                "unknown — a create may have succeeded, so look it up before sending it again"
            ) from exc


def _json_object(response: httpx.Response) -> dict[str, Any]:
    """Successful responses are `{"status": "success", "data": ...}`; anything else is a fault."""
    try:
        body = response.json()
    except ValueError as exc:
        raise CalcomServerError(
            f"Cal.com answered {response.status_code} without JSON",
            status_code=response.status_code,
        ) from exc
    if not isinstance(body, dict) or "data" not in body:
        raise CalcomServerError(
            f"Cal.com answered {response.status_code} without a data envelope",
            status_code=response.status_code,
        )
    return body


__all__ = [
    "CalcomApiVersions",
    "CalcomClient",
    "CalcomError",
    "CalcomTimeouts",
]
