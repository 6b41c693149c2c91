"""Fixtures and markers shared by the whole suite; the helpers and the other fixtures that
test folders share live in tests/support/ (its plugins are registered here, once).

One Cal.com emulator serves the whole run on a loopback port; `running_emulator` hands it
to a test freshly reset (support/emulator.py). Tests marked `postgres` need the database to
be PostgreSQL: `./dev test` runs the suite once on SQLite and once on PostgreSQL. Tests marked
`redis` need the Redis server named by PHASEBOOK_TEST_REDIS_URL. With
PHASEBOOK_REQUIRE_SERVICES=1 (CI) a missing service fails the run instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection

from tests.factories import make_salon
from tests.support.api import ApiClient
from tests.support.environment import unavailable

pytest_plugins = ["tests.support.emulator", "tests.support.sync", "tests.support.retell"]


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
        unavailable(f"no Redis server reachable at {_redis_url()}")


@pytest.fixture
def redis_url() -> str:
    return _redis_url()


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
