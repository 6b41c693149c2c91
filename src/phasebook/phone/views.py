"""Retell's endpoints for one salon: `/retell/<slug>/webhook`, `/inbound`,
`/functions/<tool>` and `/tools.json`.

Every POST is verified before anything is read (signatures.py): an unknown salon answers
404, a missing, bad, stale or other salon's signature 401, and neither changes anything.
Tool calls always answer 200 with `ok`, a spoken `message` and an `error` code (tools/).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from phasebook.phone.calls import CALL_EVENTS, record_call_event
from phasebook.phone.inbound import inbound_response
from phasebook.phone.manifest import manifest
from phasebook.phone.models import RetellConnection
from phasebook.phone.schemas import RetellCall, RetellInbound
from phasebook.phone.signatures import is_signed_by
from phasebook.phone.tools.dispatch import run_tool
from phasebook.salons.models import Company

SIGNATURE_HEADER = "X-Retell-Signature"

SignedView = Callable[..., HttpResponse]  # (request, connection, **url kwargs)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def retell_signed(view: SignedView) -> Callable[..., HttpResponse]:
    """Resolve the salon from the URL and admit only requests signed with its Retell key."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def verified(request: HttpRequest, company_slug: str, **kwargs: Any) -> HttpResponse:
        connection = (
            RetellConnection.objects.select_related("company")
            .filter(company__slug=company_slug)
            .first()
        )
        if connection is None and not Company.objects.filter(slug=company_slug).exists():
            return _error(404, "not_found", "Diesen Salon gibt es nicht.")
        signature = request.headers.get(SIGNATURE_HEADER)
        if connection is None or not is_signed_by(connection, request.body, signature):
            return _error(401, "unauthorized", "Die Retell-Signatur fehlt oder ist ungültig.")
        return view(request, connection, **kwargs)

    return verified


def _json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except ValueError:
        return None


@retell_signed
def webhook(request: HttpRequest, connection: RetellConnection) -> HttpResponse:
    """Call events; any other event is accepted and ignored, whatever its shape."""
    body = _json(request)
    event = body.get("event") if isinstance(body, dict) else None
    if not isinstance(event, str):
        return _error(400, "invalid_request", "Der Webhook-Inhalt ist unlesbar.")
    if event not in CALL_EVENTS:
        return JsonResponse({"status": "ignored"})
    try:
        call = RetellCall.model_validate(body.get("call"))
    except ValidationError:
        return _error(400, "invalid_request", "Der Webhook enthält keinen lesbaren Anruf.")
    return JsonResponse({"status": record_call_event(connection.company, event, call)})


@retell_signed
def inbound(request: HttpRequest, connection: RetellConnection) -> HttpResponse:
    try:
        payload = RetellInbound.model_validate(_json(request))
    except ValidationError:
        return _error(400, "invalid_request", "Der Inhalt des Inbound-Webhooks ist unlesbar.")
    return JsonResponse(inbound_response(connection, payload.call_inbound, timezone.now()))


@retell_signed
def function(request: HttpRequest, connection: RetellConnection, tool_name: str) -> HttpResponse:
    return JsonResponse(run_tool(connection, tool_name, request.body).as_json())


@require_GET
def tools_json(request: HttpRequest, company_slug: str) -> HttpResponse:
    """The tool definitions for this salon's agent. Public: they hold no secret, only URLs
    and descriptions (every call to them is signed)."""
    if not Company.objects.filter(slug=company_slug).exists():
        return _error(404, "not_found", "Diesen Salon gibt es nicht.")
    base_url = request.build_absolute_uri(f"/retell/{company_slug}")
    return JsonResponse(manifest(base_url), safe=False)
