"""A clock that tests move instead of sleeping."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    """Backoff and leases run on this clock; tests move it instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
