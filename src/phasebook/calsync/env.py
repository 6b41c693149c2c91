"""The sync's collaborators in one object, so tests and the chaos drill can swap the clock,
the randomness, the Cal.com clients, the retry policy and the crash points without patching
modules."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.connection import client_for
from phasebook.calcom.errors import CalcomRateLimitedError
from phasebook.calcom.models import CalcomConnection
from phasebook.calsync.phase_sync import Checkpoint, no_checkpoint
from phasebook.salons.models import Company

ClientFactory = Callable[[Company], CalcomClient]


class ClientPool:
    """One long-lived client per company.

    Building a client costs tens of milliseconds (its TLS context), and a kept client keeps
    its connections to Cal.com warm. When the company's connection was saved since (new key,
    new URL) the next caller gets a new client and the replaced one is closed; a call still
    running on it fails as a transport error, which the sync retries after a lookup. Callers
    must not close the clients they get.
    """

    def __init__(self, build: ClientFactory) -> None:
        self._build = build
        self._clients: dict[int, tuple[datetime | None, CalcomClient]] = {}
        self._lock = threading.Lock()

    def __call__(self, company: Company) -> CalcomClient:
        changed = (
            CalcomConnection.objects.filter(company=company)
            .values_list("updated_at", flat=True)
            .first()
        )
        with self._lock:
            kept = self._clients.get(company.pk)
            if kept is not None and kept[0] == changed:
                return kept[1]
            client = self._build(company)
            self._clients[company.pk] = (changed, client)
        if kept is not None:
            kept[1].close()
        return client


@dataclass(frozen=True)
class RetryPolicy:
    """When to try a phase again: exponential backoff with full jitter."""

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


@dataclass
class SyncEnv:
    clock: Callable[[], datetime] = timezone.now
    rng: random.Random = field(default_factory=random.Random)
    client_for: ClientFactory = field(default_factory=lambda: ClientPool(client_for))
    retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(
            cap_seconds=float(settings.PHASEBOOK_SYNC_RETRY_CAP_SECONDS)
        )
    )
    # Phases of one appointment synced at the same time (Cal.com allows 120 calls/min/key).
    max_parallel: int = 4
    # Longer than the slowest attempt: a few calls that each wait up to the read timeout
    # (2 minutes with the default 15 s).
    lease: timedelta = field(
        default_factory=lambda: timedelta(
            seconds=max(30, 8 * settings.PHASEBOOK_CALCOM_READ_TIMEOUT_SECONDS)
        )
    )
    checkpoint: Checkpoint = no_checkpoint
    # Between tries of a failed call that is retried at once (a page of a listing).
    sleep: Callable[[float], None] = time.sleep


@cache
def default_env() -> SyncEnv:
    """One per process, so its client pool is shared by every sync in it."""
    return SyncEnv()
