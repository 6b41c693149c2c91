"""API v1 reads JSON only: a request body of another media type (text/plain, form data)
is refused with 415 before anything parses it, instead of being read as JSON anyway."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI

from phasebook.api.errors import error_response

View = Callable[..., HttpResponse]


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def json_bodies(api: NinjaAPI, view: View) -> View:
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.body and not is_json(request.content_type or ""):
            message = gettext("Bitte den Inhalt als JSON senden (Content-Type: application/json).")
            return error_response(api, request, 415, "unsupported_media_type", message)
        return view(request, *args, **kwargs)

    return checked
