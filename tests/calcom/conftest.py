"""Fixtures: the run's emulator (tests/conftest.py) with one stylist, her key and an event type."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.schemas import Attendee, CreateBookingRequest, MetadataValue
from phasebook.calcom_emulator import CalcomEmulator, RunningEmulator
from phasebook.calcom_emulator.state import EventType, User
from tests.conftest import TEST_TIMEOUTS


@dataclass
class EmulatedCalcom:
    """A running, freshly reset emulator with one stylist, her API key and a 30-min event type."""

    url: str
    emulator: CalcomEmulator
    user: User
    api_key: str
    event_type: EventType


@pytest.fixture
def calcom_emulator(running_emulator: RunningEmulator) -> EmulatedCalcom:
    emulator = running_emulator.emulator
    user, api_key = emulator.seed_user("anna", api_key="cal_test_anna")
    event_type = emulator.state.add_event_type(user.id, "colour-apply", 30, title="Colour: apply")
    return EmulatedCalcom(running_emulator.url, emulator, user, api_key, event_type)


@pytest.fixture
def calcom_client(calcom_emulator: EmulatedCalcom) -> Iterator[CalcomClient]:
    client = CalcomClient(calcom_emulator.url, calcom_emulator.api_key, timeouts=TEST_TIMEOUTS)
    with client:
        yield client


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
