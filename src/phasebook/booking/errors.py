"""Domain errors of the booking service. Each carries a code and a German message marked
for translation; the API renders it in the caller's language with an HTTP status."""

from __future__ import annotations

from typing import Any

from phasebook.scheduling.availability import Slot


class BookingError(Exception):
    code = "booking_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
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

    def __init__(self, message: str, alternatives: list[Slot], **details: Any) -> None:
        super().__init__(message, **details)
        self.alternatives = alternatives


class InvalidState(BookingError):
    """E.g. rescheduling a cancelled appointment."""

    code = "invalid_state"
