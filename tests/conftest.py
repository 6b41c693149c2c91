"""Fixtures and markers shared by the whole suite.

Tests marked `postgres` need the database to be PostgreSQL: `./dev test` runs the
suite once on SQLite and once on PostgreSQL. Tests marked `redis` need the Redis
server named by PHASEBOOK_TEST_REDIS_URL. With PHASEBOOK_REQUIRE_SERVICES=1 (CI) a
missing service fails the run instead of skipping.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

REQUIRE_SERVICES = os.environ.get("PHASEBOOK_REQUIRE_SERVICES") == "1"


def _redis_url() -> str:
    return os.environ.get("PHASEBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


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
