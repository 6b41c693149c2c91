"""A sync that Cal.com refused is retried from the portal once the cause is fixed, and the
page then shows "Synchronisiert"; the database and the emulator agree."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from phasebook.booking.models import Appointment, SyncStatus
from phasebook.calcom_emulator import RunningEmulator
from phasebook.calsync.tasks import local_runner
from tests.support.booking import a_wednesday, book_at
from tests.support.mirror import Mirror, connect_salon


@pytest.fixture
def mirror(running_emulator: RunningEmulator, salon: SimpleNamespace) -> Iterator[Mirror]:
    emulator = running_emulator.emulator
    yield connect_salon(emulator, running_emulator.url, salon.company, [salon.anna, salon.ben])
    # The live server synced in the in-process runner's threads: end them, and with them
    # their database connections, before the test database is flushed or dropped.
    local_runner().stop()
    local_runner.cache_clear()


def eventually(check: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait for the background sync (the in-process runner of the live server)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the sync did not get there in time"
        time.sleep(0.2)


def sync_status(appointment: Appointment) -> str:
    appointment.refresh_from_db()
    return appointment.calcom_sync_status


def test_a_refused_sync_is_fixed_retried_from_the_portal_and_shows_synced(
    page: Any, salon: SimpleNamespace, mirror: Mirror
) -> None:
    # Cal.com refuses the key (401): a permanent error, so the sync gives up at once.
    mirror.emulator.inject_fault(
        "server_error", count=None, path_prefix="/v2/bookings", status_code=401
    )
    cut = book_at(salon.company, salon.cut, salon.anna, a_wednesday(11), "Paul Klaus")
    eventually(lambda: sync_status(cut) == SyncStatus.FAILED)
    page.goto(f"{page.base_url}/admin/booking/appointment/{cut.pk}/change/")
    assert page.locator('td [data-sync="failed"]').count() == 1
    assert page.locator(".pb-error").is_visible()  # the reason, in plain view

    mirror.emulator.clear_faults()  # the salon fixed its key
    page.click("text=Sync wiederholen")
    page.click("text=Jetzt erneut synchronisieren")
    page.wait_for_url(f"**/admin/booking/appointment/{cut.pk}/change/")
    eventually(lambda: sync_status(cut) == SyncStatus.SYNCED)
    page.reload()

    assert page.locator('td [data-sync="synced"]').inner_text() == "Synchronisiert"
    assert not cut.requires_manual_review
    phase = cut.phases.get()
    assert [booking.uid for booking in mirror.live_for_phase(phase.pk)] == [
        phase.calcom_booking_uid
    ]

    page.click("text=In Cal.com prüfen")
    page.click("text=Jetzt prüfen")
    assert "stimmt" in page.locator('tr[data-segment="A"]').inner_text()
