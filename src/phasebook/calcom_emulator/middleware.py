"""ASGI middleware that applies the fault plan before (or after) the real handler runs.

Dropped connections are real: the response starts with a Content-Length it never fulfils, then
the app raises `ConnectionDropped`, so uvicorn closes the socket and the client sees a transport
error ("peer closed connection without sending complete message body").
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phasebook.calcom_emulator import messages
from phasebook.calcom_emulator.errors import ApiError
from phasebook.calcom_emulator.faults import FaultPlan, FaultRule

ADMIN_PREFIX = "/_emulator"


class ConnectionDropped(Exception):
    """Raised on purpose so uvicorn closes the connection mid-response."""


class HideDroppedConnections(logging.Filter):
    """Keep uvicorn's error log free of the tracebacks our own drops cause."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


class FaultInjector:
    def __init__(self, app: ASGIApp, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        rule = self.plan.pick(scope["method"], scope["path"])
        if rule is None:
            await self.app(scope, receive, send)
            return
        await self._apply(rule, scope, receive, send)

    async def _apply(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        if rule.mode == "latency":
            await asyncio.sleep(rule.latency_ms / 1000)
            await self.app(scope, receive, send)
        elif rule.mode == "server_error":
            body = {"statusCode": rule.status_code, "message": "Internal server error"}
            await _send_json(send, rule.status_code, body, {})
        elif rule.mode == "rate_limit":
            error = ApiError(429, messages.TOO_MANY_REQUESTS)
            headers = {
                "X-RateLimit-Limit-Default": "120",
                "X-RateLimit-Remaining-Default": "0",
                "X-RateLimit-Reset-Default": "60",
            }
            await _send_json(send, 429, error.body(scope["path"]), headers)
        elif rule.mode == "timeout":
            if not await _client_gave_up(receive, rule.hang_seconds):
                await self.app(scope, receive, send)
        elif rule.mode == "drop":
            await _drop_connection(send)
        else:  # lose_response: the handler changes state, the client never hears about it
            await self.app(scope, receive, _swallow)
            await _drop_connection(send)


async def _client_gave_up(receive: Receive, hang_seconds: float) -> bool:
    """Hang until the client disconnects (True) or `hang_seconds` pass (False)."""

    async def wait_for_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(wait_for_disconnect(), timeout=hang_seconds)
    except TimeoutError:
        return False
    return True


async def _swallow(message: Message) -> None:
    return None


async def _drop_connection(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"1048576")],
        }
    )
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
    raise ConnectionDropped


async def _send_json(send: Send, status: int, body: Any, headers: dict[str, str]) -> None:
    content = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
    ]
    raw_headers += [(name.encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": content})
