"""The run's emulator as the Cal.com tests seed it, and the bookings they ask it for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from phasebook.calcom.schemas import Attendee, CreateBookingRequest, MetadataValue
from phasebook.calcom_emulator import CalcomEmulator
from phasebook.calcom_emulator.state import EventType, User


@dataclass
class EmulatedCalcom:
    """A running, freshly reset emulator with one stylist, her API key and a 30-min event type."""

    url: str
    emulator: CalcomEmulator
    user: User
    api_key: str
    event_type: EventType


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def booking_request(
    event_type_id: int, start: datetime, **metadata: MetadataValue
) -> CreateBookingRequest:
    attendee = Attendee(name="Client", time_zone="Europe/Berlin", email="client@example.com")
    return CreateBookingRequest(
        start=start, event_type_id=event_type_id, attendee=attendee, metadata=metadata
    )
