"""Read paths: `GET /v2/bookings` filters and pagination, `GET /v2/slots` availability."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from phasebook.calcom_emulator import messages
from phasebook.calcom_emulator.errors import bad_request
from phasebook.calcom_emulator.inputs import is_time_zone, parse_instant, validation_error
from phasebook.calcom_emulator.outputs import iso
from phasebook.calcom_emulator.state import Booking, EmulatorState, EventType, User

DEFAULT_TAKE = 100
MAX_TAKE = 250
BookingFilter = Callable[[Booking], bool]

_INSTANT_FILTERS: dict[str, Callable[[Booking, datetime], bool]] = {
    "afterStart": lambda b, moment: b.start >= moment,
    "beforeEnd": lambda b, moment: b.end <= moment,
    "afterCreatedAt": lambda b, moment: b.created_at >= moment,
    "beforeCreatedAt": lambda b, moment: b.created_at <= moment,
    "afterUpdatedAt": lambda b, moment: b.updated_at >= moment,
    "beforeUpdatedAt": lambda b, moment: b.updated_at <= moment,
}
_SORT_KEYS: dict[str, Callable[[Booking], datetime]] = {
    "sortStart": lambda b: b.start,
    "sortEnd": lambda b: b.end,
    "sortCreated": lambda b: b.created_at,
    "sortUpdatedAt": lambda b: b.updated_at,
}


def list_bookings(
    state: EmulatorState, user: User, query: Mapping[str, str]
) -> tuple[list[Booking], int, int, int]:
    """The bookings the user may see, filtered, sorted and paged: (page, total, skip, take)."""
    filters = booking_filters(query, state.clock())
    matching = [b for b in state.visible_bookings(user.id) if all(f(b) for f in filters)]
    matching.sort(key=lambda b: b.start)
    for name, key in _SORT_KEYS.items():
        if name in query:
            matching.sort(key=key, reverse=query[name] == "desc")
    skip, take = _paging(query)
    return matching[skip : skip + take], len(matching), skip, take


def booking_filters(query: Mapping[str, str], now: datetime) -> list[BookingFilter]:
    filters: list[BookingFilter] = []
    problems: list[str] = []
    for name, matches in _INSTANT_FILTERS.items():
        if name not in query:
            continue
        moment = parse_instant(query[name])
        if moment is None:
            problems.append(f"{name} must be a valid ISO 8601 date string")
        else:
            filters.append(_instant_filter(matches, moment))
    event_type_ids = _int_list(query.get("eventTypeIds", "") + "," + query.get("eventTypeId", ""))
    if event_type_ids:
        filters.append(lambda b: b.event_type_id in event_type_ids)
    if "status" in query:
        buckets = set(query["status"].split(","))
        filters.append(lambda b: any(_in_bucket(b, bucket, now) for bucket in buckets))
    if problems:
        raise validation_error(problems)
    return filters


def _instant_filter(
    matches: Callable[[Booking, datetime], bool], moment: datetime
) -> BookingFilter:
    return lambda booking: matches(booking, moment)


def _int_list(text: str) -> set[int]:
    return {int(part) for part in text.split(",") if part.strip().isdigit()}


def _in_bucket(booking: Booking, bucket: str, now: datetime) -> bool:
    """Cal.com's list buckets; this emulator has no pending or recurring bookings."""
    if bucket == "cancelled":
        return booking.status == "cancelled"
    if bucket == "upcoming":
        return booking.status == "accepted" and booking.end >= now
    if bucket == "past":
        return booking.status == "accepted" and booking.end < now
    return False


def _paging(query: Mapping[str, str]) -> tuple[int, int]:
    try:
        take = int(query.get("take", DEFAULT_TAKE))
        skip = int(query.get("skip", 0))
    except ValueError as exc:
        raise validation_error(["take and skip must be integers"]) from exc
    if not 1 <= take <= MAX_TAKE or skip < 0:
        raise validation_error([f"take must be 1..{MAX_TAKE} and skip must not be negative"])
    return skip, take


# --- slots -------------------------------------------------------------------------------


def available_slots(
    state: EmulatorState, event_type: EventType, query: Mapping[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """Free slots keyed by date in the requested zone; objects with `start` (and `end`)."""
    if event_type.is_managed_parent:
        raise bad_request(messages.managed_parent_slots(event_type.id))
    zone_name = query.get("timeZone", "UTC")
    if not is_time_zone(zone_name):
        raise validation_error(["timeZone must be a valid IANA time zone"])
    zone = ZoneInfo(zone_name)
    start, end = _slot_range(query, zone)
    length = int(query.get("duration") or event_type.length_in_minutes)
    with_end = query.get("format") == "range"
    slots: dict[str, list[dict[str, Any]]] = {}
    for slot_start in _free_starts(state, event_type, start, end, length):
        local = slot_start.astimezone(zone)
        slot: dict[str, Any] = {"start": _iso_in_zone(local)}
        if with_end:
            slot["end"] = _iso_in_zone(local + timedelta(minutes=length))
        slots.setdefault(local.date().isoformat(), []).append(slot)
    return slots


def _slot_range(query: Mapping[str, str], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """`start`/`end` are instants; a date alone means the start or end of that day."""
    start = _instant_or_day(query.get("start"), zone, time.min)
    end = _instant_or_day(query.get("end"), zone, time.max)
    if start is None or end is None or end <= start:
        raise bad_request(messages.INVALID_SLOT_RANGE)
    return start, end


def _instant_or_day(value: str | None, zone: ZoneInfo, at: time) -> datetime | None:
    if value is None:
        return None
    instant = parse_instant(value)
    if instant is not None:
        return instant
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _free_starts(
    state: EmulatorState, event_type: EventType, start: datetime, end: datetime, length: int
) -> list[datetime]:
    """Slot starts every `length` minutes inside working hours, clear of the hosts' bookings."""
    step, now = timedelta(minutes=length), state.clock()
    hosts = [state.users[i] for i in event_type.candidate_host_ids() if i in state.users]
    starts: set[datetime] = set()
    for host in hosts:
        busy = [b for b in state.host_bookings(host.id) if b.status == "accepted"]
        for low, high in host.schedule.intervals(start, end):
            cursor = low
            while cursor + step <= high:
                fits = start <= cursor and cursor + step <= end and cursor >= now
                if fits and not any(b.overlaps(cursor, cursor + step) for b in busy):
                    starts.add(cursor)
                cursor += step
    return sorted(starts)


def _iso_in_zone(moment: datetime) -> str:
    if moment.utcoffset() == timedelta(0):
        return iso(moment)
    return moment.isoformat(timespec="milliseconds")
