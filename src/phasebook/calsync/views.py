"""HTTP endpoint of the sync: the Cal.com webhook receiver."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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
