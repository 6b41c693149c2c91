"""`GET /metrics` for Prometheus: 401 unless the caller may scrape (see `access`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from phasebook.monitoring.access import may_scrape
from phasebook.monitoring.scrape import scrape_registry


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        return unauthorized()
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


def unauthorized() -> JsonResponse:
    message = gettext(
        "Metriken nur mit dem Metrik-Token (Authorization: Bearer …) oder über die interne Adresse."
    )
    response = JsonResponse({"error": "unauthorized", "message": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response
