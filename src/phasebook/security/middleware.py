"""Refuse request bodies larger than Django reads (DATA_UPLOAD_MAX_MEMORY_SIZE) before
anything reads them: 413 in the API's error shape and the caller's language.

Without this, reading such a body raised RequestDataTooBig deep inside a view: a 500 with a
traceback in the log. The admin keeps Django's own answer (a 400 page).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _declared_length(request) > limit and not _is_admin(request):
            message = gettext("Der Inhalt der Anfrage ist zu groß (höchstens %(kib)d KiB).") % {
                "kib": limit // 1024
            }
            return JsonResponse({"error": "payload_too_large", "message": message}, status=413)
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _is_admin(request: HttpRequest) -> bool:
    return request.path_info.startswith("/admin/")
