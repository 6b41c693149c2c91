"""A local, in-memory Cal.com API v2 for tests, the demo and fault drills (no Django here).

running = start_in_thread()              # ephemeral loopback port
user, api_key = running.emulator.seed_user("anna")
CalcomClient(running.url, api_key) ...
running.stop()
"""

from __future__ import annotations

from phasebook.calcom_emulator.emulator import CalcomEmulator
from phasebook.calcom_emulator.faults import FaultRule
from phasebook.calcom_emulator.server import RunningEmulator, serve_forever, start_in_thread
from phasebook.calcom_emulator.state import WeeklySchedule
from phasebook.calcom_emulator.webhooks import signature

__all__ = [
    "CalcomEmulator",
    "FaultRule",
    "RunningEmulator",
    "WeeklySchedule",
    "serve_forever",
    "signature",
    "start_in_thread",
]
