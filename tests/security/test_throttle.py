"""The rate limits' counting in Redis (security/throttle.py): concurrent hits of one window
are all counted there, none lost and none in the database. The database's counting under
concurrency is tests/api/test_limits.py's (PostgreSQL)."""

from __future__ import annotations

import threading
import uuid

import pytest

from phasebook.security import throttle
from phasebook.security.models import RateLimitCounter


@pytest.mark.redis
def test_concurrent_hits_are_all_counted_in_redis(db: None, settings, redis_url: str) -> None:
    settings.PHASEBOOK_RATE_LIMIT_REDIS_URL = redis_url
    flood = f"flood-{uuid.uuid4()}"  # a window of this run's own in a shared Redis
    results: list[bool] = []
    barrier = threading.Barrier(12, timeout=30)

    def hit() -> None:
        barrier.wait()
        for _ in range(5):
            try:
                throttle.hit("40/minute", flood)
                results.append(True)
            except throttle.Throttled:
                results.append(False)

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert (results.count(True), results.count(False)) == (40, 20)
    assert not RateLimitCounter.objects.exists()
