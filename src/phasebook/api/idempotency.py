"""`Idempotency-Key` on API v1's POSTs (phasebook.idempotency has the mechanism).

A POST that carries the header runs once per key and salon; its retries within 24 hours get
the first answer again, status and body, marked `Idempotent-Replayed: true`. The same key
with another body or on another path is refused (422). Answers that say nothing about the
request itself are not kept, so their retries run: 401 (no token), 429 (rate limit), 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI

from phasebook.api.errors import error_response
from phasebook.idempotency.services import InProgress, KeyReused, Outcome, fingerprint, run_once
from phasebook.salons.tokens import bearer_token

HEADER = "Idempotency-Key"
SCOPE = "api-v1"
MAX_KEY_LENGTH = 255
_NOT_KEPT = {401, 403, 429}
RETRY_AFTER_SECONDS = 1

# The header in the OpenAPI schema of every POST (`openapi_extra=IDEMPOTENT`).
IDEMPOTENT: dict[str, Any] = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "description": (
                "Makes a retried POST safe: the same key with the same body returns the first "
                "answer for 24 hours (`Idempotent-Replayed: true`); another body gets 422."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        }
    ]
}

View = Callable[..., HttpResponse]


def idempotent(api: NinjaAPI, view: View) -> View:
    """Wrap a Django view of `api` so that its keyed POSTs run once."""

    @wraps(view)
    def once(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        token = bearer_token(request) if key is not None and request.method == "POST" else None
        if key is None or token is None:
            return view(request, *args, **kwargs)  # not keyed, or ninja answers 401
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            message = gettext("Idempotency-Key muss 1 bis %(max)d Zeichen lang sein.") % {
                "max": MAX_KEY_LENGTH
            }
            return error_response(api, request, 400, "invalid_idempotency_key", message)
        try:
            outcome = run_once(
                token.company,
                SCOPE,
                key,
                fingerprint(request.path, _canonical(request.body)),
                lambda: _outcome(view(request, *args, **kwargs)),
                keep=lambda outcome: outcome.status < 500 and outcome.status not in _NOT_KEPT,
            )
        except KeyReused:
            message = gettext(
                "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet."
            )
            return error_response(api, request, 422, "idempotency_key_reused", message)
        except InProgress as busy:
            return _in_progress(api, request, busy)
        return _response(outcome)

    return once


def _canonical(body: bytes) -> Any:
    """The body as JSON, so that key order and spacing do not make another request."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body.hex()


def _outcome(response: HttpResponse) -> Outcome:
    return Outcome(
        response.status_code,
        response.content.decode(response.charset or "utf-8"),
        response.get("Content-Type", "application/json"),
    )


def _response(outcome: Outcome) -> HttpResponse:
    response = HttpResponse(outcome.body, status=outcome.status, content_type=outcome.content_type)
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _in_progress(api: NinjaAPI, request: HttpRequest, busy: InProgress) -> HttpResponse:
    if busy.abandoned:
        message = gettext(
            "Die erste Anfrage mit diesem Idempotency-Key wurde nicht abgeschlossen; ob sie "
            "etwas geändert hat, ist unbekannt. Bitte den Stand prüfen und mit einem neuen "
            "Schlüssel fortfahren."
        )
        return error_response(api, request, 409, "idempotency_key_unresolved", message)
    message = gettext(
        "Eine Anfrage mit diesem Idempotency-Key läuft noch. Bitte gleich noch einmal senden."
    )
    response = error_response(api, request, 409, "idempotency_key_in_use", message)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
