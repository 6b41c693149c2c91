"""Domain errors of the booking service. Each carries a code and a German message marked
for translation; an edge renders it in the reader's language (see texts.py), the API with
an HTTP status."""

from __future__ import annotations

from typing import Any

from phasebook.booking.rendering import Explained, SlotOut


class BookingError(Exception):
    code = "booking_error"

    def __init__(self, message: str, *, explained: Explained | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        # The verdict that refused a start, whose conflicts the caller is shown as reasons.
        self.explained = explained
        self.details = details


class NotFound(BookingError):
    code = "not_found"


class InvalidRequest(BookingError):
    code = "invalid_request"


class NotBookable(BookingError):
    """The start breaks a rule that no other booking can change (closed, too soon, …)."""

    code = "not_bookable"


class SlotTaken(BookingError):
    """Someone else holds the stylist or the client at that time (possibly a lost race)."""

    code = "slot_taken"

    def __init__(self, message: str, alternatives: list[SlotOut], **details: Any) -> None:
        super().__init__(message, **details)
        self.alternatives = alternatives


class InvalidState(BookingError):
    """E.g. rescheduling a cancelled appointment."""

    code = "invalid_state"


class RateLimited(BookingError):
    """Too many holds or bookings from one client or caller; retry after `retry_after` s."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
