"""The sync's collaborators in one object, so tests and the chaos drill can swap the clock,
the randomness, the Cal.com client and the crash points without patching modules."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.utils import timezone

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.connection import client_for
from phasebook.calcom.models import CalcomConnection
from phasebook.calsync.phase_sync import Checkpoint, no_checkpoint
from phasebook.calsync.retry import RetryPolicy
from phasebook.salons.models import Company

ClientFactory = Callable[[Company], CalcomClient]


class ClientPool:
    """One long-lived client per company connection.

    Building a client costs tens of milliseconds (its TLS context), and a kept client keeps
    its connections to Cal.com warm. A connection saved since (new key, new URL) gets a new
    client; the pool never closes clients it hands out, so callers must not either.
    """

    def __init__(self, build: ClientFactory) -> None:
        self._build = build
        self._clients: dict[tuple[int, datetime | None], CalcomClient] = {}
        self._lock = threading.Lock()

    def __call__(self, company: Company) -> CalcomClient:
        changed = (
            CalcomConnection.objects.filter(company=company)
            .values_list("updated_at", flat=True)
            .first()
        )
        key = (company.pk, changed)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._build(company)
            return self._clients[key]


@dataclass
class SyncEnv:
    clock: Callable[[], datetime] = timezone.now
    rng: random.Random = field(default_factory=random.Random)
    client_for: ClientFactory = field(default_factory=lambda: ClientPool(client_for))
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Phases of one appointment synced at the same time (Cal.com allows 120 calls/min/key).
    max_parallel: int = 4
    # Longer than the slowest attempt (a few calls at 15 s read timeout each).
    lease: timedelta = timedelta(minutes=2)
    checkpoint: Checkpoint = no_checkpoint


@cache
def default_env() -> SyncEnv:
    """One per process, so its client pool is shared by every sync in it."""
    return SyncEnv()
