"""Typed errors for Cal.com API v2 calls.

Every error says whether repeating the same request can help (`retryable`). The client never
retries by itself: the caller (a Celery task) decides, because a repeated create is only safe
after looking up whether the first attempt already created the booking.

Cal.com answers errors in two body shapes (reference §3):
  1. the envelope `{"status": "error", "error": {"code", "message", "details"?}}` (Nest exceptions)
  2. the bare `{"statusCode": 409, "message": "booking_conflict_error"}` (errors that fall through
     to Nest's base filter, e.g. the idempotency-key conflict or an unhandled 500).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MANAGED_PARENT_MARKER = "is the parent managed event type that can't be booked"
HOST_BUSY_MARKER = "already has booking at this time"
RATE_LIMIT_HEADER_PREFIXES = ("x-ratelimit-limit-", "x-ratelimit-remaining-", "x-ratelimit-reset-")


class CalcomError(Exception):
    """Base class: `retryable` says whether the same request may succeed later."""

    retryable: bool = False

    def __init__(
        self, message: str, *, status_code: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code


class CalcomPermanentError(CalcomError):
    """Repeating the request unchanged will fail the same way: fix data or configuration."""

    retryable = False


class CalcomRetryableError(CalcomError):
    """A later attempt may succeed (rate limit, server error, network trouble)."""

    retryable = True


class CalcomBadRequestError(CalcomPermanentError):
    """400 that is not one of the more specific cases below."""


class CalcomManagedEventTypeError(CalcomBadRequestError):
    """The event type is a managed parent: Cal.com books only its per-user children."""

    def __init__(self, message: str, *, status_code: int | None = 400, code: str | None = None):
        hint = (
            f"{message} — managed parent event types cannot be booked; provision one "
            "single-host event type per stylist and segment instead (phasebook calcom_provision)."
        )
        super().__init__(hint, status_code=status_code, code=code)
        self.calcom_message = message


class CalcomHostBusyError(CalcomBadRequestError):
    """The host already has a booking overlapping this time or is outside working hours.

    After a create whose outcome was unknown this may be our own earlier booking: look it up
    before treating the slot as taken.
    """


class CalcomAuthError(CalcomPermanentError):
    """401/403: the API key is missing, wrong, expired or lacks permission."""

    def __init__(self, message: str, *, status_code: int | None = None, code: str | None = None):
        super().__init__(
            f"Cal.com refused the credentials ({message}) — check the API key configured "
            "for this company.",
            status_code=status_code,
            code=code,
        )
        self.calcom_message = message


class CalcomNotFoundError(CalcomPermanentError):
    """404: booking or event type does not exist (or the path is unknown to this API version)."""


class CalcomConflictError(CalcomPermanentError):
    """409: e.g. `booking_conflict_error`, an exact duplicate of an existing booking."""


class CalcomUnprocessableError(CalcomPermanentError):
    """422: e.g. a team event type without hosts."""


@dataclass(frozen=True)
class RateLimitInfo:
    """The `X-RateLimit-{Limit,Remaining,Reset}-<Name>` headers Cal.com sends (name: Default)."""

    name: str
    limit: int | None
    remaining: int | None
    reset_seconds: float | None


class CalcomRateLimitedError(CalcomRetryableError):
    """429 from Cal.com, or our own limiter refusing to send (`local=True`)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: float,
        rate_limits: tuple[RateLimitInfo, ...] = (),
        local: bool = False,
        status_code: int | None = 429,
        code: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, code=code)
        self.retry_after_seconds = retry_after_seconds
        self.rate_limits = rate_limits
        self.local = local


class CalcomServerError(CalcomRetryableError):
    """5xx: Cal.com failed; the request may or may not have taken effect."""


class CalcomTransportError(CalcomRetryableError):
    """No usable answer arrived. The outcome is unknown: a create may have succeeded."""

    outcome_unknown = True


class CalcomTimeoutError(CalcomTransportError):
    """Connecting or reading timed out."""


class CalcomConnectionError(CalcomTransportError):
    """The connection failed or was dropped mid-response."""


def error_from_response(status_code: int, body: bytes, headers: Mapping[str, str]) -> CalcomError:
    """Map a non-2xx Cal.com response to the matching typed error."""
    code, message = _code_and_message(body)
    if status_code == 429:
        return _rate_limited(message, code, headers)
    if status_code in (401, 403):
        return CalcomAuthError(message, status_code=status_code, code=code)
    if status_code >= 500:
        return CalcomServerError(
            f"Cal.com server error {status_code}: {message}", status_code=status_code, code=code
        )
    error_class = _client_error_class(status_code, message)
    return error_class(message, status_code=status_code, code=code)


def _client_error_class(status_code: int, message: str) -> type[CalcomError]:
    if MANAGED_PARENT_MARKER in message:
        return CalcomManagedEventTypeError
    if HOST_BUSY_MARKER in message:
        return CalcomHostBusyError
    by_status: dict[int, type[CalcomError]] = {
        404: CalcomNotFoundError,
        409: CalcomConflictError,
        422: CalcomUnprocessableError,
    }
    return by_status.get(status_code, CalcomBadRequestError)


def _code_and_message(body: bytes) -> tuple[str | None, str]:
    """Read both error body shapes; fall back to the raw text for anything else."""
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        return None, body.decode("utf-8", errors="replace")[:500] or "(empty body)"
    if not isinstance(parsed, dict):
        return None, str(parsed)[:500]
    envelope = parsed.get("error")
    if isinstance(envelope, dict):
        return _str_or_none(envelope.get("code")), str(envelope.get("message", ""))
    return _str_or_none(parsed.get("error")), str(parsed.get("message", ""))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _rate_limited(
    message: str, code: str | None, headers: Mapping[str, str]
) -> CalcomRateLimitedError:
    limits = parse_rate_limit_headers(headers)
    resets = [info.reset_seconds for info in limits if info.reset_seconds is not None]
    # Without a reset header Cal.com's window is 60 s; waiting the full window is the safe guess.
    retry_after = max(resets) if resets else 60.0
    return CalcomRateLimitedError(
        f"Cal.com rate limit hit: {message}",
        retry_after_seconds=retry_after,
        rate_limits=limits,
        code=code,
    )


def parse_rate_limit_headers(headers: Mapping[str, str]) -> tuple[RateLimitInfo, ...]:
    """Group `X-RateLimit-<Kind>-<Name>` headers by limit name (usually just `Default`)."""
    values: dict[str, dict[str, str]] = {}
    for raw_name, value in headers.items():
        name = raw_name.lower()
        for prefix in RATE_LIMIT_HEADER_PREFIXES:
            if name.startswith(prefix):
                kind = prefix.split("-")[2]
                values.setdefault(name[len(prefix) :], {})[kind] = value
    return tuple(
        RateLimitInfo(
            name=limit_name.capitalize(),
            limit=_int_or_none(kinds.get("limit")),
            remaining=_int_or_none(kinds.get("remaining")),
            reset_seconds=_float_or_none(kinds.get("reset")),
        )
        for limit_name, kinds in sorted(values.items())
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _float_or_none(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
