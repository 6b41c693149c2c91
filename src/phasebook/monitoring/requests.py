"""One log line per HTTP request, and a request id that every line logged meanwhile carries.

The id comes from the caller's `X-Request-ID` when it looks like one (a proxy's or load
balancer's), else it is made here; the response carries it back, so a support request that
quotes it finds every line of that request.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from phasebook.telemetry.logs import log_context

logger = logging.getLogger("phasebook.requests")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Polled every few seconds by load balancers and Prometheus: debug lines, not info.
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # for Django's own lines
        started = time.monotonic()
        with log_context(request_id=request_id):
            response = self.get_response(request)
            logger.log(
                logging.DEBUG if request.path in _PROBES else logging.INFO,
                "%s %s -> %s",
                request.method,
                request.path,  # never the query string: it may carry a phone number
                response.status_code,
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
        response["X-Request-ID"] = request_id
        return response


def incoming_request_id(request: HttpRequest) -> str | None:
    raw = request.headers.get("X-Request-ID", "")
    return raw if _REQUEST_ID.fullmatch(raw) else None
