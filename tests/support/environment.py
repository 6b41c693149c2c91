"""The services a test may need beyond Python (Redis, redis-server, Chromium, promtool):
without one the test skips, unless PHASEBOOK_REQUIRE_SERVICES=1 (CI), where it fails."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_SERVICES = os.environ.get("PHASEBOOK_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it where CI requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and PHASEBOOK_REQUIRE_SERVICES=1 requires it")
    pytest.skip(reason)
