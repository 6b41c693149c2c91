"""A salon mirrored to an emulated Cal.com: one team, one host per stylist, one single-host event
type per (service, staff-required segment, stylist), and the company's connection and maps.

Tests drive the sync in their own thread (`drain(env)`) with a fake clock; dispatches after
commit are only collected, so nothing runs in the background.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.calcom.client import CalcomClient, CalcomTimeouts
from phasebook.calcom.models import CalcomConnection, CalcomEventMap
from phasebook.calcom_emulator import CalcomEmulator, RunningEmulator, start_in_thread
from phasebook.calcom_emulator.state import Booking as EmulatedBooking
from phasebook.calsync.env import ClientPool, SyncEnv
from phasebook.calsync.retry import RetryPolicy
from phasebook.salons.models import Company, Service, Staff
from tests.factories import next_weekday

TEAM_ID = 77
TIMEOUTS = CalcomTimeouts(connect=2.0, read=0.5, write=2.0, pool=2.0)


class FakeClock:
    """Backoff and leases run on this clock; tests move it instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Mirror:
    """The emulated Cal.com side of one salon."""

    emulator: CalcomEmulator
    url: str
    api_key: str
    admin_id: int
    hosts: dict[str, int] = field(default_factory=dict)  # staff id -> Cal.com user id

    def live_bookings(self) -> list[EmulatedBooking]:
        return [b for b in self.emulator.state.bookings.values() if b.status == "accepted"]

    def live_for_phase(self, phase_id: int) -> list[EmulatedBooking]:
        return [b for b in self.live_bookings()
                if b.metadata.get("phasebook_phase_id") == str(phase_id)]


@pytest.fixture(scope="session")
def sync_emulator() -> Iterator[RunningEmulator]:
    # Cal.com's real 120/min budget would throttle a test run; 429s are injected as faults.
    running = start_in_thread(CalcomEmulator(rate_limit=1_000_000))
    yield running
    running.stop()


@pytest.fixture
def clock() -> FakeClock:
    # Ahead of the wall clock, so rows the booking service writes "now" are already due.
    return FakeClock(timezone.now() + timedelta(minutes=10))


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What was handed to Celery or the in-process runner after commit."""
    sent: list[Any] = []
    monkeypatch.setattr("phasebook.calsync.dispatch.dispatch_appointment", sent.append)
    monkeypatch.setattr("phasebook.calsync.dispatch.dispatch_reconcile", sent.append)
    return sent


def client_without_limiter(company: Company) -> CalcomClient:
    connection = CalcomConnection.objects.get(company=company)
    return CalcomClient(connection.base_url, connection.api_key, timeouts=TIMEOUTS)


@pytest.fixture
def env(clock: FakeClock) -> SyncEnv:
    return SyncEnv(
        clock=clock,
        rng=random.Random(7),
        client_for=ClientPool(client_without_limiter),
        retry=RetryPolicy(max_attempts=5),
    )


@pytest.fixture
def mirror(sync_emulator: RunningEmulator, salon: SimpleNamespace,
           dispatched: list[Any]) -> Mirror:
    emulator = sync_emulator.emulator
    emulator.reset()
    return connect_salon(emulator, sync_emulator.url, salon.company, [salon.anna, salon.ben])


def connect_salon(emulator: CalcomEmulator, url: str, company: Company,
                  stylists: list[Staff]) -> Mirror:
    admin, api_key = emulator.seed_user(f"{company.slug}-owner")
    emulator.state.add_team_admin(TEAM_ID, admin.id)
    mirror = Mirror(emulator, url, api_key, admin.id)
    for stylist in stylists:
        host, _ = emulator.seed_user(f"{company.slug}-{stylist.name.lower()}")
        stylist.calcom_user_id = host.id
        stylist.save(update_fields=["calcom_user_id"])
        mirror.hosts[str(stylist.pk)] = host.id
        for service in company.services.all():
            map_service(emulator, company, service, stylist, host.id)
    connection = CalcomConnection(company=company, base_url=url, team_id=TEAM_ID)
    connection.api_key = api_key
    connection.webhook_secret = "whsec-test"
    connection.save()
    return mirror


def map_service(emulator: CalcomEmulator, company: Company, service: Service, stylist: Staff,
                host_id: int) -> None:
    for segment in service.staff_segments:
        slug = f"{service.pk}-{segment.key.lower()}-{host_id}"
        (event_type,) = emulator.state.add_team_event_type(
            TEAM_ID, slug, segment.duration_minutes, "collective", (host_id,)
        )
        CalcomEventMap.objects.create(
            company=company, service=service, segment_key=segment.key, staff=stylist,
            event_type_id=event_type.id, event_type_slug=slug,
        )


def book(salon: SimpleNamespace, service: Service | None = None, staff: Staff | None = None,
         hour: int = 10, minute: int = 0, weeks: int = 1, weekday: int = 2,
         customer: str = "Paul Klaus") -> Appointment:
    start = next_weekday(timezone.now(), weekday=weekday, hour=hour, minute=minute, weeks=weeks)
    request = BookingRequest(
        service_id=(service or salon.colour).pk,
        start=start,
        customer=CustomerDetails(customer, email=f"{uuid.uuid4().hex[:8]}@example.com"),
        staff_id=str((staff or salon.anna).pk),
    )
    return book_appointment(salon.company, request)
