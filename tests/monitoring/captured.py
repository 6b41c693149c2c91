"""What the configured log handlers wrote during a test (the `captured_log` fixture)."""

from __future__ import annotations

import io
import json
from typing import Any


class CapturedLog:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]
