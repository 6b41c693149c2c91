"""Processes the real-topology tests start for themselves, each on a free loopback port:
a Redis of their own (stopped and started again to act out an outage) and others that
build on it. Every process is ended by the test that started it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field

import pytest
import redis

from tests.conftest import REQUIRE_SERVICES


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(ready: object, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready within {seconds:.0f} s")


@dataclass
class OwnRedis:
    """`redis-server` on a free port, no persistence: `stop()` and `start()` it at will."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if REQUIRE_SERVICES:
                pytest.fail("redis-server is required (PHASEBOOK_REQUIRE_SERVICES=1)")
            pytest.skip("no redis-server on PATH")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def queued(self, queue: str = "celery") -> int:
        return int(redis.Redis.from_url(self.url).llen(queue))
