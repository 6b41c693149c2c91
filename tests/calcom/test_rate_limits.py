"""Our limiter keeps each API key under Cal.com's 120/min; the emulator enforces Cal.com's."""

from __future__ import annotations

import uuid

import httpx
import pytest

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.errors import CalcomRateLimitedError
from phasebook.calcom.ratelimit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from tests.calcom.emulated import EmulatedCalcom
from tests.support.emulator import TEST_TIMEOUTS


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def exhaust(limiter: RateLimiter, key: str, times: int) -> list[float]:
    return [limiter.try_acquire(key) for _ in range(times)]


def test_the_limiter_grants_up_to_the_limit_then_says_how_long_to_wait() -> None:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(limit=3, window_seconds=60, clock=clock)

    granted = exhaust(limiter, "cal_a", 3)
    clock.now += 15
    refused = limiter.try_acquire("cal_a")

    assert granted == [0.0, 0.0, 0.0]
    assert refused == pytest.approx(45.0)


def test_the_window_slides_so_old_requests_stop_counting() -> None:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(limit=2, window_seconds=60, clock=clock)
    exhaust(limiter, "cal_a", 2)

    clock.now += 60

    assert limiter.try_acquire("cal_a") == 0.0


def test_each_api_key_has_its_own_budget() -> None:
    limiter = InMemoryRateLimiter(limit=1, window_seconds=60, clock=FakeClock())
    limiter.try_acquire("cal_a")

    assert limiter.try_acquire("cal_b") == 0.0
    assert limiter.try_acquire("cal_a") > 0


def test_the_client_refuses_to_send_beyond_the_budget_with_a_retryable_local_error(
    calcom_emulator: EmulatedCalcom,
) -> None:
    limiter = InMemoryRateLimiter(limit=1, window_seconds=60, clock=FakeClock())
    client = CalcomClient(
        calcom_emulator.url, calcom_emulator.api_key, timeouts=TEST_TIMEOUTS, limiter=limiter
    )
    with client:
        client.list_bookings()
        with pytest.raises(CalcomRateLimitedError) as caught:
            client.list_bookings()

    assert caught.value.local
    assert caught.value.retryable
    assert caught.value.retry_after_seconds == pytest.approx(60.0)


def test_the_emulator_answers_429_with_cal_coms_headers_after_the_limit(
    calcom_emulator: EmulatedCalcom, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttler = calcom_emulator.emulator.throttler
    clock = FakeClock()
    monkeypatch.setattr(throttler, "clock", clock)
    monkeypatch.setattr(throttler, "limit", 2)
    client = CalcomClient(calcom_emulator.url, calcom_emulator.api_key, timeouts=TEST_TIMEOUTS)

    with client:
        exhaust_responses = [raw_list(calcom_emulator) for _ in range(2)]
        clock.now += 10
        with pytest.raises(CalcomRateLimitedError) as caught:
            client.list_bookings()

    assert [r.headers["X-RateLimit-Remaining-Default"] for r in exhaust_responses] == ["1", "0"]
    assert exhaust_responses[0].headers["X-RateLimit-Limit-Default"] == "2"
    assert "Too many requests" in caught.value.message
    assert caught.value.retry_after_seconds == 60
    assert not caught.value.local


def raw_list(calcom: EmulatedCalcom) -> httpx.Response:
    return httpx.get(
        f"{calcom.url}/v2/bookings",
        headers={"Authorization": f"Bearer {calcom.api_key}", "cal-api-version": "2024-08-13"},
    )


@pytest.mark.redis
def test_the_redis_limiter_shares_one_budget_between_workers(redis_url: str) -> None:
    clock = FakeClock()
    key = f"cal_test_{uuid.uuid4().hex}"
    worker_a = RedisRateLimiter.from_url(redis_url, limit=3, window_seconds=60, clock=clock)
    worker_b = RedisRateLimiter.from_url(redis_url, limit=3, window_seconds=60, clock=clock)

    granted = exhaust(worker_a, key, 2) + exhaust(worker_b, key, 1)
    clock.now += 20
    refused = worker_b.try_acquire(key)
    clock.now += 40
    after_window = worker_a.try_acquire(key)

    assert granted == [0.0, 0.0, 0.0]
    assert refused == pytest.approx(40.0)
    assert after_window == 0.0
