"""What the handlers settings.LOGGING installs write, as production would see it; the
calsync tests' emulated Cal.com."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from phasebook.telemetry.logs import RedactSecretsFilter

# The salon mirrored to an emulated Cal.com, as the calsync tests have it.
from tests.calsync.conftest import clock, dispatched, env, mirror  # noqa: F401

# A salon with its Retell connection, and requests signed as Retell signs them.
from tests.phone.conftest import retell_salon  # noqa: F401


class CapturedLog:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]


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
