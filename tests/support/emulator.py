"""The run's one Cal.com emulator on a loopback port, and the timeouts tests talk to it with.
A pytest plugin (tests/conftest.py): `running_emulator` hands it to a test freshly reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phasebook.calcom.client import CalcomTimeouts
from phasebook.calcom_emulator import CalcomEmulator, RunningEmulator, start_in_thread

# Short enough that "timeout" faults finish quickly, long enough for a loaded CI machine.
TEST_TIMEOUTS = CalcomTimeouts(connect=2.0, read=0.5, write=2.0, pool=2.0)


@pytest.fixture(scope="session")
def _emulator_server() -> Iterator[RunningEmulator]:
    # Cal.com's real 120/min budget would throttle a test run: 429s are injected as faults,
    # and the test of the emulator's own limit lowers it (calcom/test_rate_limits.py).
    running = start_in_thread(CalcomEmulator(rate_limit=1_000_000))
    yield running
    running.stop()


@pytest.fixture
def running_emulator(_emulator_server: RunningEmulator) -> RunningEmulator:
    """The run's Cal.com emulator, reset: no users, event types, bookings, webhooks, faults
    or rate-limit windows left from an earlier test."""
    _emulator_server.emulator.reset()
    return _emulator_server
