"""The sync's collaborators in one object, so tests and the chaos drill can swap the clock,
the randomness, the Cal.com client and the crash points without patching modules."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.connection import client_for
from phasebook.calsync.phase_sync import Checkpoint, no_checkpoint
from phasebook.calsync.retry import RetryPolicy
from phasebook.salons.models import Company


@dataclass
class SyncEnv:
    clock: Callable[[], datetime] = timezone.now
    rng: random.Random = field(default_factory=random.Random)
    client_for: Callable[[Company], CalcomClient] = client_for
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Phases of one appointment synced at the same time (Cal.com allows 120 calls/min/key).
    max_parallel: int = 4
    # Longer than the slowest attempt (a few calls at 15 s read timeout each).
    lease: timedelta = timedelta(minutes=2)
    checkpoint: Checkpoint = no_checkpoint


def default_env() -> SyncEnv:
    return SyncEnv()
