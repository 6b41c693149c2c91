"""A salon mirrored to the run's emulated Cal.com (mirror.py), with the sync driven by hand.
A pytest plugin (tests/conftest.py) for the calsync and monitoring tests.

Tests drive the sync in their own thread (`drain(env)`) with a fake clock; dispatches after
commit are only collected, so nothing runs in the background.
"""

from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.models import CalcomConnection
from phasebook.calcom_emulator import RunningEmulator
from phasebook.calsync import tasks
from phasebook.calsync.env import ClientPool, RetryPolicy, SyncEnv
from phasebook.salons.models import Company
from tests.support.clock import FakeClock
from tests.support.emulator import TEST_TIMEOUTS
from tests.support.mirror import Mirror, connect_salon


@pytest.fixture
def clock() -> FakeClock:
    # Ahead of the wall clock, so rows the booking service writes "now" are already due.
    return FakeClock(timezone.now() + timedelta(minutes=10))


class CollectingRunner:
    """Stands in for the in-process runner: keeps what was dispatched, runs nothing."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []

    def submit(self, task: Any, *args: Any) -> None:
        self.sent.append((task.name, args))


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """What was handed to the in-process runner after commit, as (task name, arguments)."""
    runner = CollectingRunner()
    monkeypatch.setattr(tasks, "local_runner", lambda: runner)
    return runner.sent


def client_without_limiter(company: Company) -> CalcomClient:
    connection = CalcomConnection.objects.get(company=company)
    return CalcomClient(connection.base_url, connection.api_key, timeouts=TEST_TIMEOUTS)


@pytest.fixture
def env(clock: FakeClock) -> SyncEnv:
    return SyncEnv(
        clock=clock,
        rng=random.Random(7),
        client_for=ClientPool(client_without_limiter),
        retry=RetryPolicy(max_attempts=5),
        sleep=lambda seconds: None,
    )


@pytest.fixture
def mirror(
    running_emulator: RunningEmulator, salon: SimpleNamespace, dispatched: list[Any]
) -> Mirror:
    return connect_salon(
        running_emulator.emulator, running_emulator.url, salon.company, [salon.anna, salon.ben]
    )
