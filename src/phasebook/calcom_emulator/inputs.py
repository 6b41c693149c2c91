"""Request validation like Cal.com's global ValidationPipe (`whitelist: true`).

Known fields are checked; unknown fields are dropped silently, never rejected (reference §3).
Validation failures become one 400 listing every problem, as class-validator does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phasebook.calcom_emulator import messages
from phasebook.calcom_emulator.errors import ApiError, bad_request
from phasebook.calcom_emulator.state import NewBooking

METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_STRING_LENGTH = 500


def validation_error(problems: list[str]) -> ApiError:
    return bad_request(", ".join(problems), errors=problems)


def parse_instant(value: object) -> datetime | None:
    """Strict ISO-8601; an instant without offset is read as UTC (Cal.com's zone: "utc")."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def is_time_zone(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def metadata_is_valid(metadata: object) -> bool:
    if not isinstance(metadata, dict) or len(metadata) > METADATA_MAX_KEYS:
        return False
    return all(
        len(key) <= METADATA_MAX_KEY_LENGTH and _flat_metadata_value(value)
        for key, value in metadata.items()
    )


def _flat_metadata_value(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= METADATA_MAX_STRING_LENGTH
    return isinstance(value, bool | int | float)


def new_booking(body: object, resolve_slug: Callable[[str, str], int]) -> NewBooking:
    """Validate a CreateBookingInput_2024_08_13 body."""
    if not isinstance(body, dict):
        raise validation_error(["body must be a JSON object"])
    problems: list[str] = []
    start = parse_instant(body.get("start"))
    if start is None:
        problems.append("start must be a valid ISO 8601 date string")
    attendee = _attendee(body.get("attendee"), problems)
    metadata = body.get("metadata", {})
    if not metadata_is_valid(metadata):
        problems.append(messages.METADATA_INVALID)
    length = body.get("lengthInMinutes")
    if length is not None and not (isinstance(length, int) and length >= 1):
        problems.append("lengthInMinutes must not be less than 1")
    if problems or start is None:
        raise validation_error(problems)
    return NewBooking(_event_type_id(body, resolve_slug), start, attendee, metadata, length)


def _attendee(value: object, problems: list[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.append("attendee must be an object")
        return {}
    if not isinstance(value.get("name"), str) or not value["name"]:
        problems.append("attendee.name must be a string")
    if not is_time_zone(value.get("timeZone")):
        problems.append("attendee.timeZone must be a valid IANA time zone")
    if not value.get("email") and not value.get("phoneNumber"):
        problems.append(messages.ATTENDEE_CONTACT_MISSING)
    known = ("name", "email", "timeZone", "phoneNumber", "language")
    return {name: value[name] for name in known if name in value}


def _event_type_id(body: Mapping[str, Any], resolve_slug: Callable[[str, str], int]) -> int:
    event_type_id = body.get("eventTypeId")
    if isinstance(event_type_id, int) and not isinstance(event_type_id, bool):
        return event_type_id
    slug, username = body.get("eventTypeSlug"), body.get("username")
    if isinstance(slug, str) and isinstance(username, str):
        return resolve_slug(username, slug)
    raise bad_request(messages.EVENT_TYPE_IDENTIFIER_MISSING)


LEGACY_BOOKING_FIELDS = ("end", "timeZone", "language", "metadata", "responses")


def legacy_booking_problems(body: object) -> ApiError:
    """The 2024-04-15 controller expects another body; a 2024-08-13 body fails its validation."""
    fields = body if isinstance(body, dict) else {}
    missing = [name for name in LEGACY_BOOKING_FIELDS if name not in fields]
    problems = [f"{name} should not be empty" for name in missing] or [
        "the legacy 2024-04-15 booking body is not emulated; send cal-api-version: 2024-08-13"
    ]
    return validation_error(problems)


def reschedule_start(body: object) -> tuple[datetime, str | None]:
    fields = body if isinstance(body, dict) else {}
    start = parse_instant(fields.get("start"))
    if start is None:
        raise validation_error(["start must be a valid ISO 8601 date string"])
    reason = fields.get("reschedulingReason")
    return start, reason if isinstance(reason, str) else None


def cancellation_reason(body: object) -> str | None:
    reason = body.get("cancellationReason") if isinstance(body, dict) else None
    return reason if isinstance(reason, str) else None


def event_type_fields(body: object) -> dict[str, Any]:
    """CreateEventTypeInput_2024_06_14: required lengthInMinutes, title, slug."""
    fields = body if isinstance(body, dict) else {}
    problems = []
    if not isinstance(fields.get("lengthInMinutes"), int) or fields["lengthInMinutes"] < 1:
        problems.append("lengthInMinutes must be a number")
    problems += [
        f"{name} must be a string"
        for name in ("title", "slug")
        if not isinstance(fields.get(name), str) or not fields[name]
    ]
    if problems:
        raise validation_error(problems)
    optional_ints = ("beforeEventBuffer", "afterEventBuffer", "minimumBookingNotice")
    return {
        "slug": fields["slug"],
        "length_in_minutes": fields["lengthInMinutes"],
        "title": fields["title"],
        "description": fields.get("description") or "",
        "locations": list(fields.get("locations") or []),
        "hidden": bool(fields.get("hidden", False)),
        "length_options": tuple(fields.get("lengthInMinutesOptions") or ()),
        **{_snake(name): int(fields[name]) for name in optional_ints if name in fields},
    }


SCHEDULING_TYPES = ("collective", "roundRobin", "managed")
UPPER_CASE_SCHEDULING_TYPES = {
    "COLLECTIVE": "collective",
    "ROUND_ROBIN": "roundRobin",
    "MANAGED": "managed",
}


def team_event_type_fields(body: object) -> tuple[str, tuple[int, ...]]:
    """CreateTeamEventTypeInput_2024_06_14 on top of the personal fields: type and hosts."""
    fields = body if isinstance(body, dict) else {}
    # Cal.com also accepts the enum's upper-case names (reference §10).
    raw_type = str(fields.get("schedulingType", ""))
    scheduling_type = UPPER_CASE_SCHEDULING_TYPES.get(raw_type, raw_type)
    hosts = fields.get("hosts") or []
    problems = []
    if scheduling_type not in SCHEDULING_TYPES:
        problems.append(
            "schedulingType must be one of the following values: " + ", ".join(SCHEDULING_TYPES)
        )
    if not isinstance(hosts, list) or not all(
        isinstance(host, dict) and isinstance(host.get("userId"), int) for host in hosts
    ):
        problems.append("hosts.userId must be an integer number")
    if problems:
        raise validation_error(problems)
    return scheduling_type, tuple(host["userId"] for host in hosts)


def _snake(name: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in name)


def webhook_fields(body: object) -> dict[str, Any]:
    """CreateWebhookInputDto: required subscriberUrl, triggers, active."""
    fields = body if isinstance(body, dict) else {}
    problems = []
    if not isinstance(fields.get("subscriberUrl"), str):
        problems.append("subscriberUrl must be a URL address")
    triggers = fields.get("triggers")
    if not isinstance(triggers, list) or not all(isinstance(t, str) for t in triggers):
        problems.append("triggers must be an array")
    if not isinstance(fields.get("active"), bool):
        problems.append("active must be a boolean value")
    if problems:
        raise validation_error(problems)
    secret = fields.get("secret")
    return {
        "subscriber_url": fields["subscriberUrl"],
        "triggers": tuple(triggers or ()),
        "active": fields["active"],
        "secret": secret if isinstance(secret, str) else None,
        "payload_template": str(fields.get("payloadTemplate") or ""),
    }
