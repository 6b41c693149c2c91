"""Run the emulator: in the foreground (CLI; stops on SIGTERM/SIGINT) or in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import uvicorn

from phasebook.calcom_emulator.app import create_app
from phasebook.calcom_emulator.emulator import CalcomEmulator
from phasebook.calcom_emulator.middleware import HideDroppedConnections

STARTUP_TIMEOUT_SECONDS = 10.0


def _server(emulator: CalcomEmulator, host: str, port: int) -> uvicorn.Server:
    logging.getLogger("uvicorn.error").addFilter(HideDroppedConnections())
    config = uvicorn.Config(
        create_app(emulator),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # A hanging "timeout" fault must not hold up shutdown for long.
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def serve_forever(emulator: CalcomEmulator, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Blocks; uvicorn installs SIGTERM/SIGINT handlers in the main thread and shuts down."""
    emulator.webhooks.start()
    try:
        _server(emulator, host, port).run()
    finally:
        emulator.webhooks.stop()


@dataclass
class RunningEmulator:
    emulator: CalcomEmulator
    host: str
    port: int
    _server: uvicorn.Server
    _thread: threading.Thread

    @property
    def url(self) -> str:
        """Base URL for `CalcomClient` (the API paths carry `/v2`)."""
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_TIMEOUT_SECONDS)
        self.emulator.webhooks.stop()


def start_in_thread(
    emulator: CalcomEmulator | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator:
    """Start on `port` (0 = an ephemeral one) and return once it accepts connections."""
    emulator = emulator or CalcomEmulator()
    server = _server(emulator, host, port)
    thread = threading.Thread(target=server.run, name="calcom-emulator", daemon=True)
    emulator.webhooks.start()
    thread.start()
    _wait_until_started(server, thread)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    return RunningEmulator(emulator, host, bound_port, server, thread)


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Cal.com emulator did not start (is the port in use?)")
        thread.join(0.01)
