"""What the handlers settings.LOGGING installs write, as production would see it. The salon
mirrored to an emulated Cal.com and the Retell salon come from tests/support (sync.py,
retell.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from phasebook.telemetry.logs import RedactSecretsFilter
from tests.monitoring.captured import CapturedLog


@pytest.fixture
def captured_log() -> Iterator[CapturedLog]:
    """Everything the configured (redacting, JSON) handlers write during the test."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and any(isinstance(f, RedactSecretsFilter) for f in handler.filters)
    ]
    assert handlers, "settings.LOGGING must put the redaction filter on the root handler"
    captured = CapturedLog()
    old_streams = [handler.setStream(captured.stream) for handler in handlers]
    yield captured
    for handler, old in zip(handlers, old_streams, strict=True):
        handler.setStream(old)
