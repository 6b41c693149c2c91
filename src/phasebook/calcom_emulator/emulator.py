"""The emulator's controller: state, fault plan, throttler and webhook dispatcher in one object.

Tests drive it directly (`emulator.state.add_user(...)`, `emulator.inject_fault("drop")`);
`phasebook calcom_emulator` drives the same object through `/_emulator/…` admin endpoints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from phasebook.calcom_emulator.faults import FaultMode, FaultPlan, FaultRule
from phasebook.calcom_emulator.state import Clock, EmulatorState, User, WeeklySchedule, utc_now
from phasebook.calcom_emulator.throttle import DEFAULT_LIMIT, Throttler
from phasebook.calcom_emulator.webhooks import WebhookDispatcher


class CalcomEmulator:
    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Clock = utc_now,
        throttle_clock: Callable[[], float] = time.monotonic,
        rate_limit: int = DEFAULT_LIMIT,
    ) -> None:
        self.seed = seed
        self.state = EmulatorState(clock)
        self.faults = FaultPlan(seed)
        self.throttler = Throttler(rate_limit, throttle_clock)
        self.webhooks = WebhookDispatcher(self.state)

    def reset(self) -> None:
        """Forget users, event types, bookings, webhooks, faults and rate-limit windows."""
        self.state.reset()
        self.faults.clear(seed=self.seed)
        self.throttler.reset()

    def inject_fault(self, mode: FaultMode, **options: Any) -> FaultRule:
        """E.g. `inject_fault("drop", count=2, method="POST", path_prefix="/v2/bookings")`."""
        return self.faults.add(FaultRule(mode=mode, **options))

    def clear_faults(self) -> None:
        self.faults.clear()

    def seed_user(
        self,
        username: str,
        api_key: str | None = None,
        time_zone: str = "UTC",
        schedule: WeeklySchedule | None = None,
    ) -> tuple[User, str]:
        """A user and their API key (generated when not given)."""
        return self.state.add_user(
            username, api_key=api_key, time_zone=time_zone, schedule=schedule
        )
