"""Fault injection: rules that make chosen requests slow, fail, hang or lose their connection.

A rule fires for the next `count` matching requests and/or with `probability` (seeded RNG, so a
run is reproducible). The first matching rule that fires wins. Admin paths (`/_emulator/…`) are
never faulted.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

FaultMode = Literal["latency", "server_error", "timeout", "rate_limit", "drop", "lose_response"]
FAULT_MODES: tuple[FaultMode, ...] = (
    "latency",
    "server_error",
    "timeout",
    "rate_limit",
    "drop",
    "lose_response",
)


@dataclass
class FaultRule:
    """`count=None` means unlimited; `probability=1.0` means every matching request."""

    mode: FaultMode
    count: int | None = 1
    probability: float = 1.0
    method: str | None = None
    path_prefix: str | None = None
    latency_ms: int = 0
    status_code: int = 500
    # How long a "timeout" request hangs at most if the client never gives up.
    hang_seconds: float = 30.0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path_prefix or path.startswith(self.path_prefix)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultRule:
        mode = body.get("mode")
        if mode not in FAULT_MODES:
            raise ValueError(f"mode must be one of {', '.join(FAULT_MODES)}")
        known = {
            "count",
            "probability",
            "method",
            "path_prefix",
            "latency_ms",
            "status_code",
            "hang_seconds",
        }
        return cls(mode=mode, **{name: value for name, value in body.items() if name in known})


class FaultPlan:
    def __init__(self, seed: int = 0) -> None:
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)  # noqa: S311 - reproducible faults, not security
        self._lock = threading.Lock()
        # What the plan saw and did, for a drill's figures (`GET /_emulator/faults`).
        self.requests = 0
        self.fired: Counter[str] = Counter()

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self, seed: int | None = None) -> None:
        with self._lock:
            self._rules.clear()
            if seed is not None:
                self._random.seed(seed)

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, consuming one of its `count`."""
        with self._lock:
            self.requests += 1
            for rule in self._rules:
                if not rule.matches(method, path) or self._random.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
                self.fired[rule.mode] += 1
                return rule
        return None

    def figures(self) -> dict[str, object]:
        with self._lock:
            return {"requests": self.requests, "fired": dict(self.fired)}
