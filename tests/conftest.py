"""Fixtures and markers shared by the whole suite.

One Cal.com emulator serves the whole run on a loopback port; `running_emulator` hands it
to a test freshly reset. Tests marked `postgres` need the database to be PostgreSQL:
`./dev test` runs the suite once on SQLite and once on PostgreSQL. Tests marked `redis`
need the Redis server named by PHASEBOOK_TEST_REDIS_URL. With PHASEBOOK_REQUIRE_SERVICES=1
(CI) a missing service fails the run instead of skipping.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from phasebook.calcom.client import CalcomTimeouts
from phasebook.calcom_emulator import CalcomEmulator, RunningEmulator, start_in_thread
from tests.factories import make_salon

REQUIRE_SERVICES = os.environ.get("PHASEBOOK_REQUIRE_SERVICES") == "1"
# Short enough that "timeout" faults finish quickly, long enough for a loaded CI machine.
TEST_TIMEOUTS = CalcomTimeouts(connect=2.0, read=0.5, write=2.0, pool=2.0)


def _redis_url() -> str:
    return os.environ.get("PHASEBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # WhiteNoise serves collected files from STATIC_ROOT and warns when a fresh clone
    # has none yet; the demo collects them, the tests are served through the finders.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # The Cal.com emulator the tests run listens on loopback (security/outbound.py).
    settings.PHASEBOOK_CALCOM_ALLOW_LOOPBACK = True


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of ./dev test")
    if item.get_closest_marker("redis") and not _redis_reachable(_redis_url()):
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis at {_redis_url()} is required (PHASEBOOK_REQUIRE_SERVICES=1)")
        pytest.skip("no Redis server reachable")


@pytest.fixture
def redis_url() -> str:
    return _redis_url()


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


@pytest.fixture
def salon(db: None) -> SimpleNamespace:
    """A salon with a colour service, a cut, two stylists and an API token (make_salon)."""
    return make_salon("salon-a")


@pytest.fixture
def other_salon(db: None) -> SimpleNamespace:
    """A second tenant, for isolation tests."""
    return make_salon("salon-b")


@pytest.fixture
def api(salon: SimpleNamespace) -> ApiClient:
    return ApiClient(salon.token)


class ApiClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, token: str | None) -> None:
        from django.test import Client

        self._client = Client()
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self._client.get(f"/api/v1{path}", params, headers=self._headers)

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self._client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self._headers
        )
