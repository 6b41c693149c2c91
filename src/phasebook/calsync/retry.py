"""When to try a phase again: exponential backoff with full jitter, on retryable errors only."""

from __future__ import annotations

import random
from dataclasses import dataclass

from phasebook.calcom.errors import CalcomRateLimitedError


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 2.0
    cap_seconds: float = 600.0

    def delay_seconds(self, attempt: int, error: Exception, rng: random.Random) -> float:
        """Seconds before attempt `attempt + 1`.

        Full jitter (uniform between 0 and the exponential ceiling) spreads the retries of
        many phases that failed together; a 429 waits for Cal.com's window reset instead,
        plus up to a second so the retries do not all land on the reset instant.
        """
        if isinstance(error, CalcomRateLimitedError):
            return error.retry_after_seconds + rng.uniform(0, 1)
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        return rng.uniform(0, ceiling)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
