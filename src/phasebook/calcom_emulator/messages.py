"""Cal.com's error texts, verbatim from shared/calcom/reference.md (section numbers in comments)."""

from __future__ import annotations

# §1 authentication
NO_AUTH = (
    "ApiAuthStrategy - No authentication method provided. Either pass an API key as 'Bearer' "
    "header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers"
)
INVALID_API_KEY = "CustomThrottlerGuard - Invalid API Key"

# §3 / §11 rate limit
TOO_MANY_REQUESTS = "CustomThrottlerGuard - Too many requests. Please try again later."

# §3 booking flows
HOST_BUSY = "User either already has booking at this time or is not available"
TEAM_HOST_BUSY = "One of the hosts either already has booking at this time or is not available"
BOOKING_IN_PAST = "Attempting to book a meeting in the past."
METADATA_INVALID = (
    "Metadata must have at most 50 keys, each key up to 40 characters, "
    "and string values up to 500 characters."
)
BOOKING_CONFLICT = "booking_conflict_error"
EVENT_TYPE_IDENTIFIER_MISSING = (
    "Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided"
)
ATTENDEE_CONTACT_MISSING = "Attendee must have at least one contact method (email or phone number)"
LENGTH_NOT_ALLOWED = (
    "Can't specify 'lengthInMinutes' because event type does not have multiple possible lengths. "
    "Please, remove the 'lengthInMinutes' field from the request."
)


def not_team_admin(team_id: int) -> str:
    # Not in the reference: Cal.com's RolesGuard refuses with a 403; the wording is ours.
    return f"RolesGuard - the user is not an admin or owner of team with id={team_id}"


def managed_parent(event_type_id: int) -> str:
    return (
        f"Event type with id={event_type_id} is the parent managed event type that can't be "
        "booked. You have to provide the child event type id aka id of event type that has been "
        "assigned to one of the users."
    )


def managed_parent_slots(event_type_id: int) -> str:
    # [DOCS] quotes this text only in part; the emulator keeps the quoted words.
    return (
        f"Event type with id={event_type_id} is a parent managed event type. You cannot fetch "
        "slots for the parent managed event type directly - use those child event type IDs."
    )


def team_without_hosts(event_type_id: int, team_id: int) -> str:
    return (
        "Can't book this team event type because it has no hosts. Please, add at least 1 host "
        f"to event type with id={event_type_id} belonging to team with id={team_id} and try again."
    )


def length_not_an_option(options: list[int]) -> str:
    listed = ", ".join(str(option) for option in options)
    return (
        "Provided 'lengthInMinutes' is not one of the possible lengths for the event type. "
        f"The possible lengths are: {listed}"
    )


def event_type_not_found(event_type_id: int | str) -> str:
    return f"Event type with id {event_type_id} not found."


def booking_not_found(uid: str) -> str:
    return f"Booking with uid={uid} was not found in the database"


def cancel_twice(uid: str) -> str:
    return (
        f"Can't cancel booking with uid={uid} because it has been cancelled already. "
        "Please provide uid of a booking that is not cancelled."
    )


def reschedule_cancelled(uid: str) -> str:
    return (
        f"Can't reschedule booking with uid={uid} because it has been cancelled. "
        "Please provide uid of a booking that is not cancelled."
    )


def reschedule_rescheduled(uid: str, new_uid: str) -> str:
    return (
        f"Can't reschedule booking with uid={uid} because it has been cancelled and rescheduled "
        f"already to booking with uid={new_uid}. You probably want to reschedule {new_uid} "
        "instead by passing it within the request URL."
    )


INVALID_SLOT_RANGE = "Invalid time range given - check the 'start' and 'end' query parameters."
