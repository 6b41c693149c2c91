"""HTTP endpoints of the sync: the Cal.com webhook receiver and Prometheus metrics."""

from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from phasebook.calsync.webhooks import handle_webhook


@csrf_exempt
@require_POST
def calcom_webhook(request: HttpRequest, company_slug: str) -> JsonResponse:
    result = handle_webhook(company_slug, request.body, request.headers.get("X-Cal-Signature-256"))
    body = (
        {"status": result.code}
        if result.status_code == 200
        else {"error": result.code, "message": result.message}
    )
    return JsonResponse(body, status=result.status_code)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """This process's metrics, or under several workers (see gunicorn_conf) all of theirs."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry
