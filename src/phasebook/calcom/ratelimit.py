"""Per-API-key sliding-window limiter that keeps us under Cal.com's 120 requests/minute.

`try_acquire(key)` never sleeps: it either takes a permit (returns 0.0) or says how many seconds
until one frees up. The client turns a refusal into a retryable error so the calling task decides
whether to wait, reschedule itself or give up.

Keys are hashed before they are stored, so neither memory dumps nor Redis hold API keys.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

CALCOM_REQUESTS_PER_MINUTE = 120
# Stay a little under Cal.com's limit: their window and ours do not start at the same instant.
CALCOM_LIMIT_MARGIN = 10
DEFAULT_LIMIT = CALCOM_REQUESTS_PER_MINUTE - CALCOM_LIMIT_MARGIN
DEFAULT_WINDOW_SECONDS = 60.0

Clock = Callable[[], float]


class RateLimiter(Protocol):
    def try_acquire(self, key: str) -> float:
        """Take a permit for `key` and return 0.0, or return seconds until one is free."""
        ...


def key_fingerprint(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()[:32]


class InMemoryRateLimiter:
    """Sliding window in one process (tests, the demo, a single worker)."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        clock: Clock = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def try_acquire(self, key: str) -> float:
        now = self._clock()
        with self._lock:
            sent = self._sent.setdefault(key_fingerprint(key), deque())
            while sent and sent[0] <= now - self.window_seconds:
                sent.popleft()
            if len(sent) < self.limit:
                sent.append(now)
                return 0.0
            return sent[0] + self.window_seconds - now


# Sliding window over a sorted set, atomically: drop expired entries, then either add this
# request or report when the oldest one leaves the window.
_REDIS_SLIDING_WINDOW = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
    tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


class RedisRateLimiter:
    """Sliding window shared by every Celery worker that talks to the same Cal.com key."""

    def __init__(
        self,
        redis_client: Any,
        limit: int = DEFAULT_LIMIT,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        clock: Clock = time.time,
        prefix: str = "phasebook:calcom:ratelimit:",
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._prefix = prefix
        self._redis = redis_client
        self._script = redis_client.register_script(_REDIS_SLIDING_WINDOW)

    @classmethod
    def from_url(cls, redis_url: str, **kwargs: Any) -> RedisRateLimiter:
        import redis

        return cls(redis.Redis.from_url(redis_url), **kwargs)

    def try_acquire(self, key: str) -> float:
        now = self._clock()
        result = self._script(
            keys=[self._prefix + key_fingerprint(key)],
            # Two requests at the same instant must both count, so each member is unique.
            args=[repr(now), repr(self.window_seconds), self.limit, uuid.uuid4().hex],
        )
        return max(0.0, float(result))


def build_rate_limiter(
    redis_url: str | None,
    limit: int = DEFAULT_LIMIT,
    window_seconds: float = DEFAULT_WINDOW_SECONDS,
) -> RateLimiter:
    """Redis when several workers share keys (a URL is configured), otherwise in-process."""
    if redis_url:
        return RedisRateLimiter.from_url(redis_url, limit=limit, window_seconds=window_seconds)
    return InMemoryRateLimiter(limit=limit, window_seconds=window_seconds)
