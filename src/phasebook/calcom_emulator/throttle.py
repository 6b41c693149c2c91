"""Cal.com's throttler: fixed 60 s window per API key (or per IP), 120 requests, 60 s block.

Mirrors `apps/api/v2/src/lib/throttler-guard.ts` (reference §11). `Reset` is the remaining time
in seconds, not an epoch.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_LIMIT = 120
WINDOW_SECONDS = 60.0
BLOCK_SECONDS = 60.0


@dataclass
class _Window:
    started: float
    count: int = 0
    blocked_until: float = 0.0


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit-Default": str(self.limit),
            "X-RateLimit-Remaining-Default": str(self.remaining),
            "X-RateLimit-Reset-Default": str(self.reset_seconds),
        }


class Throttler:
    def __init__(
        self, limit: int = DEFAULT_LIMIT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.clock = clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def hit(self, tracker: str) -> ThrottleDecision:
        now = self.clock()
        with self._lock:
            window = self._windows.get(tracker)
            if window is None or (
                now >= window.started + WINDOW_SECONDS and now >= window.blocked_until
            ):
                window = self._windows[tracker] = _Window(started=now)
            window.count += 1
            if window.count > self.limit and window.blocked_until <= now:
                window.blocked_until = now + BLOCK_SECONDS
            blocked = window.blocked_until > now
            ends = window.blocked_until if blocked else window.started + WINDOW_SECONDS
            return ThrottleDecision(
                allowed=not blocked,
                limit=self.limit,
                remaining=max(0, self.limit - window.count),
                reset_seconds=math.ceil(ends - now),
            )
