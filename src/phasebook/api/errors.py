"""Every API error as `{"error": code, "message": German text, ...details}`.

No exception text or stack trace reaches a caller: unknown errors are logged with their
traceback on our side and answered with a generic 500 message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from phasebook.booking.errors import (
    BookingError,
    InvalidRequest,
    InvalidState,
    NotBookable,
    NotFound,
    SlotTaken,
)
from phasebook.scheduling.availability import Slot

logger = logging.getLogger(__name__)

_STATUS = {NotFound: 404, InvalidRequest: 400, NotBookable: 422, SlotTaken: 409, InvalidState: 409}

_HTTP_MESSAGES = {
    400: ("bad_request", "Die Anfrage ist fehlerhaft (kein gültiges JSON?)."),
    401: ("unauthorized", "Bitte mit einem gültigen API-Token anmelden (Authorization: Bearer …)."),
    403: ("forbidden", "Dafür fehlt die Berechtigung."),
    404: ("not_found", "Nicht gefunden."),
    405: ("method_not_allowed", "Diese Methode ist hier nicht erlaubt."),
}


def slot_dict(slot: Slot, names: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "start": slot.start,
        "end": slot.end,
        "staff_id": slot.staff_id,
        "staff_name": (names or {}).get(slot.staff_id, ""),
    }


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, /, **details: Any
) -> HttpResponse:
    # Positional-only: details may carry their own `status` (InvalidState's appointment status).
    return api.create_response(
        request, {"error": code, "message": message, **details}, status=status
    )


def _field_name(location: tuple[Any, ...]) -> str:
    # ("body", "payload", "customer", "name") -> "customer.name"; ("query", "service") -> "service"
    parts = [
        str(part)
        for part in location
        if part not in ("body", "query", "path", "payload", "query")
        and not str(part).startswith("function-")
    ]
    return ".".join(parts) or "body"


def _validation_message(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    fields = []
    for error in errors:
        name = _field_name(tuple(error.get("loc", ())))
        kind = str(error.get("type", ""))
        if kind.startswith("phasebook_"):
            text = f"{name}: {error.get('msg', 'ungültiger Wert.')}"
        elif kind == "missing":
            text = f"{name}: fehlt."
        elif "timezone" in kind:
            text = f"{name}: Zeitangabe mit UTC-Versatz angeben, z. B. 2026-03-02T10:00:00+01:00."
        elif "datetime" in kind:
            text = f"{name}: keine gültige Zeitangabe (ISO 8601 mit Versatz)."
        elif "uuid" in kind:
            text = f"{name}: keine gültige ID."
        elif kind.startswith("int"):
            text = f"{name}: erwartet eine ganze Zahl."
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            text = f"{name}: erwartet ein JSON-Objekt."
        elif kind == "extra_forbidden":
            text = f"{name}: unbekanntes Feld."
        elif "too_long" in kind or "too_short" in kind:
            text = f"{name}: unzulässige Länge."
        else:
            text = f"{name}: ungültiger Wert."
        fields.append({"field": name, "message": text})
    return " ".join(item["message"] for item in fields), fields


class ShapedNinjaAPI(NinjaAPI):
    """A NinjaAPI whose unknown paths (404) and wrong methods (405) answer in the error
    shape too, instead of Django's HTML page or ninja's plain-text body."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._shaped_method_errors(pattern.callback)
        urls.append(re_path(r"^.*$", csrf_exempt(self._unknown_path)))
        return urls

    def _unknown_path(self, request: HttpRequest) -> HttpResponse:
        code, message = _HTTP_MESSAGES[404]
        return error_response(self, request, 404, code, message)

    def _shaped_method_errors(
        self, view: Callable[..., HttpResponse]
    ) -> Callable[..., HttpResponse]:
        @wraps(view)
        def shaped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code != 405:
                return response
            code, message = _HTTP_MESSAGES[405]
            shaped_response = error_response(self, request, 405, code, message)
            shaped_response["Allow"] = response["Allow"]
            return shaped_response

        return shaped


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(BookingError)
    def booking_error(request: HttpRequest, exc: BookingError) -> HttpResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
        details = dict(exc.details)
        if isinstance(exc, SlotTaken):
            details["alternatives"] = [slot_dict(slot) for slot in exc.alternatives]
        return error_response(api, request, status, exc.code, exc.message, **details)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        message, fields = _validation_message(list(exc.errors))
        return error_response(
            api, request, 422, "validation_error", f"Ungültige Eingabe: {message}", fields=fields
        )

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        code, message = _HTTP_MESSAGES[401]
        return error_response(api, request, 401, code, message)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("error", "Fehlerhafte Anfrage."))
        return error_response(api, request, exc.status_code, code, message)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(
            api,
            request,
            500,
            "internal_error",
            "Ein interner Fehler ist aufgetreten. Bitte später erneut versuchen.",
        )
